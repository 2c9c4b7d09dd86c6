// The next step for one DnsimpleCertificate, as a pure function of what is observed. The
// reconciler (reconciler.ts) performs the step, adds what it learned to the observation, and
// asks again, until the answer is to wait (`ready`, `poll`, `fail`). Re-running it at any time
// converges: nothing here depends on what happened in an earlier reconcile except through the
// resource's status and the Secret.
//
// The life of a certificate, in the order the checks below run:
//   serving   the Secret holds the certificate in status for the current spec: nothing to do
//             until renewal time (operator renewal), a DNSimple auto-renewal shows up, or the
//             user asks (renew-at annotation)
//   ordering  no certificate yet, or the spec needs another one: record the intent, order
//   issuing   the certificate in status is new/requesting: issue, poll
//   writing   issued: download, verify, write the Secret (which makes it serving again)
import type { DnsimpleCertificate, DnsimpleCertificateSpec } from "../api/v1alpha1.ts";
import { RENEW_AT_ANNOTATION } from "../api/v1alpha1.ts";
import { expectedDnsNames, sameDnsNames } from "../certs/dns-names.ts";
import type { Failure, Observation, RemoteCertificate, SecretObservation } from "./observation.ts";
import { failureBackoffMs, pollDelay, renewalTime } from "./timing.ts";

export type Action =
  /** The Secret holds a valid certificate for the current spec; look again at `requeueAt`. */
  | { kind: "ready"; requeueAt: Date }
  /** Rewrite the Secret's labels, annotations and owner from its current content. */
  | { kind: "refreshSecretMetadata" }
  /** Read the credentials (and find the account) before the first DNSimple call. */
  | { kind: "resolveCredentials" }
  /** Look for an order whose answer was lost (status.pendingOrder), before ordering again. */
  | { kind: "findPendingOrder" }
  /** Record the intent in status, then order a certificate (`renewal`: a renewal order). */
  | { kind: "order"; why: string; renewalOf?: number; requested?: string }
  /**
   * Make a certificate the one in status: found by findPendingOrder or findAutoRenewal, or
   * already in the Secret. `replaces`: the certificate the Secret holds until then.
   */
  | {
      kind: "adoptCertificate";
      certificateId: number;
      /** The Event reason: where the certificate was found. */
      source: "OrderRecovered" | "AutoRenewalFound" | "SecretKept";
      why: string;
      replaces?: number;
    }
  /**
   * Look for a certificate DNSimple renewed on its own, in the domain's list (shared per
   * domain), read newest expiry first down to `expiringAfter` (the Secret's expiry).
   */
  | { kind: "findAutoRenewal"; expiringAfter?: Date }
  | { kind: "fetchCertificate"; certificateId: number }
  | { kind: "issue"; certificateId: number }
  | { kind: "poll"; certificateId: number; requeueAfterMs: number; state: string }
  | { kind: "download"; certificateId: number }
  | { kind: "writeSecret"; certificateId: number }
  /** A renewal ended failed: go back to the certificate the Secret holds, and fail. */
  | { kind: "abandonRenewal"; failure: Failure }
  | { kind: "fail"; failure: Failure; permanent: boolean }
  /** The last attempt failed and its backoff has not run out: do nothing until `until`. */
  | { kind: "backoff"; until: Date };

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
  "DuplicateSecretName",
]);

/** An order whose outcome is unknown may take this long to show in DNSimple's list. */
export const ORDER_GRACE_MS = 30_000;

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

/**
 * Why the Secret does not serve the current spec, or undefined when it does. With a
 * `certificateId`, it must also hold that certificate.
 */
