// The next step for one DnsimpleCertificate, as a pure function of what is observed. The
// reconciler carries the step out, makes the next observation from what it learned, and asks
// again, until the answer is to wait (`ready`, `poll`, `fail`, `backoff`). Re-running it at
// any time converges: nothing here depends on an earlier pass except through the resource's
// status and the Secret (and the two facts the observation says come from memory).
//
// The decision is three ordered chains of small named checks (decide/chain.ts):
//   guards    a situation that ends or short-cuts every pass (below)
//   serving   the Secret holds the target certificate for the current spec (decide/serving.ts)
//   issuing   it does not: order, issue, poll, download, write (decide/issuing.ts)
import type { Action } from "./actions.ts";
import { type Check, firstAction } from "./decide/chain.ts";
import { type DecisionInput, decisionInput } from "./decide/input.ts";
import { decideIssuing } from "./decide/issuing.ts";
import { decideServing } from "./decide/serving.ts";
import { fail } from "./failure-policy.ts";
import { secretShortfall } from "./spec-rules.ts";

const GUARDS: readonly Check<DecisionInput>[] = [secretNameTaken, callFailed, secretAlreadyServes];

export function decide(o: DecisionInput["o"]): Action {
  const input = decisionInput(o);
  const guarded = firstAction(input, GUARDS);
  if (guarded) return guarded;
  return servesTarget(input) ? decideServing(input) : decideIssuing(input);
}

/** The Secret holds the target certificate, and it serves the current spec. */
function servesTarget({ o, spec, targetId }: DecisionInput): boolean {
  return targetId !== undefined && secretShortfall(spec, o.secret, targetId, o.now) === undefined;
}

/** Two resources writing one Secret would overwrite each other: the first one keeps it. */
function secretNameTaken({ o, spec }: DecisionInput): Action | undefined {
  if (!o.secretNameOwner) return undefined;
  return fail({
    reason: "DuplicateSecretName",
    message: `DnsimpleCertificate ${o.secretNameOwner} already writes Secret ${spec.secretName}: choose another secretName`,
  });
}

/** A call made in this pass failed: that ends it. */
function callFailed({ o }: DecisionInput): Action | undefined {
  return o.failure ? fail(o.failure) : undefined;
}

/**
 * The Secret already serves the spec with a certificate status does not name (status was lost,
 * or the spec came back to what the Secret holds): take that one, order nothing.
 */
function secretAlreadyServes({ o, spec, status, adopting, targetId }: DecisionInput) {
  const held = o.secret.certificateId;
  if (adopting || held === undefined || held === targetId) return undefined;
  if (held === status.renewedCertificateId) return undefined;
  if (secretShortfall(spec, o.secret, undefined, o.now) !== undefined) return undefined;
  return {
    kind: "adoptCertificate",
    certificateId: held,
    source: "SecretKept",
    why: "the Secret already holds a valid certificate for this spec",
  } satisfies Action;
}
