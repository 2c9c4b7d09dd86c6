// checkOutputs: before the Secret's extra keys are written or judged, read the keystore
// passwords (into the pass's handles) and, when the Secret serves, say whether the extra keys
// it holds are still exactly right for its certificate (secret-outputs.ts).
import { tlsDataOf } from "../../kube/secrets.ts";
import type { Action } from "../actions.ts";
import { readKeystorePasswords } from "../keystore-passwords.ts";
import type { Observation } from "../observation.ts";
import { heldOutputsStale } from "../secret-outputs.ts";
import type { HeldSecret, StepContext, StepResult } from "./step.ts";

export async function checkOutputs(
  observation: Observation,
  action: Extract<Action, { kind: "checkOutputs" }>,
  context: StepContext,
): Promise<StepResult> {
  const read = await readKeystorePasswords(observation.resource, context.ports.secretLookup);
  if (read.kind === "failed") {
    return { learned: { outputs: { kind: "failed", failure: read.failure } } };
  }
  if (!action.judgeHeld || !observation.secret.usable) {
    return { learned: { outputs: { kind: "checked" } }, handles: { passwords: read.passwords } };
  }
  const held = await heldSecret(observation, context);
  const stale = await heldOutputsStale(
    observation.resource.spec,
    held.tls,
    held.extras,
    read.passwords,
  );
  return {
    learned: { outputs: { kind: "checked", ...(stale ? { stale } : {}) } },
    handles: { passwords: read.passwords, held },
  };
}

/**
 * The Secret's certificate and the extra keys the operator wrote, read past the cache: the cache
 * keeps only tls.* (see secret-cache.ts), so keystores do not sit in the operator's memory for
 * every certificate.
 */
async function heldSecret(observation: Observation, context: StepContext): Promise<HeldSecret> {
  const { metadata, spec } = observation.resource;
  const secret = await context.ports.secretLookup.read(metadata.namespace, spec.secretName);
  const extras: Record<string, Buffer> = {};
  for (const key of observation.secret.ownedExtraKeys ?? []) {
    const value = secret?.data?.[key];
    if (value !== undefined) extras[key] = Buffer.from(value, "base64");
  }
  return { resourceVersion: secret?.metadata?.resourceVersion, tls: tlsDataOf(secret), extras };
}
