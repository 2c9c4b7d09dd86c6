// DNSimple errors as Ready-condition failures with a message a person can act on.
import type { DnsimpleCertificate } from "../api/v1alpha1.ts";
import { DnsimpleError } from "../dnsimple/errors.ts";
import { scrubSecrets } from "../observability/redact.ts";
import type { Failure } from "./observation.ts";

function credentialsSource(resource: DnsimpleCertificate): string {
  const ref = resource.spec.credentialsRef;
  return ref
    ? `the token in Secret ${resource.metadata.namespace}/${ref.name}`
    : "the operator's default token";
}

/** The failure a call's error stands for; anything but a DNSimple answer is ApiUnavailable. */
export function failureFromError(err: unknown, resource: DnsimpleCertificate): Failure {
  if (err instanceof DnsimpleError) return failureFromDnsimple(err, resource);
  const detail = err instanceof Error ? err.message : String(err);
  return { reason: "ApiUnavailable", message: scrubSecrets(detail) };
}

function failureFromDnsimple(err: DnsimpleError, resource: DnsimpleCertificate): Failure {
  const said = err.message;
  switch (err.reason) {
    case "Unauthorized":
      return {
        reason: "Unauthorized",
        message: `${said}. DNSimple rejected ${credentialsSource(resource)}: check that it is a valid account token for the account`,
      };
    case "NotFound":
      return notFound(err, resource);
    case "NotAllowed":
      return {
        reason: "NotAllowed",
        message: `${said}. Custom names, alternate names and wildcards need a DNSimple Professional or Enterprise plan`,
      };
    case "Rejected":
      return { reason: "Rejected", message: `${said}. Fix the spec` };
    case "RateLimited": {
      const retryAt = "retryAt" in err && err.retryAt instanceof Date ? err.retryAt : undefined;
      return { reason: "RateLimited", message: said, ...(retryAt ? { retryAt } : {}) };
    }
    case "NotReady":
      return {
        reason: "PrivateKeyUnavailable",
        message: `${said}. DNSimple cannot hand out the certificate or its private key yet (or no longer has the key)`,
      };
    default:
      return { reason: "ApiUnavailable", message: said };
  }
}

/** A 404: of the certificate (or renewal), else of the domain or account. */
function notFound(err: DnsimpleError, resource: DnsimpleCertificate): Failure {
  const what = "resource" in err && typeof err.resource === "string" ? err.resource : "";
  if (what === "certificate" || what === "renewal") {
    return {
      reason: "CertificateNotFound",
      message: `${err.message}. Check spec.certificateId and that it belongs to domain ${resource.spec.domain}`,
    };
  }
  return {
    reason: "DomainNotFound",
    message: `${err.message}. Check that ${what || "the domain"} ${what === "account" ? "" : resource.spec.domain} is in the DNSimple account of ${credentialsSource(resource)}`,
  };
}
