// Before the first DNSimple call of a pass: the credentials, read and checked once.
import type { Action } from "../actions.ts";
import { fail } from "../failure-policy.ts";
import type { Observation } from "../observation.ts";

/** Credentials not read yet: read them; read and failed: end the pass with why. */
export function credentialsMissing(o: Observation): Action | undefined {
  if (!o.credentials) return { kind: "resolveCredentials" };
  if (o.credentials.kind === "failed") return fail(o.credentials.failure);
  return undefined;
}
