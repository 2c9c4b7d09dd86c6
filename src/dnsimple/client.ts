// The DNSimple API client the operator uses: one method per endpoint of the Certificates
// API plus whoami and the domain list, typed answers, typed errors (errors.ts), retries
// where they are safe (retry.ts), and a rate-limit budget shared by every client for the
// same token (rate-limit.ts).
//
// The operator makes one client per set of credentials and passes every one of them the
// same RateLimitBudget. Methods throw only DnsimpleError subclasses for anything DNSimple
// or the network does, and RangeError for arguments that cannot name anything.
import {
  readCertificateAnswer,
  readCertificateBundle,
  readCertificatePage,
  readCertificatePurchase,
  readCertificateRenewal,
  readDomainPage,
  readPrivateKey,
  readWhoami,
} from "./answers.ts";
import {
  type ApiRequest,
  downloadCertificateRequest,
  getCertificateRequest,
  issueLetsencryptRequest,
  issueRenewalRequest,
  listCertificatesRequest,
  listDomainsRequest,
  MAX_PER_PAGE,
  orderLetsencryptRequest,
  orderRenewalRequest,
  privateKeyRequest,
  whoamiRequest,
} from "./endpoints.ts";
import { collectAllPages } from "./pagination.ts";
import type { RateLimitBudget, RateLimitSnapshot, TokenRateLimit } from "./rate-limit.ts";
import {
  DEFAULT_MAX_RATE_LIMIT_WAIT_MS,
  DEFAULT_RETRY,
  type RetryOptions,
  type RetryPolicy,
  sendWithRetries,
} from "./retry.ts";
import { DnsimpleTransport, type ResponseInfo } from "./transport.ts";
import type {
  AccountId,
  Certificate,
  CertificateBundle,
  CertificatePage,
  CertificatePurchase,
  CertificateRenewal,
  CertificateSort,
  Domain,
  DomainPage,
  DomainReference,
  LetsencryptOrder,
  ListCertificatesOptions,
  ListDomainsOptions,
  RenewalOrder,
  Whoami,
} from "./types.ts";
import { DEFAULT_USER_AGENT } from "./user-agent.ts";

export const DEFAULT_TIMEOUT_MS = 30_000;

export interface DnsimpleClientOptions {
  /** e.g. https://api.dnsimple.com (a trailing /v2 is accepted and ignored). */
  baseUrl: string;
  token: string;
  /** Shared by every client of the operator. */
  budget: RateLimitBudget;
  /** Default: dnsimple-cert-operator/<version in package.json>. */
  userAgent?: string;
  /** For each attempt, from sending to the whole answer. Default 30 s. */
  timeoutMs?: number;
  /** Backoff for GETs after network errors, timeouts and 5xx. Default 3 retries, 0.5 s to 8 s. */
  retry?: Partial<RetryOptions>;
  /** The longest wait for a rate-limit reset done in place. Default 10 s. */
  maxRateLimitWaitMs?: number;
  /** Told about every request that went out, for metrics. */
  onResponse?: (info: ResponseInfo) => void;
}

export interface AllCertificatesOptions {
  sort?: CertificateSort | readonly CertificateSort[];
  /** Page size while collecting; default (and at most) 100. */
  perPage?: number;
}

export interface AllDomainsOptions {
  nameLike?: string;
}

export class DnsimpleClient {
  readonly #transport: DnsimpleTransport;
  readonly #rateLimit: TokenRateLimit;
  readonly #policy: RetryPolicy;

