// The next step for one DnsimpleCertificate, as a pure function of what is observed. The
// reconciler (reconcile.ts) performs the step, adds what it learned to the observation, and
// asks again, until the answer is to wait (`ready`, `poll`, `fail`). Re-running it at any time
// converges: nothing here depends on what happened in an earlier reconcile except through the
// resource's status and the Secret.
import type { DnsimpleCertificateSpec } from "../api/v1alpha1.ts";
import { expectedDnsNames, sameDnsNames } from "../certs/dns-names.ts";
import type { Failure, Observation, RemoteCertificate, SecretObservation } from "./observation.ts";
import { pollDelay, renewalTime } from "./timing.ts";

export type Action =
  /** The Secret holds a valid certificate for the current spec; look again at `requeueAt`. */
  | { kind: "ready"; requeueAt: Date }
  /** Rewrite the Secret's labels and annotations from its current content; no DNSimple call. */
  | { kind: "refreshSecretMetadata" }
  /** Read the credentials (and find the account) before the first DNSimple call. */
  | { kind: "resolveCredentials" }
  /** Look for an order whose answer was lost (status.pendingOrder), before ordering again. */
  | { kind: "findPendingOrder" }
  /** Record the intent in status, then order a certificate from DNSimple. */
  | { kind: "order"; why: string }
  /** Take over a certificate found by findPendingOrder. */
  | { kind: "adoptOrder"; certificateId: number }
  | { kind: "fetchCertificate"; certificateId: number }
  | { kind: "issue"; certificateId: number }
  | { kind: "poll"; certificateId: number; requeueAfterMs: number; state: string }
  | { kind: "download"; certificateId: number }
  | { kind: "writeSecret"; certificateId: number }
  | { kind: "fail"; failure: Failure; permanent: boolean };

/** DNSimple states from which a certificate will not become issued. */
const DEAD_STATES = new Set(["failed", "cancelled", "rejected", "refunded"]);
/** Failures that a retry cannot fix until something changes (spec, credentials, plan). */
const PERMANENT = new Set<Failure["reason"]>([
  "Unauthorized",
  "DomainNotFound",
  "CertificateNotFound",
  "NotAllowed",
  "Rejected",
  "IssuanceFailed",
  "CertificateMismatch",
]);

const fail = (failure: Failure): Action => ({
  kind: "fail",
  failure,
  permanent: PERMANENT.has(failure.reason),
});

/** The DNSimple domain name, when the spec names the domain by id: from a certificate name. */
export function domainNameOf(
  spec: DnsimpleCertificateSpec,
  commonName?: string,
): string | undefined {
  if (!/^\d+$/.test(spec.domain)) return spec.domain;
  if (!commonName) return undefined;
  const prefix = `${spec.name}.`;
  return commonName.startsWith(prefix) ? commonName.slice(prefix.length) : undefined;
}

/** Whether DNSimple's certificate was ordered for what the spec asks (names and domain). */
export function remoteMatchesSpec(
  spec: DnsimpleCertificateSpec,
  remote: RemoteCertificate,
): boolean {
  const domain = domainNameOf(spec, remote.commonName);
  return (
    remote.name === spec.name &&
    domain !== undefined &&
    remote.commonName === `${spec.name}.${domain}` &&
    sameDnsNames(remote.alternateNames, spec.alternateNames ?? [])
  );
}

/** Why the Secret does not serve the current spec, or undefined when it does. */
export function secretShortfall(
  spec: DnsimpleCertificateSpec,
  secret: SecretObservation,
  targetId: number | undefined,
  now: Date,
): string | undefined {
  if (!secret.exists) return "the Secret does not exist";
  if (!secret.usable) return `the Secret's certificate is unusable: ${secret.problem ?? "unknown"}`;
  if (targetId !== undefined && secret.certificateId !== targetId) {
    return `the Secret holds certificate ${secret.certificateId ?? "(unknown)"}, not ${targetId}`;
  }
  const domain = domainNameOf(spec, secret.commonName);
  const wanted = domain
    ? expectedDnsNames({ domain, name: spec.name, alternateNames: spec.alternateNames })
    : [];
  if (!domain || !sameDnsNames(wanted, secret.dnsNames ?? [])) {
    return `the Secret's certificate covers ${(secret.dnsNames ?? []).join(", ")}, the spec asks for ${wanted.join(", ") || spec.name}`;
  }
  if (secret.keyAlgorithm !== spec.signatureAlgorithm) {
    return `the Secret's key is ${secret.keyAlgorithm ?? "unknown"}, the spec asks for ${spec.signatureAlgorithm}`;
  }
  if (!secret.notAfter || secret.notAfter <= now) return "the Secret's certificate has expired";
  return undefined;
}

