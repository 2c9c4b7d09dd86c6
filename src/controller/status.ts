// The status a pass leaves behind, as a pure function of what it observed and where it stopped
// (decide's final action), plus how long to wait before the next look.
import type { Condition, DnsimpleCertificate, DnsimpleCertificateStatus } from "../api/v1alpha1.ts";
import { formatDuration } from "../time/duration.ts";
import { renewalFloorAt } from "./access.ts";
import type { FinalAction } from "./actions.ts";
import { failsReady, isWait } from "./failure-policy.ts";
import type { Observation, RemoteCertificate } from "./observation.ts";
import { isAdopting, secretShortfall } from "./spec-rules.ts";
import { expiringTime, failureBackoffMs, renewalTime } from "./timing.ts";
import { recordOf } from "./verified-secret.ts";

/**
 * Sets a condition, keeping lastTransitionTime when its status does not change (metav1). One
 * exception: Issuing leaving reason Queued starts anew. A wait for request budget is not an
 * issuance, and the poll backoff reads the issuance's age from this time (an order queued for
 * a minute would otherwise poll its first 2 s issuance only 15 s later, past its window).
 */
export function setCondition(
  conditions: Condition[],
  next: Omit<Condition, "lastTransitionTime">,
  now: Date,
): Condition[] {
  const previous = conditions.find((c) => c.type === next.type);
  const same =
    previous !== undefined &&
    previous.status === next.status &&
    (previous.reason === QUEUED) === (next.reason === QUEUED);
  const lastTransitionTime = same ? previous.lastTransitionTime : now.toISOString();
  return [...conditions.filter((c) => c.type !== next.type), { ...next, lastTransitionTime }];
}

/** The reason of a resource whose order waits for request budget. */
export const QUEUED = "Queued";

/** The status a pass leaves behind, and when to look again. */
export interface StatusOutcome {
  status: DnsimpleCertificateStatus;
  /** How long to wait before the next look. */
  requeueAfterMs: number;
}

type NewCondition = Omit<Condition, "lastTransitionTime">;

/** What a final action sets on top of the observed facts: conditions, counters, the wait. */
interface Verdict {
  conditions: NewCondition[];
  /** Conditions that no longer apply. */
  removed?: Condition["type"][];
  failedAttempts?: number;
  requeueAfterMs: number;
}

/** The status a pass stopping at `action` leaves behind, and the wait until the next look. */
export function statusFor(observation: Observation, action: FinalAction): StatusOutcome {
  // Backing off: what the status says (the last failure) stays true; just wait.
  if (action.kind === "backoff") {
    return {
      status: observation.resource.status ?? {},
      requeueAfterMs: Math.max(1000, action.until.getTime() - observation.now.getTime()),
    };
  }
  const status = observedStatus(observation);
  if (action.kind === "queued") queueFacts(observation, status, action);
  else delete status.queue;
  const verdict = verdictOf(observation, status, action);
  let conditions = (status.conditions ?? []).filter((c) => !verdict.removed?.includes(c.type));
  for (const condition of verdict.conditions)
    conditions = setCondition(conditions, condition, observation.now);
  status.conditions = conditions.sort((a, b) => a.type.localeCompare(b.type));
  if (verdict.failedAttempts === undefined) {
    delete status.lastFailureTime;
    delete status.failedAttempts;
  } else {
    status.failedAttempts = verdict.failedAttempts;
    status.lastFailureTime = observation.now.toISOString();
  }
  return { status, requeueAfterMs: verdict.requeueAfterMs };
}

function verdictOf(
  observation: Observation,
  status: DnsimpleCertificateStatus,
  action: Exclude<FinalAction, { kind: "backoff" }>,
): Verdict {
  switch (action.kind) {
    case "ready":
      return readyVerdict(observation, status, action);
    case "poll":
      return pollVerdict(observation, status, action);
    case "fail":
      return failVerdict(observation, status, action);
    case "queued":
      return queuedVerdict(observation, status, action);
  }
}

/**
 * The queue entry in status: since the first pass that queued it, and the estimate kept while a
 * new one moved less than the tolerance (a window): a wait costs a status write when it starts
 * and when its prospect really changes, not at every look.
 */
function queueFacts(
  { now }: Observation,
  status: DnsimpleCertificateStatus,
  action: Extract<FinalAction, { kind: "queued" }>,
): void {
  const previous = status.queue?.lane === action.lane ? status.queue : undefined;
  const kept = previous && Math.abs(Date.parse(previous.estimatedAt) - action.estimate.getTime());
  const estimatedAt =
    previous && kept !== undefined && kept < action.toleranceMs
      ? previous.estimatedAt
      : action.estimate.toISOString();
  status.queue = { lane: action.lane, since: previous?.since ?? now.toISOString(), estimatedAt };
}

