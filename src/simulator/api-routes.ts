// The DNSimple endpoints the simulator serves, matched by method and path. Operation names
// are DNSimple's own (from its OpenAPI description and official clients).

export type Operation =
  | "whoami"
  | "listDomains"
  | "listCertificates"
  | "getCertificate"
  | "downloadCertificate"
  | "getCertificatePrivateKey"
  | "purchaseLetsencryptCertificate"
  | "issueLetsencryptCertificate"
  | "purchaseRenewalLetsencryptCertificate"
  | "issueRenewalLetsencryptCertificate";

interface Route {
  method: string;
  pattern: string;
  operation: Operation;
}

const CERTIFICATES = "/v2/:account/domains/:domain/certificates";

const ROUTES: readonly Route[] = [
  { method: "GET", pattern: "/v2/whoami", operation: "whoami" },
  { method: "GET", pattern: "/v2/:account/domains", operation: "listDomains" },
  { method: "GET", pattern: CERTIFICATES, operation: "listCertificates" },
  { method: "GET", pattern: `${CERTIFICATES}/:certificate`, operation: "getCertificate" },
  {
    method: "GET",
    pattern: `${CERTIFICATES}/:certificate/download`,
    operation: "downloadCertificate",
  },
  {
    method: "GET",
    pattern: `${CERTIFICATES}/:certificate/private_key`,
    operation: "getCertificatePrivateKey",
  },
  {
    method: "POST",
    pattern: `${CERTIFICATES}/letsencrypt`,
    operation: "purchaseLetsencryptCertificate",
  },
  {
    method: "POST",
    pattern: `${CERTIFICATES}/letsencrypt/:certificate/issue`,
    operation: "issueLetsencryptCertificate",
  },
  {
    method: "POST",
    pattern: `${CERTIFICATES}/letsencrypt/:certificate/renewals`,
    operation: "purchaseRenewalLetsencryptCertificate",
  },
  {
    method: "POST",
    pattern: `${CERTIFICATES}/letsencrypt/:certificate/renewals/:renewal/issue`,
    operation: "issueRenewalLetsencryptCertificate",
  },
];

export type RouteParams = Partial<Record<"account" | "domain" | "certificate" | "renewal", string>>;

export type RouteMatch =
  | { kind: "found"; operation: Operation; params: RouteParams }
  | { kind: "method-not-allowed" }
  | { kind: "not-found" };

export function matchApiRoute(method: string, path: string): RouteMatch {
  const segments = splitPath(path);
  let pathKnown = false;
  for (const route of ROUTES) {
    const params = matchPattern(route.pattern, segments);
    if (params === undefined) continue;
    if (route.method === method) return { kind: "found", operation: route.operation, params };
    pathKnown = true;
  }
  return pathKnown ? { kind: "method-not-allowed" } : { kind: "not-found" };
}

function splitPath(path: string): string[] {
  return path
    .split("/")
    .filter((segment) => segment !== "")
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    });
}

function matchPattern(pattern: string, segments: readonly string[]): RouteParams | undefined {
  const parts = splitPath(pattern);
  if (parts.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, part] of parts.entries()) {
    const segment = segments[index] ?? "";
    if (part.startsWith(":")) {
      params[part.slice(1)] = segment;
    } else if (part !== segment) {
      return undefined;
    }
  }
  return params;
}
