// Serving: the Secret holds the target certificate for the current spec. Nothing to do and no
// DNSimple call, until the Secret's metadata is stale, renewal time comes (the operator's
// renewal), the user asks (renew-at), or DNSimple may have renewed it on its own (autoRenew).
import { RENEW_AT_ANNOTATION } from "../../api/v1alpha1.ts";
import type { Action } from "../actions.ts";
import { failureBackoffEnd, inFailureBackoff } from "../failure-policy.ts";
import { pendingRenewRequestTime } from "../spec-rules.ts";
import { renewalTime } from "../timing.ts";
import { autoRenewalPickup, type PickupVerdict } from "./auto-renewal-pickup.ts";
import { type Check, firstAction } from "./chain.ts";
import { credentialsMissing } from "./credentials-check.ts";
import type { DecisionInput } from "./input.ts";
import { orderOrRecover } from "./ordering.ts";
import { outputsStale, outputsUnavailable, servingOutputsUnchecked } from "./outputs.ts";

interface ServingInput extends DecisionInput {
  /** When the Secret's certificate is due for renewal. */
  readonly renewAt: Date | undefined;
  /** The operator renews this one (no autoRenew, not adopting) and its time has come. */
  readonly dueByTime: boolean;
  /** autoRenew: time to look in DNSimple's list for a renewal it made on its own. */
  readonly autoRenewCheckDue: boolean;
  /** autoRenew and not yet: when the pickup rule's answer changes by time alone. */
  readonly autoRenewNextAt: Date | undefined;
  /** Order a renewal in this pass: asked for, or due and not in a failure's backoff. */
  readonly renewNow: boolean;
}

/** The order of the checks is the order of precedence. */
const SERVING_CHAIN: readonly Check<ServingInput>[] = [
  servingOutputsUnchecked,
  outputsUnavailable,
  metadataStale,
  outputsStale,
  credentialsBeforeCall,
  renewalDue,
  renewalBackingOff,
  autoRenewalUnchecked,
  autoRenewalFound,
];

/** The next action while the Secret serves the spec. */
export function decideServing(input: DecisionInput): Action {
  const serving = servingInput(input);
  return (
    firstAction(serving, SERVING_CHAIN) ?? {
      kind: "ready",
      requeueAt: nextCheck(serving),
    }
  );
}

function servingInput(input: DecisionInput): ServingInput {
  const { observation, spec, adopting, requested, floorAt } = input;
  const { now, secret } = observation;
  const renewAt = renewalTime(spec, secret.notBefore, secret.notAfter, floorAt);
  const reached = renewAt !== undefined && now >= renewAt;
  const dueByTime = !spec.autoRenew && !adopting && reached;
  const pickup = spec.autoRenew ? pickupOf(observation, observation.lastAutoRenewCheck) : NO_LOOK;
  // Looked in this pass: the next look is an interval from now.
  const next =
    spec.autoRenew && observation.autoRenewalSearch ? pickupOf(observation, now) : pickup;
  return {
    ...input,
    renewAt,
    dueByTime,
    autoRenewCheckDue: pickup.look,
    autoRenewNextAt: next.look ? undefined : next.nextAt,
    renewNow: requested !== undefined || (dueByTime && !inFailureBackoff(observation)),
  };
}

const NO_LOOK: PickupVerdict = { look: false };

/** The pickup rule (decide/auto-renewal-pickup.ts) for this resource's Secret. */
function pickupOf(
  observation: DecisionInput["observation"],
  lastLook: Date | undefined,
): PickupVerdict {
  return autoRenewalPickup({
    now: observation.now,
    notAfter: observation.secret.notAfter,
    lastLook,
    startedAt: observation.startedAt ?? new Date(0),
    hintAt: observation.autoRenewalHintAt,
    settings: observation.autoRenewalPickup,
  });
}

/** The Secret's labels, annotations or owner are not what the operator writes now. */
function metadataStale(input: ServingInput): Action | undefined {
  return input.observation.secret.metadataCurrent ? undefined : { kind: "refreshSecret" };
}

/** A DNSimple call is coming (a renewal, a look for an auto-renewal): credentials first. */
function credentialsBeforeCall(input: ServingInput): Action | undefined {
  const calling =
    input.renewNow || (input.autoRenewCheckDue && !input.observation.autoRenewalSearch);
  return calling ? credentialsMissing(input.observation) : undefined;
}

/** Renewal time reached or renewal asked for: order (DNSimple renews only non-auto certificates). */
function renewalDue(input: ServingInput): Action | undefined {
  if (!input.renewNow) return undefined;
  const { requested, spec, targetId } = input;
  return orderOrRecover(input, {
    kind: "order",
    why: requested
      ? `renewal requested (${RENEW_AT_ANNOTATION}: ${requested})`
      : "renewal time reached",
    ...(spec.autoRenew ? {} : { renewalOf: targetId }),
    ...(requested ? { requested } : {}),
  });
}

/**
 * A due renewal failed and its backoff runs: wait, keeping the failure in status (`ready`
 * would clear it, and the backoff would never grow).
 */
function renewalBackingOff(input: ServingInput): Action | undefined {
  if (!input.dueByTime) return undefined;
  const end = failureBackoffEnd(input.observation, false);
  return end ? { kind: "backoff", until: end } : undefined;
}

/** autoRenew and time to look: list the domain's certificates for a newer one. */
function autoRenewalUnchecked(input: ServingInput): Action | undefined {
  if (!input.autoRenewCheckDue || input.observation.autoRenewalSearch) return undefined;
  const { notAfter } = input.observation.secret;
  return { kind: "findAutoRenewal", ...(notAfter ? { expiringAfter: notAfter } : {}) };
}

/** DNSimple renewed it on its own: take the certificate that expires later. */
function autoRenewalFound(input: ServingInput): Action | undefined {
  const found = input.observation.autoRenewalSearch?.found;
  if (!input.autoRenewCheckDue || !found || found.id === input.targetId) return undefined;
  const { notAfter } = input.observation.secret;
  if (notAfter && (found.expiresAt ?? input.observation.now) <= notAfter) return undefined;
  return {
    kind: "adoptCertificate",
    certificateId: found.id,
    source: "AutoRenewalFound",
    why: "DNSimple renewed it on its own (auto-renewal)",
    replaces: input.targetId,
  };
}

/**
 * The next time a serving resource needs a look: its renewal time (exactly), a future renew-at
 * annotation, its expiry, or (autoRenew) when the pickup rule next changes its answer: the
 * window's opening, the next interval; never in the past (no hot loop). Resources of a domain
 * looking within one interval share one list call (domain-certificates.ts). (A due renewal in
 * its failure backoff never gets here: it is a `backoff` until then.)
 */
function nextCheck(input: ServingInput): Date {
  const { now, resource, secret } = input.observation;
  const asked = pendingRenewRequestTime(resource);
  // A request under the renewal floor is looked at again when the floor passes.
  const askedAt = asked && input.floorAt && asked < input.floorAt ? input.floorAt : asked;
  const times = [secret.notAfter, input.renewAt, askedAt, input.autoRenewNextAt];
  const future = times.filter((t): t is Date => t !== undefined && t > now);
  future.sort((a, b) => a.getTime() - b.getTime());
  return future[0] ?? new Date(now.getTime() + 3_600_000);
}
