// How failures are judged: which ones a retry cannot fix by itself (permanent), and how long the
// backoff after the last recorded failure runs. Read from status only, so a restart keeps it.
import type { Action } from "./actions.ts";
import type { Failure, Observation } from "./observation.ts";
import { failureBackoffMs } from "./timing.ts";

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
  // The issuer's answer changes only when the issuer, its policy or the namespace changes, and
  // each of those enqueues the resource at once.
  "IssuerNotSet",
  "IssuerNotFound",
  "NotPermitted",
]);

/** The issuer's refusals: the resource may not use it (for this), whatever its Secret holds. */
const REFUSALS = new Set<Failure["reason"]>(["IssuerNotSet", "IssuerNotFound", "NotPermitted"]);

/**
 * Failures that make Ready False even when the Secret still serves: a refusal (a Secret the
 * resource may not vouch for: a certificate it does not own, a policy that no longer allows it
 * is not Ready), and keystores that cannot be written as the spec asks (no password).
 */
const UNREADY = new Set<Failure["reason"]>([...REFUSALS, "KeystorePasswordNotFound"]);

/** Whether the failure makes Ready False whatever the Secret holds (see UNREADY). */
export function failsReady(failure: Failure): boolean {
  return UNREADY.has(failure.reason);
}

/** Failures that carry their own retry time (the rate-limit reset, the order grace). */
const SELF_TIMED = new Set<string>(["RateLimited", "OrderOutcomeUnknown", "BudgetExhausted"]);

/**
 * A failure that is a wait with its own retry time (the rate-limit reset, a lost order's
 * grace): it neither uses nor grows the backoff of the failure streak.
 */
export function isWait(failure: Failure): boolean {
  return failure.retryAt !== undefined && SELF_TIMED.has(failure.reason);
}

/** The action that ends a pass with this failure. */
export function fail(failure: Failure): Action {
  return { kind: "fail", failure, permanent: PERMANENT.has(failure.reason) };
}

/** Whether the last failure recorded in status was one a retry cannot fix by itself. */
export function lastFailurePermanent(observation: Observation): boolean {
  return (observation.resource.status?.conditions ?? []).some(
    (c) => c.status === "False" && PERMANENT.has(c.reason as Failure["reason"]),
  );
}

/** When the backoff after the last recorded failure ends (undefined: no failure pending). */
export function failureBackoffEnd(observation: Observation, permanent: boolean): Date | undefined {
  const {
    lastFailureTime,
    failedAttempts = 0,
    conditions = [],
  } = observation.resource.status ?? {};
  if (!lastFailureTime || failedAttempts === 0) return undefined;
  if (conditions.some((c) => c.status === "False" && SELF_TIMED.has(c.reason))) return undefined;
  return new Date(Date.parse(lastFailureTime) + failureBackoffMs(permanent, failedAttempts));
}

/** While the last failure's backoff runs, no new renewal is ordered. */
export function inFailureBackoff(observation: Observation): boolean {
  const end = failureBackoffEnd(observation, false);
  return end !== undefined && observation.now < end;
}