export function decide(o: Observation): Action {
  const { resource, secret, now } = o;
  const { spec, status = {} } = resource;
  const targetId = spec.certificateId ?? status.certificateId;

  // 1. Nothing to do when the Secret already serves the spec: no DNSimple call at all.
  if (secretShortfall(spec, secret, targetId, now) === undefined && targetId !== undefined) {
    if (!secret.metadataCurrent) return { kind: "refreshSecretMetadata" };
    return { kind: "ready", requeueAt: nextCheck(spec, secret, now) };
  }

  // 2. A failure of a call made in this reconcile ends it.
  if (o.failure) return fail(o.failure);

  // 3. Everything below talks to DNSimple.
  if (!o.credentials) return { kind: "resolveCredentials" };
  if (o.credentials.kind === "failed") return fail(o.credentials.failure);

  // 4. No certificate yet: recover a lost order, or order.
  if (targetId === undefined) {
    if (status.pendingOrder && !o.pendingOrderSearch) return { kind: "findPendingOrder" };
    const found = o.pendingOrderSearch?.found;
    if (found) return { kind: "adoptOrder", certificateId: found.id };
    return { kind: "order", why: "no certificate has been ordered for this resource" };
  }

  // 5. Learn the certificate's state.
  if (!o.remote) return { kind: "fetchCertificate", certificateId: targetId };
  if (o.remote.kind === "failed") return fail(o.remote.failure);
  const remote = o.remote.certificate;

  if (!remoteMatchesSpec(spec, remote)) {
    if (spec.certificateId !== undefined) {
      return fail({
        reason: "CertificateMismatch",
        message: `DNSimple certificate ${remote.id} is for ${describeRemote(remote)}, which does not match spec.name ${JSON.stringify(spec.name)} and spec.alternateNames ${JSON.stringify(spec.alternateNames ?? [])}: fix the spec or spec.certificateId`,
      });
    }
    // The spec changed since this certificate was ordered: order one that fits. The Secret
    // keeps serving the old certificate until the new one is verified.
    return {
      kind: "order",
      why: `the spec changed: certificate ${remote.id} is for ${describeRemote(remote)}`,
    };
  }

  // 6. Drive it to issued, then download, verify and write.
  if (remote.state === "new") return { kind: "issue", certificateId: remote.id };
  if (DEAD_STATES.has(remote.state)) {
    return fail({
      reason: "IssuanceFailed",
      message: `DNSimple reports certificate ${remote.id} as ${remote.state}; change the spec (or set spec.certificateId) to order again`,
    });
  }
  if (remote.state !== "issued") {
    return {
      kind: "poll",
      certificateId: remote.id,
      state: remote.state,
      requeueAfterMs: pollDelay(o.pollIntervalMs, issuingSince(o), now),
    };
  }
  if (!o.download) return { kind: "download", certificateId: remote.id };
  if (o.download.kind === "failed") return fail(o.download.failure);
  // DNSimple's record does not say the key type; the downloaded certificate does.
  if (o.download.keyAlgorithm !== spec.signatureAlgorithm) {
    const why = `certificate ${remote.id} has a ${o.download.keyAlgorithm ?? "unknown"} key, the spec asks for ${spec.signatureAlgorithm}`;
    if (spec.certificateId !== undefined) {
      return fail({
        reason: "CertificateMismatch",
        message: `${why}: fix spec.signatureAlgorithm or spec.certificateId`,
      });
    }
    return { kind: "order", why: `the spec changed: ${why}` };
  }
  return { kind: "writeSecret", certificateId: remote.id };
}

function describeRemote(remote: RemoteCertificate): string {
  return [remote.commonName, ...remote.alternateNames].join(", ");
}

/** When the current issuance started, from the Issuing condition (for the polling backoff). */
function issuingSince(o: Observation): Date {
  const issuing = o.resource.status?.conditions?.find((c) => c.type === "Issuing");
  return issuing?.status === "True" ? new Date(issuing.lastTransitionTime) : o.now;
}

/**
 * The next time a Ready resource needs a look: its renewal time, else its expiry, else an hour
 * from now (a certificate past both is renewed by the lifecycle controller; never a hot loop).
 */
function nextCheck(spec: DnsimpleCertificateSpec, secret: SecretObservation, now: Date): Date {
  const candidates = [renewalTime(spec, secret.notBefore, secret.notAfter), secret.notAfter];
  return candidates.find((t) => t !== undefined && t > now) ?? new Date(now.getTime() + 3_600_000);
}
