// The status a reconcile leaves behind, as a pure function of what it observed and where it
// stopped (decide's last action), plus how long to wait before the next look.
import type { Condition, DnsimpleCertificateStatus } from "../api/v1alpha1.ts";
import { formatDuration } from "../time/duration.ts";
import { type Action, isAdopting, secretShortfall } from "./decide.ts";
import type { Observation } from "./observation.ts";
import { expiringTime, failureBackoffMs, renewalTime } from "./timing.ts";

/** The actions a reconcile stops at; every other action is performed and decide is asked again. */
export type FinalAction = Extract<Action, { kind: "ready" | "poll" | "fail" | "backoff" }>;

export function isFinal(action: Action): action is FinalAction {
  return (
    action.kind === "ready" ||
    action.kind === "poll" ||
    action.kind === "fail" ||
    action.kind === "backoff"
  );
}

/** Sets a condition, keeping lastTransitionTime when its status does not change (metav1). */
export function setCondition(
  conditions: Condition[],
  next: Omit<Condition, "lastTransitionTime">,
  now: Date,
): Condition[] {
  const previous = conditions.find((c) => c.type === next.type);
  const lastTransitionTime =
    previous && previous.status === next.status ? previous.lastTransitionTime : now.toISOString();
  return [...conditions.filter((c) => c.type !== next.type), { ...next, lastTransitionTime }];
}

function withoutCondition(conditions: Condition[], type: Condition["type"]): Condition[] {
  return conditions.filter((c) => c.type !== type);
}

export interface StatusOutcome {
  status: DnsimpleCertificateStatus;
  requeueAfterMs: number;
}

/** The Ready condition: True while the Secret serves the spec (and is not about to expire). */
function readyCondition(
  o: Observation,
  status: DnsimpleCertificateStatus,
  otherwise: { reason: string; message: string },
): Omit<Condition, "lastTransitionTime"> {
  const { resource, secret, now } = o;
  const generation = resource.metadata.generation;
  const serves = secretShortfall(resource.spec, secret, undefined, now) === undefined;
  if (!serves) {
    const expired = secret.exists && secret.notAfter !== undefined && secret.notAfter <= now;
    return {
      type: "Ready",
      status: "False",
      reason: expired ? "Expired" : otherwise.reason,
      message: expired
        ? `The certificate in Secret ${resource.spec.secretName} expired at ${secret.notAfter?.toISOString()}: ${otherwise.message}`
        : otherwise.message,
      observedGeneration: generation,
    };
  }
  const renewAt = renewalTime(resource.spec, secret.notBefore, secret.notAfter);
  if (renewAt && secret.notAfter && now >= expiringTime(renewAt, secret.notAfter)) {
    return {
      type: "Ready",
      status: "False",
      reason: "Expiring",
      message: `The certificate in Secret ${resource.spec.secretName} expires at ${secret.notAfter.toISOString()} and has not been renewed yet${otherwise.reason === "Ready" ? "" : `: ${otherwise.message}`}`,
      observedGeneration: generation,
    };
  }
  return {
    type: "Ready",
    status: "True",
    reason: "Ready",
    message: `Secret ${resource.spec.secretName} holds certificate ${secret.certificateId ?? status.certificateId ?? ""} for ${(secret.dnsNames ?? []).join(", ")}, valid until ${secret.notAfter?.toISOString()}`,
    observedGeneration: generation,
  };
}

export function statusFor(o: Observation, action: FinalAction): StatusOutcome {
  const { resource, secret, now } = o;
  // Backing off: what the status says (the last failure) stays true; just wait.
  if (action.kind === "backoff") {
    return {
      status: resource.status ?? {},
      requeueAfterMs: Math.max(1000, action.until.getTime() - now.getTime()),
    };
  }
  const previous = resource.status ?? {};
  const generation = resource.metadata.generation;
  let conditions = previous.conditions ?? [];
  const status: DnsimpleCertificateStatus = { ...previous, observedGeneration: generation };
  // An adopted certificate (spec.certificateId) is the one in flight, as an ordered one is.
  if (isAdopting(resource)) status.certificateId = resource.spec.certificateId;

  // What the Secret holds, whatever else is going on.
  if (secret.usable) {
    status.commonName = secret.commonName;
    status.alternateNames = secret.dnsNames;
    status.notBefore = secret.notBefore?.toISOString();
    status.notAfter = secret.notAfter?.toISOString();
    status.serialNumber = secret.serialNumber;
    status.renewalTime = renewalTime(
      resource.spec,
      secret.notBefore,
      secret.notAfter,
    )?.toISOString();
    if (secret.certificateId !== undefined && secret.certificateId === status.certificateId) {
      // The certificate in flight has landed: a renewal or an adoption is complete.
      delete status.renewalId;
      delete status.renewedCertificateId;
      if (resource.spec.certificateId === secret.certificateId) {
        status.adoptedCertificateId = secret.certificateId;
      }
    }
  }
  if (o.remote?.kind === "found") status.state = o.remote.certificate.state;
  const renewing = status.renewalId !== undefined || status.renewedCertificateId !== undefined;

  let requeueAfterMs: number;
  switch (action.kind) {
    case "ready": {
      conditions = setCondition(
        conditions,
        readyCondition(o, status, { reason: "Ready", message: "" }),
        now,
      );
      conditions = withoutCondition(conditions, "Issuing");
      delete status.lastFailureTime;
      delete status.failedAttempts;
      requeueAfterMs = Math.max(0, action.requeueAt.getTime() - now.getTime());
      break;
    }
    case "poll": {
      const message = `DNSimple is issuing ${renewing ? "the renewal, " : ""}certificate ${action.certificateId} (state ${action.state}); checking again in ${formatDuration(action.requeueAfterMs)}`;
      conditions = setCondition(
        conditions,
        {
          type: "Issuing",
          status: "True",
          reason: renewing ? "Renewing" : "Requesting",
          message,
          observedGeneration: generation,
        },
        now,
      );
      conditions = setCondition(
        conditions,
        readyCondition(o, status, { reason: "Issuing", message }),
        now,
      );
      // DNSimple is issuing: whatever failed before (a lost order answer, a refused request)
      // is over, and its backoff must not hold back the polls and the download.
      delete status.lastFailureTime;
      delete status.failedAttempts;
      requeueAfterMs = action.requeueAfterMs;
      break;
    }
    case "fail": {
      const attempts = (previous.failedAttempts ?? 0) + 1;
      const { failure } = action;
      const backoff = failureBackoffMs(action.permanent, attempts);
      requeueAfterMs = failure.retryAt
        ? Math.max(1000, failure.retryAt.getTime() - now.getTime())
        : backoff;
      const retry = action.permanent
        ? `; retrying in ${formatDuration(requeueAfterMs)} or when the resource changes`
        : `; retrying in ${formatDuration(requeueAfterMs)}`;
      const message = `${failure.message}${retry}`;
      conditions = setCondition(
        conditions,
        readyCondition(o, status, { reason: failure.reason, message }),
        now,
      );
      conditions = setCondition(
        conditions,
        {
          type: "Issuing",
          status: "False",
          reason: failure.reason,
          message,
          observedGeneration: generation,
        },
        now,
      );
      status.failedAttempts = attempts;
      status.lastFailureTime = now.toISOString();
      break;
    }
  }
  status.conditions = conditions.sort((a, b) => a.type.localeCompare(b.type));
  return { status, requeueAfterMs };
}