/**
 * Waiting for request budget: not a failure (no attempt counted, no backoff, no Warning), a
 * wait; the order was decided after any earlier failure's backoff, so that record ends.
 */
function queuedVerdict(
  observation: Observation,
  status: DnsimpleCertificateStatus,
  action: Extract<FinalAction, { kind: "queued" }>,
): Verdict {
  const which = action.lane === "renewal" ? "the renewal" : "the order";
  const behind =
    action.lane === "renewal"
      ? "the certificates already bought and the renewals queued before it"
      : "the certificates already bought, the due renewals and the orders queued before it";
  const message = `${which} (${action.why}) waits for the DNSimple token's request budget, which goes first to ${behind}: expected at about ${status.queue?.estimatedAt}`;
  const generation = observation.resource.metadata.generation;
  return {
    conditions: [
      {
        type: "Issuing",
        status: "True",
        reason: QUEUED,
        message,
        observedGeneration: generation,
      },
      readyCondition(observation, status, { reason: QUEUED, message }),
    ],
    requeueAfterMs: Math.max(1000, action.retryAt.getTime() - observation.now.getTime()),
  };
}

/**
 * The previous status with what this pass observed: the generation, the certificate being
 * adopted, what the Secret holds, the state DNSimple reported.
 */
function observedStatus(observation: Observation): DnsimpleCertificateStatus {
  const { resource } = observation;
  const status: DnsimpleCertificateStatus = {
    ...resource.status,
    observedGeneration: resource.metadata.generation,
  };
  // An adopted certificate (spec.certificateId) is the one in flight, as an ordered one is.
  if (isAdopting(resource)) status.certificateId = resource.spec.certificateId;
  if (observation.secret.usable) Object.assign(status, secretFacts(observation, status));
  const record = recordOf(resource.spec.secretName, observation.secret);
  if (record) status.verifiedSecret = record;
  else delete status.verifiedSecret;
  if (observation.remote?.kind === "found") {
    const { certificate } = observation.remote;
    status.state = certificate.state;
    status.dnsimple = dnsimpleRecord(certificate);
  }
  return status;
}

/** DNSimple's side of the certificate, for `kubectl dnscert status` (no call of its own). */
function dnsimpleRecord(certificate: RemoteCertificate): DnsimpleCertificateStatus["dnsimple"] {
  return {
    certificateId: certificate.id,
    autoRenew: certificate.autoRenew,
    ...(certificate.expiresAt ? { expiresAt: certificate.expiresAt.toISOString() } : {}),
  };
}

/** What the Secret holds; a certificate in flight that has landed ends the renewal or adoption. */
function secretFacts(
  { resource, secret, access }: Observation,
  status: DnsimpleCertificateStatus,
): DnsimpleCertificateStatus {
  const facts: DnsimpleCertificateStatus = {
    commonName: secret.commonName,
    alternateNames: secret.dnsNames,
    notBefore: secret.notBefore?.toISOString(),
    notAfter: secret.notAfter?.toISOString(),
    serialNumber: secret.serialNumber,
    renewalTime: renewalTime(
      resource.spec,
      secret.notBefore,
      secret.notAfter,
      renewalFloorAt(access, secret.notBefore),
    )?.toISOString(),
  };
  if (secret.certificateId === undefined || secret.certificateId !== status.certificateId) {
    return facts;
  }
  const adopted = resource.spec.certificateId === secret.certificateId;
  return {
    ...facts,
    renewalId: undefined,
    renewedCertificateId: undefined,
    ...(adopted ? { adoptedCertificateId: secret.certificateId } : {}),
  };
}

function readyVerdict(
  observation: Observation,
  status: DnsimpleCertificateStatus,
  action: Extract<FinalAction, { kind: "ready" }>,
): Verdict {
  return {
    conditions: [readyCondition(observation, status, { reason: "Ready", message: "" })],
    removed: ["Issuing"],
    requeueAfterMs: Math.max(0, action.requeueAt.getTime() - observation.now.getTime()),
  };
}

/**
 * DNSimple is issuing: whatever failed before (a lost order answer, a refused request) is over,
 * and its backoff must not hold back the polls and the download.
 */
