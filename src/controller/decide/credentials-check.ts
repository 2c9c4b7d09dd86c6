// Before the first DNSimple call of a pass: the credentials, read and checked once.
import type { Action } from "../actions.ts";
import { fail } from "../failure-policy.ts";
import type { Observation } from "../observation.ts";

/** Credentials not read yet: read them; read and failed: end the pass with why. */
export function credentialsMissing(observation: Observation): Action | undefined {
  if (!observation.credentials) return { kind: "resolveCredentials" };
  if (observation.credentials.kind === "failed") return fail(observation.credentials.failure);
  return undefined;
}
