// The status a reconcile leaves behind, as a pure function of what it observed and where it
// stopped (decide's last action), plus how long to wait before the next look.
import type { Condition, DnsimpleCertificateStatus } from "../api/v1alpha1.ts";
import { formatDuration } from "../time/duration.ts";
import type { Action } from "./decide.ts";
import type { Observation } from "./observation.ts";
import { renewalTime } from "./timing.ts";

/** The actions a reconcile stops at; every other action is performed and decide is asked again. */
export type FinalAction = Extract<Action, { kind: "ready" | "poll" | "fail" }>;

/** Backoff after failures: transient ones retry soon, permanent ones (401, 404, 412, 400) rarely. */
export function failureBackoffMs(permanent: boolean, attempts: number): number {
  const n = Math.max(1, attempts);
  return permanent
    ? Math.min(12 * 3_600_000, 15 * 60_000 * 2 ** (n - 1))
    : Math.min(5 * 60_000, 5_000 * 2 ** (n - 1));
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

export function statusFor(o: Observation, action: FinalAction): StatusOutcome {
  const { resource, secret, now } = o;
  const previous = resource.status ?? {};
  const generation = resource.metadata.generation;
  let conditions = previous.conditions ?? [];
  const status: DnsimpleCertificateStatus = { ...previous, observedGeneration: generation };
  // An adopted certificate (spec.certificateId) is the one in flight, as an ordered one is.
  if (resource.spec.certificateId !== undefined) status.certificateId = resource.spec.certificateId;

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
  }
  if (o.remote?.kind === "found") status.state = o.remote.certificate.state;

  let requeueAfterMs: number;
  switch (action.kind) {
    case "ready": {
      conditions = setCondition(
        conditions,
        {
          type: "Ready",
          status: "True",
          reason: "Ready",
          message: `Secret ${resource.spec.secretName} holds certificate ${status.certificateId ?? ""} for ${(secret.dnsNames ?? []).join(", ")}, valid until ${status.notAfter}`,
          observedGeneration: generation,
        },
        now,
      );
      conditions = withoutCondition(conditions, "Issuing");
      delete status.lastFailureTime;
      delete status.failedAttempts;
      requeueAfterMs = Math.max(0, action.requeueAt.getTime() - now.getTime());
      break;
    }
    case "poll": {
      const message = `DNSimple is issuing certificate ${action.certificateId} (state ${action.state}); checking again in ${formatDuration(action.requeueAfterMs)}`;
      conditions = setCondition(
        conditions,
        {
          type: "Issuing",
          status: "True",
          reason: "Requesting",
          message,
          observedGeneration: generation,
        },
        now,
      );
      conditions = setCondition(
        conditions,
        {
          type: "Ready",
          status: "False",
          reason: "Issuing",
          message,
          observedGeneration: generation,
        },
        now,
      );
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
      conditions = setCondition(
        conditions,
        {
          type: "Ready",
          status: "False",
          reason: failure.reason,
          message: `${failure.message}${retry}`,
          observedGeneration: generation,
        },
        now,
      );
      if (conditions.some((c) => c.type === "Issuing")) {
        conditions = setCondition(
          conditions,
          {
            type: "Issuing",
            status: "False",
            reason: failure.reason,
            message: failure.message,
            observedGeneration: generation,
          },
          now,
        );
      }
      status.failedAttempts = attempts;
      status.lastFailureTime = now.toISOString();
      break;
    }
  }
  status.conditions = conditions.sort((a, b) => a.type.localeCompare(b.type));
  return { status, requeueAfterMs };
}