function pollVerdict(
  observation: Observation,
  status: DnsimpleCertificateStatus,
  action: Extract<FinalAction, { kind: "poll" }>,
): Verdict {
  const renewing = status.renewalId !== undefined || status.renewedCertificateId !== undefined;
  const message = `DNSimple is issuing ${renewing ? "the renewal, " : ""}certificate ${action.certificateId} (state ${action.state}); checking again in ${formatDuration(action.requeueAfterMs)}`;
  const generation = observation.resource.metadata.generation;
  return {
    conditions: [
      {
        type: "Issuing",
        status: "True",
        reason: renewing ? "Renewing" : "Requesting",
        message,
        observedGeneration: generation,
      },
      readyCondition(observation, status, { reason: "Issuing", message }),
    ],
    requeueAfterMs: action.requeueAfterMs,
  };
}

function failVerdict(
  observation: Observation,
  status: DnsimpleCertificateStatus,
  action: Extract<FinalAction, { kind: "fail" }>,
): Verdict {
  const previous = observation.resource.status?.failedAttempts ?? 0;
  // A wait (see isWait) is not another failed attempt: it must not lengthen the backoff of the
  // real failure that may follow it.
  const attempts = isWait(action.failure) ? Math.max(1, previous) : previous + 1;
  const { failure, permanent } = action;
  const requeueAfterMs = failure.retryAt
    ? Math.max(1000, failure.retryAt.getTime() - observation.now.getTime())
    : failureBackoffMs(permanent, attempts);
  const when = `retrying in ${formatDuration(requeueAfterMs)}`;
  const message = `${failure.message}; ${permanent ? `${when} or when the resource changes` : when}`;
  const generation = observation.resource.metadata.generation;
  const ready: NewCondition = failsReady(failure)
    ? {
        type: "Ready",
        status: "False",
        reason: failure.reason,
        message,
        observedGeneration: generation,
      }
    : readyCondition(observation, status, { reason: failure.reason, message });
  return {
    conditions: [
      ready,
      {
        type: "Issuing",
        status: "False",
        reason: failure.reason,
        message,
        observedGeneration: observation.resource.metadata.generation,
      },
    ],
    failedAttempts: attempts,
    requeueAfterMs,
  };
}

/** After an expiry, what is being done about it: the step's message, or whose renewal it awaits. */
function expiredWhy(
  resource: DnsimpleCertificate,
  otherwise: { reason: string; message: string },
): string {
  if (otherwise.reason !== "Ready") return `: ${otherwise.message}`;
  if (!resource.spec.autoRenew) return "";
  return ": DNSimple has not renewed it (spec.autoRenew: the operator takes DNSimple's renewal and orders none; look at the certificate's auto-renewal in DNSimple, or set autoRenew: false to have the operator renew it)";
}

/** The Ready condition: True while the Secret serves the spec (and is not about to expire). */
function readyCondition(
  observation: Observation,
  status: DnsimpleCertificateStatus,
  otherwise: { reason: string; message: string },
): NewCondition {
  const { resource, secret, now } = observation;
  const observedGeneration = resource.metadata.generation;
  const { secretName } = resource.spec;
  if (secretShortfall(resource.spec, secret, undefined, now) !== undefined) {
    const expired = secret.exists && secret.notAfter !== undefined && secret.notAfter <= now;
    if (!expired) return { type: "Ready", status: "False", ...otherwise, observedGeneration };
    const message = `The certificate in Secret ${secretName} expired at ${secret.notAfter?.toISOString()}${expiredWhy(resource, otherwise)}`;
    return { type: "Ready", status: "False", reason: "Expired", message, observedGeneration };
  }
  const floorAt = renewalFloorAt(observation.access, secret.notBefore);
  const renewAt = renewalTime(resource.spec, secret.notBefore, secret.notAfter, floorAt);
  if (renewAt && secret.notAfter && now >= expiringTime(renewAt, secret.notAfter)) {
    const why = otherwise.reason === "Ready" ? "" : `: ${otherwise.message}`;
    const message = `The certificate in Secret ${secretName} expires at ${secret.notAfter.toISOString()} and has not been renewed yet${why}`;
    return { type: "Ready", status: "False", reason: "Expiring", message, observedGeneration };
  }
  const message = `Secret ${secretName} holds certificate ${secret.certificateId ?? status.certificateId ?? ""} for ${(secret.dnsNames ?? []).join(", ")}, valid until ${secret.notAfter?.toISOString()}`;
  return { type: "Ready", status: "True", reason: "Ready", message, observedGeneration };
}
