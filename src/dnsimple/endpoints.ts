// The DNSimple endpoints the client calls: for each, the method, the endpoint's template
// (a metrics label, e.g. "GET /v2/:account/domains/:domain/certificates") and the path
// with its parts filled in and encoded. Paths are relative to the base URL.
import type { HttpMethod } from "./errors.ts";
import type {
  AccountId,
  DomainReference,
  LetsencryptOrder,
  ListCertificatesOptions,
  ListDomainsOptions,
  RenewalOrder,
} from "./types.ts";

export interface ApiRequest {
  method: HttpMethod;
  endpoint: string;
  path: string;
  query?: Record<string, string>;
  /** JSON body for POSTs; never put in an error or a log. */
  body?: LetsencryptOrder | RenewalOrder;
}

export const MAX_PER_PAGE = 100;

const DOMAINS = "/v2/:account/domains";
const CERTIFICATES = `${DOMAINS}/:domain/certificates`;
const LETSENCRYPT = `${CERTIFICATES}/letsencrypt`;

export function whoamiRequest(): ApiRequest {
  return { method: "GET", endpoint: "GET /v2/whoami", path: "/v2/whoami" };
}

/** `name_like` goes first, then the page, size and sort every list takes. */
export function listDomainsRequest(account: AccountId, options: ListDomainsOptions): ApiRequest {
  const query: Record<string, string> = {};
  if (options.nameLike !== undefined && options.nameLike !== "") {
    query.name_like = options.nameLike;
  }
  return {
    method: "GET",
    endpoint: `GET ${DOMAINS}`,
    path: `/v2/${positiveInteger(account, "account id")}/domains`,
    query: { ...query, ...listQuery(options) },
  };
}

export function listCertificatesRequest(
  account: AccountId,
  domain: DomainReference,
  options: ListCertificatesOptions,
): ApiRequest {
  return {
    method: "GET",
    endpoint: `GET ${CERTIFICATES}`,
    path: certificatesPath(account, domain),
    query: listQuery(options),
  };
}

export function getCertificateRequest(
  account: AccountId,
  domain: DomainReference,
  certificateId: number,
): ApiRequest {
  return {
    method: "GET",
    endpoint: `GET ${CERTIFICATES}/:certificate`,
    path: certificatePath(account, domain, certificateId),
  };
}

export function downloadCertificateRequest(
  account: AccountId,
  domain: DomainReference,
  certificateId: number,
): ApiRequest {
  return {
    method: "GET",
    endpoint: `GET ${CERTIFICATES}/:certificate/download`,
    path: `${certificatePath(account, domain, certificateId)}/download`,
  };
}

export function privateKeyRequest(
  account: AccountId,
  domain: DomainReference,
  certificateId: number,
): ApiRequest {
  return {
    method: "GET",
    endpoint: `GET ${CERTIFICATES}/:certificate/private_key`,
    path: `${certificatePath(account, domain, certificateId)}/private_key`,
  };
}

export function orderLetsencryptRequest(
  account: AccountId,
  domain: DomainReference,
  order: LetsencryptOrder,
): ApiRequest {
  return {
    method: "POST",
    endpoint: `POST ${LETSENCRYPT}`,
    path: `${certificatesPath(account, domain)}/letsencrypt`,
    body: order,
  };
}

export function issueLetsencryptRequest(
  account: AccountId,
  domain: DomainReference,
  certificateId: number,
): ApiRequest {
  return {
    method: "POST",
    endpoint: `POST ${LETSENCRYPT}/:certificate/issue`,
    path: `${letsencryptPath(account, domain, certificateId)}/issue`,
  };
}

export function orderRenewalRequest(
  account: AccountId,
  domain: DomainReference,
  certificateId: number,
  order: RenewalOrder,
): ApiRequest {
  return {
    method: "POST",
    endpoint: `POST ${LETSENCRYPT}/:certificate/renewals`,
    path: `${letsencryptPath(account, domain, certificateId)}/renewals`,
    body: order,
  };
}

export function issueRenewalRequest(
  account: AccountId,
  domain: DomainReference,
  certificateId: number,
  renewalId: number,
): ApiRequest {
  return {
    method: "POST",
    endpoint: `POST ${LETSENCRYPT}/:certificate/renewals/:renewal/issue`,
    path: `${letsencryptPath(account, domain, certificateId)}/renewals/${positiveInteger(renewalId, "renewal id")}/issue`,
  };
}

function certificatesPath(account: AccountId, domain: DomainReference): string {
  const domainText = String(domain).trim();
  if (domainText === "") throw new RangeError("domain must not be empty");
  return `/v2/${positiveInteger(account, "account id")}/domains/${encodeURIComponent(domainText)}/certificates`;
}

function certificatePath(
  account: AccountId,
  domain: DomainReference,
  certificateId: number,
): string {
  return `${certificatesPath(account, domain)}/${positiveInteger(certificateId, "certificate id")}`;
}

function letsencryptPath(
  account: AccountId,
  domain: DomainReference,
  certificateId: number,
): string {
  return `${certificatesPath(account, domain)}/letsencrypt/${positiveInteger(certificateId, "certificate id")}`;
}

interface ListOptions {
  page?: number;
  perPage?: number;
  sort?: string | readonly string[];
}

// page, per_page and sort, as every DNSimple list takes them.
function listQuery(options: ListOptions): Record<string, string> {
  const query: Record<string, string> = {};
  if (options.page !== undefined) query.page = String(positiveInteger(options.page, "page"));
  if (options.perPage !== undefined) {
    const perPage = positiveInteger(options.perPage, "perPage");
    if (perPage > MAX_PER_PAGE) throw new RangeError(`perPage is at most ${MAX_PER_PAGE}`);
    query.per_page = String(perPage);
  }
  if (options.sort !== undefined) {
    query.sort = typeof options.sort === "string" ? options.sort : options.sort.join(",");
  }
  return query;
}

function positiveInteger(value: number, what: string): number {
  if (!(Number.isSafeInteger(value) && value > 0)) {
    throw new RangeError(`${what} must be a positive integer, got ${value}`);
  }
  return value;
}
