// refreshSecretMetadata: the Secret serves, but its labels, annotations or owner are not what
// the operator writes now (a template changed): apply again with the data it already holds.
import { tlsDataOf } from "../../kube/secrets.ts";
import type { Observation } from "../observation.ts";
import { applySecret } from "./secret-apply.ts";
import type { StepContext, StepResult } from "./step.ts";

/** The refreshSecretMetadata step: the Secret applied again with the data it holds. */
export async function refreshSecretMetadata(
  observation: Observation,
  context: StepContext,
): Promise<StepResult> {
  const { namespace } = observation.resource.metadata;
  const held = tlsDataOf(
    context.ports.secrets.get(namespace, observation.resource.spec.secretName),
  );
  const { secret } = observation;
  const failure = await applySecret(observation, context, held, {
    certificateId: secret.certificateId ?? 0,
    commonName: secret.commonName,
    dnsNames: secret.dnsNames,
    notAfter: secret.notAfter,
  });
  if (failure) return { learned: { failure } };
  return { learned: { secret: { ...secret, metadataCurrent: true } } };
}