  constructor(options: DnsimpleClientOptions) {
    if (options.token.trim() === "") throw new RangeError("the DNSimple token is empty");
    this.#rateLimit = options.budget.forToken(options.token);
    this.#policy = {
      ...DEFAULT_RETRY,
      ...definedOnly(options.retry ?? {}),
      maxRateLimitWaitMs: options.maxRateLimitWaitMs ?? DEFAULT_MAX_RATE_LIMIT_WAIT_MS,
    };
    this.#transport = new DnsimpleTransport({
      baseUrl: apiRoot(options.baseUrl),
      token: options.token,
      rateLimit: this.#rateLimit,
      userAgent: options.userAgent ?? DEFAULT_USER_AGENT,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      onResponse: options.onResponse,
    });
  }

  /** This token's rate-limit budget as last reported, or undefined before any answer. */
  rateLimit(): RateLimitSnapshot | undefined {
    return this.#rateLimit.snapshot();
  }

  /** The budget while its window lasts, with the reserve (see TokenRateLimit.current). */
  requestBudget(): { budgetKey: string; reserve: number; known?: RateLimitSnapshot } {
    const known = this.#rateLimit.current();
    const { budgetKey, reserve } = this.#rateLimit;
    return { budgetKey, reserve, ...(known ? { known } : {}) };
  }

  /** Who the token belongs to; with an account token, `account.id` is the account to use. */
  whoami(): Promise<Whoami> {
    return this.#send(whoamiRequest(), readWhoami);
  }

  /** One page of the account's domains (DNSimple's default order: by name). */
  listDomains(account: AccountId, options: ListDomainsOptions = {}): Promise<DomainPage> {
    return this.#send(listDomainsRequest(account, options), readDomainPage);
  }

  /**
   * Every domain of the account (whose name contains `nameLike`, if given), following the
   * pages, by ascending id: a domain added while paging then lands on the last page
   * instead of shifting the others, as it would in name order.
   */
  allDomains(account: AccountId, options: AllDomainsOptions = {}): Promise<Domain[]> {
    return collectAllPages((page) =>
      this.listDomains(account, {
        nameLike: options.nameLike,
        sort: "id:asc",
        page,
        perPage: MAX_PER_PAGE,
      }),
    );
  }

  /** One page of the domain's certificates (DNSimple's default order: newest id first). */
  listCertificates(
    account: AccountId,
    domain: DomainReference,
    options: ListCertificatesOptions = {},
  ): Promise<CertificatePage> {
    return this.#send(listCertificatesRequest(account, domain, options), readCertificatePage);
  }

  /** Every certificate of the domain, following the pages. */
  allCertificates(
    account: AccountId,
    domain: DomainReference,
    options: AllCertificatesOptions = {},
  ): Promise<Certificate[]> {
    const perPage = options.perPage ?? MAX_PER_PAGE;
    return collectAllPages((page) =>
      this.listCertificates(account, domain, { sort: options.sort, page, perPage }),
    );
  }

  getCertificate(
    account: AccountId,
    domain: DomainReference,
    certificateId: number,
  ): Promise<Certificate> {
    return this.#send(getCertificateRequest(account, domain, certificateId), readCertificateAnswer);
  }

  /**
   * Server certificate, root (often null) and chain, as PEM. 428 (DnsimpleNotReadyError)
   * until the certificate is issued.
   */
  downloadCertificate(
    account: AccountId,
    domain: DomainReference,
    certificateId: number,
  ): Promise<CertificateBundle> {
    return this.#send(
      downloadCertificateRequest(account, domain, certificateId),
      readCertificateBundle,
    );
  }

  /**
   * The private key as PEM. 428 (DnsimpleNotReadyError) until the certificate is issued,
   * and again after the key was removed from DNSimple.
   */
  getPrivateKey(
    account: AccountId,
    domain: DomainReference,
    certificateId: number,
  ): Promise<string> {
    return this.#send(privateKeyRequest(account, domain, certificateId), readPrivateKey);
  }

  /**
   * A purchase: never retried. On an error with outcomeUnknown, list the domain's
   * certificates before ordering again.
   */
  orderLetsencrypt(
    account: AccountId,
    domain: DomainReference,
    order: LetsencryptOrder = {},
  ): Promise<CertificatePurchase> {
    return this.#send(orderLetsencryptRequest(account, domain, order), readCertificatePurchase);
  }

  /** Starts issuance of an ordered certificate: answers it in `requesting`. */
  issueLetsencrypt(
    account: AccountId,
    domain: DomainReference,
    certificateId: number,
  ): Promise<Certificate> {
    return this.#send(
      issueLetsencryptRequest(account, domain, certificateId),
      readCertificateAnswer,
    );
  }

  /** A purchase of a new certificate with the same names: never retried. */
  orderRenewal(
    account: AccountId,
    domain: DomainReference,
    certificateId: number,
    order: RenewalOrder = {},
  ): Promise<CertificateRenewal> {
    return this.#send(
      orderRenewalRequest(account, domain, certificateId, order),
      readCertificateRenewal,
    );
  }

  /** Starts issuance of a renewal: answers the NEW certificate in `requesting`. */
  issueRenewal(
    account: AccountId,
    domain: DomainReference,
    certificateId: number,
    renewalId: number,
  ): Promise<Certificate> {
    return this.#send(
      issueRenewalRequest(account, domain, certificateId, renewalId),
      readCertificateAnswer,
    );
  }

  #send<T>(request: ApiRequest, read: (body: unknown) => T): Promise<T> {
    return sendWithRetries(request, () => this.#transport.send(request, read), this.#policy);
  }
}

// The base URL without a trailing slash or /v2 (the request paths start with /v2).
function apiRoot(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new RangeError(`the DNSimple base URL "${baseUrl}" is not a URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new RangeError(`the DNSimple base URL "${baseUrl}" is not http(s)`);
  }
  if (url.search !== "" || url.hash !== "" || url.username !== "" || url.password !== "") {
    throw new RangeError("the DNSimple base URL must have no query, fragment or credentials");
  }
  return url.href.replace(/\/+$/, "").replace(/\/v2$/, "");
}

function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(options).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}
