// lookUpSecret: before buying or writing, whether a Secret the operator did not make holds the
// name (the cache holds only the operator's labelled Secrets, so it cannot say).
import { KubeApiError } from "../../kube/errors.ts";
import type { Observation } from "../observation.ts";
import { secretNameLookupOf } from "../selection.ts";
import type { StepContext, StepResult } from "./step.ts";

export async function lookUpSecret(
  observation: Observation,
  context: StepContext,
): Promise<StepResult> {
  const { metadata, spec } = observation.resource;
  try {
    const secret = await context.ports.secretLookup.read(metadata.namespace, spec.secretName);
    return { learned: { secretName: secretNameLookupOf(secret, metadata.name) } };
  } catch (err) {
    if (!(err instanceof KubeApiError)) throw err;
    const message = `${err.message}. The operator reads a Secret before it writes one: check its RBAC (get on Secrets)`;
    return { learned: { failure: { reason: "SecretWriteFailed", message } } };
  }
}
