// The next step for one DnsimpleCertificate, as a pure function of what is observed. The
// reconciler carries the step out, makes the next observation from what it learned, and asks
// again, until the answer is to wait (`ready`, `poll`, `fail`, `backoff`). Re-running it at
// any time converges: nothing here depends on an earlier pass except through the resource's
// status and the Secret, and the time of the last look for an auto-renewal, which the
// reconciler keeps in memory (memory.ts says why).
//
// The decision is three ordered chains of small named checks (decide/chain.ts):
//   guards    a situation that ends or short-cuts every pass (below)
//   serving   the Secret holds the target certificate for the current spec (decide/serving.ts)
//   issuing   it does not: order, issue, poll, download, write (decide/issuing.ts)
import { TAKEOVER_ANNOTATION } from "../api/v1alpha1.ts";
import type { Action } from "./actions.ts";
import { budgetGate } from "./decide/budget.ts";
import { type Check, firstAction } from "./decide/chain.ts";
import { type DecisionInput, decisionInput } from "./decide/input.ts";
import { decideIssuing } from "./decide/issuing.ts";
import { ownershipGate } from "./decide/ownership.ts";
import { requestBudgetGate } from "./decide/request-budget.ts";
import { decideServing } from "./decide/serving.ts";
import { fail } from "./failure-policy.ts";
import { secretMismatch, secretShortfall } from "./spec-rules.ts";

const GUARDS: readonly Check<DecisionInput>[] = [
  accessRefused,
  secretNameTaken,
  callFailed,
  secretAlreadyServes,
];

/** A gate may turn the chains' next action into another (a refusal, a wait, a look first). */
type Gate = (input: DecisionInput, next: Action) => Action;

/** Applied in this order to the action the chains chose (each gate sees the last's answer). */
const GATES: readonly Gate[] = [
  ownershipGate,
  secretNameGate,
  sharedSecretGate,
  budgetGate,
  requestBudgetGate,
];

/** The next action for one DnsimpleCertificate, as a pure function of the observation. */
export function decide(observation: DecisionInput["observation"]): Action {
  const input = decisionInput(observation);
  const guarded = firstAction(input, GUARDS);
  const next = guarded ?? (servesTarget(input) ? decideServing(input) : decideIssuing(input));
  return GATES.reduce((action, gate) => gate(input, action), next);
}

/** The issuer refuses the resource (or there is none): nothing is called or bought. */
function accessRefused({ observation }: DecisionInput): Action | undefined {
  const { access } = observation;
  return access.kind === "refused" ? fail(access.failure) : undefined;
}

/**
 * Before a purchase or a Secret write while the cache holds no Secret of that name: the name
 * must be free, or its Secret handed over. A Secret the operator did not make is left as it is,
 * and nothing is bought for it.
 */
function secretNameGate({ observation, spec }: DecisionInput, next: Action): Action {
  if (next.kind !== "order" && next.kind !== "writeSecret") return next;
  if (observation.secret.exists) return next;
  const lookup = observation.secretName;
  if (!lookup) return { kind: "lookUpSecret" };
  if (lookup.kind !== "foreign" || lookup.takeoverAllowed) return next;
  const name = observation.resource.metadata.name;
  return fail({
    reason: "SecretConflict",
    message: `Secret ${spec.secretName} exists and was not made by the operator, so it is left as it is and nothing is ordered: choose another spec.secretName, or have the Secret's owner hand it over with the annotation ${TAKEOVER_ANNOTATION}=${name}`,
  });
}

/**
 * A Secret with the operator's label that the operator never wrote, whose tls.crt or tls.key
 * someone else writes: it is theirs, so it is left as it is, until its owner hands it over.
 */
function sharedSecretGate({ observation, spec }: DecisionInput, next: Action): Action {
  if (next.kind !== "order" && next.kind !== "writeSecret") return next;
  const { otherWriters, takeoverAllowed } = observation.secret;
  if (!otherWriters || takeoverAllowed) return next;
  const name = observation.resource.metadata.name;
  return fail({
    reason: "SecretConflict",
    message: `Secret ${spec.secretName} carries the operator's label but was not written by it (its tls.crt or tls.key is written by ${otherWriters.join(", ")}), so it is left as it is and nothing is ordered: choose another spec.secretName, or have the Secret's owner hand it over with the annotation ${TAKEOVER_ANNOTATION}=${name}`,
  });
}

/**
 * The Secret holds the target certificate for the current spec. Expired or not: an expired one
 * is renewed (or its auto-renewal looked for) as one about to expire is; downloading it again
 * would only fail verification, and the renewal would never come.
 */
function servesTarget({ observation, spec, targetId }: DecisionInput): boolean {
  return targetId !== undefined && secretMismatch(spec, observation.secret, targetId) === undefined;
}

/** Two resources writing one Secret would overwrite each other: the first one keeps it. */
function secretNameTaken({ observation, spec }: DecisionInput): Action | undefined {
  if (!observation.secretNameOwner) return undefined;
  return fail({
    reason: "DuplicateSecretName",
    message: `DnsimpleCertificate ${observation.secretNameOwner} already writes Secret ${spec.secretName}: choose another secretName`,
  });
}

/** A call made in this pass failed: that ends it. */
function callFailed({ observation }: DecisionInput): Action | undefined {
  return observation.failure ? fail(observation.failure) : undefined;
}

/**
 * The Secret already serves the spec with a certificate status does not name (status was lost,
 * or the spec came back to what the Secret holds): take that one, order nothing.
 */
function secretAlreadyServes({ observation, spec, status, adopting, targetId }: DecisionInput) {
  const held = observation.secret.certificateId;
  if (adopting || held === undefined || held === targetId) return undefined;
  if (held === status.renewedCertificateId) return undefined;
  if (secretShortfall(spec, observation.secret, undefined, observation.now) !== undefined)
    return undefined;
  return {
    kind: "adoptCertificate",
    certificateId: held,
    source: "SecretKept",
    why: "the Secret already holds a valid certificate for this spec",
  } satisfies Action;
}
