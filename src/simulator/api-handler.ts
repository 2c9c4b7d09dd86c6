// One DNSimple API request, from method, path, token and body to status and JSON body:
// authentication (401), the account in the path (404 unless it is the token's), the
// domain (404; the domain list has none), then the operation. Transport concerns (rate
// limit, faults, the call log) belong to the HTTP server.
import { createHash, timingSafeEqual } from "node:crypto";
import type { RouteMatch } from "./api-routes.ts";
import type { CertificateService } from "./certificate-service.ts";
import { listDomains } from "./domain-listing.ts";
import { ApiError, badRequest, notFound, unauthorized } from "./errors.ts";
import type { Page } from "./listing.ts";
import type { Plan } from "./model.ts";
import {
  certificateBundleJson,
  certificateJson,
  certificatePurchaseJson,
  certificateRenewalJson,
  domainJson,
  errorJson,
  privateKeyJson,
  whoamiJson,
} from "./representations.ts";
import type { Store } from "./store.ts";

export type RequestBody = { kind: "none" } | { kind: "json"; value: unknown } | { kind: "invalid" };

export interface ApiRequest {
  query: URLSearchParams;
  authorization: string | undefined;
  body: RequestBody;
}

export interface ApiResponse {
  status: number;
  body: unknown;
}

export interface ApiHandlerDependencies {
  service: CertificateService;
  store: Store;
  token: string;
  plan: () => Plan;
}

export class ApiHandler {
  readonly #service: CertificateService;
  readonly #store: Store;
  readonly #tokenDigest: Buffer;
  readonly #plan: () => Plan;

  constructor(dependencies: ApiHandlerDependencies) {
    this.#service = dependencies.service;
    this.#store = dependencies.store;
    this.#tokenDigest = digest(dependencies.token);
    this.#plan = dependencies.plan;
  }

  handle(route: RouteMatch, request: ApiRequest): ApiResponse {
    try {
      return this.#dispatch(route, request);
    } catch (error) {
      if (error instanceof ApiError) return { status: error.status, body: errorJson(error) };
      throw error;
    }
  }

  #dispatch(route: RouteMatch, request: ApiRequest): ApiResponse {
    this.#authenticate(request.authorization);
    if (route.kind === "not-found") throw new ApiError(404, "Not found");
    if (route.kind === "method-not-allowed") throw new ApiError(405, "Method not allowed");
    if (request.body.kind === "invalid") throw badRequest("The request body is not valid JSON");
    const body = request.body.kind === "json" ? request.body.value : undefined;
    const { params } = route;

    if (route.operation === "whoami") {
      return ok(200, whoamiJson(this.#store.account, this.#plan()));
    }
    this.#checkAccount(params.account ?? "");
    if (route.operation === "listDomains") {
      const accountId = this.#store.account.id;
      return listAnswer(listDomains(this.#store.domains, request.query), (domain) =>
        domainJson(domain, accountId),
      );
    }
    const domain = this.#service.findDomain(params.domain ?? "");
    const certificateId = params.certificate ?? "";

    switch (route.operation) {
      case "listCertificates":
        return listAnswer(this.#service.list(domain, request.query), certificateJson);
      case "getCertificate":
        return ok(200, certificateJson(this.#service.get(domain, certificateId)));
      case "downloadCertificate": {
        const bundle = this.#service.download(domain, certificateId);
        return ok(
          200,
          certificateBundleJson(bundle.serverPem, bundle.intermediatePem, bundle.rootPem),
        );
      }
      case "getCertificatePrivateKey":
        return ok(200, privateKeyJson(this.#service.privateKey(domain, certificateId)));
      case "purchaseLetsencryptCertificate":
        return ok(201, certificatePurchaseJson(this.#service.order(domain, body)));
      case "issueLetsencryptCertificate":
        return ok(202, certificateJson(this.#service.issue(domain, certificateId)));
      case "purchaseRenewalLetsencryptCertificate":
        return ok(
          201,
          certificateRenewalJson(this.#service.orderRenewal(domain, certificateId, body)),
        );
      case "issueRenewalLetsencryptCertificate":
        return ok(
          202,
          certificateJson(this.#service.issueRenewal(domain, certificateId, params.renewal ?? "")),
        );
    }
  }

  #authenticate(authorization: string | undefined): void {
    const token = bearerToken(authorization);
    // Compared by digest in constant time, so the answer time does not leak the token.
    if (token === undefined || !timingSafeEqual(digest(token), this.#tokenDigest)) {
      throw unauthorized();
    }
  }

  // An account token only reaches its own account; any other is unknown to it.
  #checkAccount(reference: string): void {
    if (!/^\d+$/.test(reference) || Number(reference) !== this.#store.account.id) {
      throw notFound("Account", reference);
    }
  }
}

export function bearerToken(authorization: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
  return match?.[1];
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

function ok(status: number, data: unknown): ApiResponse {
  return { status, body: { data } };
}

// Every list answers `{"data": [...], "pagination": {...}}`.
function listAnswer<T>(page: Page<T>, json: (item: T) => unknown): ApiResponse {
  return { status: 200, body: { data: page.items.map(json), pagination: page.pagination } };
}