export function secretShortfall(
  spec: DnsimpleCertificateSpec,
  secret: SecretObservation,
  certificateId: number | undefined,
  now: Date,
): string | undefined {
  if (!secret.exists) return "the Secret does not exist";
  if (!secret.usable) return `the Secret's certificate is unusable: ${secret.problem ?? "unknown"}`;
  if (certificateId !== undefined && secret.certificateId !== certificateId) {
    return `the Secret holds certificate ${secret.certificateId ?? "(unknown)"}, not ${certificateId}`;
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

/**
 * spec.certificateId adopts a certificate once; after that (status.adoptedCertificateId) the
 * operator renews it like one it ordered, so status.certificateId moves on.
 */
export function isAdopting(resource: DnsimpleCertificate): boolean {
  const { spec, status } = resource;
  return spec.certificateId !== undefined && spec.certificateId !== status?.adoptedCertificateId;
}

/** The certificate the operator works on: being adopted, else the one in status. */
export function targetCertificateId(resource: DnsimpleCertificate): number | undefined {
  return isAdopting(resource) ? resource.spec.certificateId : resource.status?.certificateId;
}

/** A renew-at annotation value not yet acted on, once its time has come. */
export function renewRequest(resource: DnsimpleCertificate, now: Date): string | undefined {
  const value = resource.metadata.annotations?.[RENEW_AT_ANNOTATION];
  if (!value || value === resource.status?.renewRequestHandled) return undefined;
  const at = Date.parse(value);
  return Number.isNaN(at) || at > now.getTime() ? undefined : value;
}

/** Whether the last failure recorded in status was one a retry cannot fix by itself. */
function lastFailurePermanent(o: Observation): boolean {
  return (o.resource.status?.conditions ?? []).some(
    (c) => c.status === "False" && PERMANENT.has(c.reason as Failure["reason"]),
  );
}

/** Failures that carry their own retry time (the rate-limit reset, the order grace). */
const SELF_TIMED = new Set<string>(["RateLimited", "OrderOutcomeUnknown"]);

/** When the backoff after the last recorded failure ends (undefined: no failure pending). */
function failureBackoffEnd(o: Observation, permanent: boolean): Date | undefined {
  const { lastFailureTime, failedAttempts = 0, conditions = [] } = o.resource.status ?? {};
  if (!lastFailureTime || failedAttempts === 0) return undefined;
  if (conditions.some((c) => c.status === "False" && SELF_TIMED.has(c.reason))) return undefined;
  return new Date(Date.parse(lastFailureTime) + failureBackoffMs(permanent, failedAttempts));
}

/** While the last failure's backoff runs, no new renewal is ordered. */
function inFailureBackoff(o: Observation): boolean {
  const end = failureBackoffEnd(o, false);
  return end !== undefined && o.now < end;
}

/**
 * Every order goes through here. An intent in status means an earlier order may have gone
 * through without its answer reaching the status (a lost answer, a crash): look for it first,
 * and while it may still show up, do not order again.
 */
function orderStep(o: Observation, order: Extract<Action, { kind: "order" }>): Action {
  const pending = o.resource.status?.pendingOrder;
  if (!pending) return order;
  if (!o.pendingOrderSearch) return { kind: "findPendingOrder" };
  const found = o.pendingOrderSearch.found;
  if (found) {
    return {
      kind: "adoptCertificate",
      certificateId: found.id,
      source: "OrderRecovered",
      why: "it was ordered before a restart or a lost answer",
      ...(pending.renewalOf !== undefined ? { replaces: pending.renewalOf } : {}),
    };
  }
  const graceEnd = new Date(Date.parse(pending.startedAt) + ORDER_GRACE_MS);
  if (o.now < graceEnd) {
    return fail({
      reason: "OrderOutcomeUnknown",
      message: `the order sent at ${pending.startedAt} got no answer and is not in DNSimple's list yet; looking again before ordering anew (not before ${graceEnd.toISOString()})`,
      retryAt: new Date(Math.min(graceEnd.getTime(), o.now.getTime() + 10_000)),
    });
  }
  return order;
}

export function decide(o: Observation): Action {
  const { resource, secret, now } = o;
  const { spec, status = {} } = resource;
  const targetId = targetCertificateId(resource);
  const requested = renewRequest(resource, now);

  // Two resources writing one Secret would overwrite each other: the first one keeps it.
  if (o.secretNameOwner) {
    return fail({
      reason: "DuplicateSecretName",
      message: `DnsimpleCertificate ${o.secretNameOwner} already writes Secret ${spec.secretName}: choose another secretName`,
    });
  }

  // A failure of a call made in this reconcile ends it.
  if (o.failure) return fail(o.failure);

  // 0. The Secret already serves the spec with a certificate status does not name (status was
  //    lost, or the spec came back to what the Secret holds): take that one, order nothing.
  if (
    !isAdopting(resource) &&
    secret.certificateId !== undefined &&
    secret.certificateId !== targetId &&
    secret.certificateId !== status.renewedCertificateId &&
    secretShortfall(spec, secret, undefined, now) === undefined
  ) {
    return {
      kind: "adoptCertificate",
      certificateId: secret.certificateId,
      source: "SecretKept",
      why: "the Secret already holds a valid certificate for this spec",
    };
  }

  // 1. Serving: no DNSimple call at all, unless it is time to renew.
  if (targetId !== undefined && secretShortfall(spec, secret, targetId, now) === undefined) {
    if (!secret.metadataCurrent) return { kind: "refreshSecretMetadata" };
    const renewAt = renewalTime(spec, secret.notBefore, secret.notAfter);
    const operatorRenews = !spec.autoRenew && !isAdopting(resource);
    const dueByTime = operatorRenews && renewAt !== undefined && now >= renewAt;
    const autoRenewCheckDue =
      spec.autoRenew &&
      ((renewAt !== undefined && now >= renewAt) ||
        !o.lastAutoRenewCheck ||
        now.getTime() - o.lastAutoRenewCheck.getTime() >= o.resyncIntervalMs * 0.9);
    const renewNow = requested !== undefined || (dueByTime && !inFailureBackoff(o));
    if (renewNow || (autoRenewCheckDue && !o.autoRenewalSearch)) {
      if (!o.credentials) return { kind: "resolveCredentials" };
      if (o.credentials.kind === "failed") return fail(o.credentials.failure);
    }
    if (renewNow) {
      return orderStep(o, {
        kind: "order",
        why: requested
          ? `renewal requested (${RENEW_AT_ANNOTATION}: ${requested})`
          : "renewal time reached",
        // DNSimple renews only certificates without auto-renewal; those get a new order.
        ...(spec.autoRenew ? {} : { renewalOf: targetId }),
        ...(requested ? { requested } : {}),
      });
    }
    if (dueByTime) {
      // A renewal failed and its backoff runs: wait, keeping the failure in status (`ready`
      // would clear it, and the backoff would never grow).
      const end = failureBackoffEnd(o, false);
      if (end) return { kind: "backoff", until: end };
    }
    if (autoRenewCheckDue) {
      if (!o.autoRenewalSearch) {
        return {
          kind: "findAutoRenewal",
          ...(secret.notAfter ? { expiringAfter: secret.notAfter } : {}),
        };
      }
      const found = o.autoRenewalSearch.found;
      if (
        found &&
        found.id !== targetId &&
        (!secret.notAfter || (found.expiresAt ?? now) > secret.notAfter)
      ) {
        return {
          kind: "adoptCertificate",
          certificateId: found.id,
          source: "AutoRenewalFound",
          why: "DNSimple renewed it on its own (auto-renewal)",
          replaces: targetId,
        };
      }
    }
    return { kind: "ready", requeueAt: nextCheck(o, renewAt) };
  }

  // 3. Everything below talks to DNSimple: not while the last failure's backoff runs (resyncs
  //    and Secret events must not turn a long backoff into a retry every few minutes), unless
  //    the spec changed or the user asked.
  if (!o.credentials) {
    const end = failureBackoffEnd(o, lastFailurePermanent(o));
    const specUnchanged = status.observedGeneration === resource.metadata.generation;
    if (end && now < end && specUnchanged && !requested) return { kind: "backoff", until: end };
    return { kind: "resolveCredentials" };
  }
  if (o.credentials.kind === "failed") return fail(o.credentials.failure);

  // 4. No certificate yet: recover a lost order, or order.
  if (targetId === undefined) {
    return orderStep(o, {
      kind: "order",
      why: "no certificate has been ordered for this resource",
    });
  }

  // 5. Learn the certificate's state.
  if (!o.remote) return { kind: "fetchCertificate", certificateId: targetId };
  if (o.remote.kind === "failed") {
    // Not in spec.domain: the domain changed since it was ordered (DNSimple's 404 is final).
    if (o.remote.failure.reason === "CertificateNotFound" && !isAdopting(resource)) {
      return orderStep(o, {
        kind: "order",
        why: `the spec changed: certificate ${targetId} is not in domain ${spec.domain}`,
        ...(requested ? { requested } : {}),
      });
    }
    return fail(o.remote.failure);
  }
  const remote = o.remote.certificate;

  if (!remoteMatchesSpec(spec, remote)) {
    if (isAdopting(resource)) {
      return fail({
        reason: "CertificateMismatch",
        message: `DNSimple certificate ${remote.id} is for ${describeRemote(remote)}, which does not match spec.name ${JSON.stringify(spec.name)} and spec.alternateNames ${JSON.stringify(spec.alternateNames ?? [])}: fix the spec or spec.certificateId`,
      });
    }
    // The spec changed since this certificate was ordered: order one that fits. The Secret
    // keeps serving the old certificate until the new one is verified.
    return orderStep(o, {
      kind: "order",
      why: `the spec changed: certificate ${remote.id} is for ${describeRemote(remote)}`,
    });
  }

  // 6. Drive it to issued, then download, verify and write.
  if (remote.state === "new") return { kind: "issue", certificateId: remote.id };
  if (DEAD_STATES.has(remote.state)) {
    const failure: Failure = {
      reason: status.renewalId ? "RenewalFailed" : "IssuanceFailed",
      message: `DNSimple reports certificate ${remote.id} as ${remote.state}`,
    };
    // A failed renewal: the Secret still holds the previous certificate; retry with backoff.
    if (status.renewalId && status.renewedCertificateId !== undefined) {
      return {
        kind: "abandonRenewal",
        failure: {
          ...failure,
          message: `${failure.message}; the Secret keeps certificate ${status.renewedCertificateId} and the renewal is retried`,
        },
      };
    }
    if (requested) {
      return orderStep(o, {
        kind: "order",
        why: `renewal requested (${RENEW_AT_ANNOTATION}: ${requested})`,
        requested,
      });
    }
    // Any change of the spec since the failure (a new generation) is a request to try again.
    if (status.observedGeneration !== resource.metadata.generation && !isAdopting(resource)) {
      return orderStep(o, {
        kind: "order",
        why: `the spec changed after certificate ${remote.id} ended ${remote.state}`,
      });
    }
    return fail({
      ...failure,
      message: `${failure.message}; change the spec or set the ${RENEW_AT_ANNOTATION} annotation to order again`,
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
  if (o.download.kind === "failed") {
    // DNSimple no longer has the key (428): only the user may ask for a new certificate.
    if (
      requested &&
      o.download.failure.reason === "PrivateKeyUnavailable" &&
      !isAdopting(resource)
    ) {
      return orderStep(o, {
        kind: "order",
        why: `renewal requested (${RENEW_AT_ANNOTATION}: ${requested})`,
        requested,
      });
    }
    return fail(o.download.failure);
  }
  // DNSimple's record does not say the key type; the downloaded certificate does.
  if (o.download.keyAlgorithm !== spec.signatureAlgorithm) {
    const why = `certificate ${remote.id} has a ${o.download.keyAlgorithm ?? "unknown"} key, the spec asks for ${spec.signatureAlgorithm}`;
    if (isAdopting(resource)) {
      return fail({
        reason: "CertificateMismatch",
        message: `${why}: fix spec.signatureAlgorithm or spec.certificateId`,
      });
    }
    return orderStep(o, { kind: "order", why: `the spec changed: ${why}` });
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
 * The next time a serving resource needs a look: its renewal time (exactly), a future renew-at
 * annotation, or its expiry; never in the past (no hot loop).
 */
function nextCheck(o: Observation, renewAt: Date | undefined): Date {
  const { now, resource, secret } = o;
  const times: (Date | undefined)[] = [secret.notAfter];
  if (renewAt && renewAt > now) times.push(renewAt);
  const annotated = resource.metadata.annotations?.[RENEW_AT_ANNOTATION];
  if (annotated && annotated !== resource.status?.renewRequestHandled) {
    const at = Date.parse(annotated);
    if (!Number.isNaN(at)) times.push(new Date(at));
  }
  // autoRenew: the periodic resync brings the next look, for every resource of a domain at
  // once, so they share one list call. (A due renewal in its failure backoff never gets here:
  // it is a `backoff` until then.)
  const future = times.filter((t): t is Date => t !== undefined && t > now);
  future.sort((a, b) => a.getTime() - b.getTime());
  return future[0] ?? new Date(now.getTime() + 3_600_000);
}
