// The Secret's extra keys (spec.additionalOutputFormats, spec.keystores) in the decision: read
// the keystore passwords and judge the held keys before anything is written, fail when the
// passwords cannot be read, rewrite when the held keys are not right. A resource that asks for
// no extra key, and whose Secret holds none the operator wrote, never gets here (no call).
import type { Action } from "../actions.ts";
import { fail } from "../failure-policy.ts";
import { wantsOutputs } from "../secret-outputs.ts";
import type { DecisionInput } from "./input.ts";

/** Serving: the spec asks for extra keys, or the Secret holds some the operator wrote. */
export function servingOutputsUnchecked({ observation, spec }: DecisionInput): Action | undefined {
  if (observation.outputs) return undefined;
  const held = (observation.secret.ownedExtraKeys ?? []).length > 0;
  return wantsOutputs(spec) || held ? { kind: "checkOutputs", judgeHeld: true } : undefined;
}

/** Issuing, before the download: the extra keys will be built, so the passwords come first. */
export function issuingOutputsUnchecked({ observation, spec }: DecisionInput): Action | undefined {
  return !observation.outputs && wantsOutputs(spec)
    ? { kind: "checkOutputs", judgeHeld: false }
    : undefined;
}

/** A keystore password cannot be read: nothing with keystores is written. */
export function outputsUnavailable({ observation }: DecisionInput): Action | undefined {
  const { outputs } = observation;
  return outputs?.kind === "failed" ? fail(outputs.failure) : undefined;
}

/** The extra keys the Secret holds are not right for its certificate: write them again. */
export function outputsStale({ observation }: DecisionInput): Action | undefined {
  const { outputs } = observation;
  return outputs?.kind === "checked" && outputs.stale ? { kind: "refreshSecret" } : undefined;
}
