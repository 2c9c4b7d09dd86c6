// refreshSecret: the Secret serves, but its labels, annotations or owner are not what the
// operator writes now (a template changed), or its extra keys are not (a format asked for or
// dropped, a password changed): apply again with the certificate it already holds. Extra keys
// found right are written back byte for byte (a keystore built again would differ: its salt).
import type { TlsSecretData } from "../../certs/bundle.ts";
import { tlsDataOf } from "../../kube/secrets.ts";
import type { Failure, Observation, SecretVerification } from "../observation.ts";
import { buildOutputs, OutputCheckError, wantsOutputs } from "../secret-outputs.ts";
import { applySecret } from "./secret-apply.ts";
import type { EventNote, StepContext, StepResult } from "./step.ts";

/** The refreshSecret step: the Secret applied again with the data it holds. */
export async function refreshSecret(
  observation: Observation,
  context: StepContext,
): Promise<StepResult> {
  const { namespace } = observation.resource.metadata;
  // What checkOutputs read and judged, when the extra keys are in play; else the cache's.
  const cached = tlsDataOf(
    context.ports.secrets.get(namespace, observation.resource.spec.secretName),
  );
  const held = context.held?.tls ?? cached;
  const extra = await extraKeys(observation, context, held);
  if ("failure" in extra) return { learned: { failure: extra.failure } };
  const { secret } = observation;
  const applied = await applySecret(
    observation,
    context,
    held,
    {
      certificateId: secret.certificateId ?? 0,
      commonName: secret.commonName,
      dnsNames: secret.dnsNames,
      notAfter: secret.notAfter,
    },
    extra.keys,
  );
  if ("failure" in applied) return { learned: { failure: applied.failure } };
  const owned = Object.keys(extra.keys);
  return {
    learned: {
      secret: {
        ...secret,
        verified: rewrittenCheck(secret.verified, applied.resourceVersion, held, cached),
        metadataCurrent: true,
        ownedExtraKeys: owned.length > 0 ? owned : undefined,
      },
      outputs: { kind: "checked" },
    },
    ...(extra.rebuilt ? { event: rebuiltEvent(observation, extra.keys, extra.rebuilt) } : {}),
  };
}

/**
 * The check of the data written again, at its new version: it still holds when that data is
 * the data the cache held (and the observation judged); read past the cache, it may not be.
 */
function rewrittenCheck(
  verified: SecretVerification | undefined,
  resourceVersion: string | undefined,
  held: TlsSecretData,
  cached: TlsSecretData,
): SecretVerification | undefined {
  if (!verified || resourceVersion === undefined) return undefined;
  const same =
    held.tlsCrt === cached.tlsCrt && held.tlsKey === cached.tlsKey && held.caCrt === cached.caCrt;
  return same ? { resourceVersion, validity: verified.validity } : undefined;
}

interface ExtraKeys {
  keys: Readonly<Record<string, Buffer>>;
  /** Why they were built again (undefined: the held ones are written back). */
  rebuilt?: string;
}

/** The held extra keys when they are right, else built again from the held certificate. */
async function extraKeys(
  observation: Observation,
  context: StepContext,
  held: TlsSecretData,
): Promise<ExtraKeys | { failure: Failure }> {
  const { outputs, resource } = observation;
  const owned = observation.secret.ownedExtraKeys ?? [];
  if (!wantsOutputs(resource.spec) && owned.length === 0) return { keys: {} };
  if (outputs?.kind !== "checked") throw new Error("refreshSecret before checkOutputs");
  if (!outputs.stale) return { keys: context.held?.extras ?? {} };
  try {
    const keys = await buildOutputs(resource.spec, held, context.passwords ?? {});
    return { keys, rebuilt: outputs.stale };
  } catch (err) {
    if (!(err instanceof OutputCheckError)) throw err;
    const message = `The Secret's certificate is valid, but its ${err.message}, so the Secret was not changed`;
    return { failure: { reason: "InvalidCertificateData", message } };
  }
}

function rebuiltEvent(
  observation: Observation,
  keys: Readonly<Record<string, Buffer>>,
  why: string,
): EventNote {
  const { secretName } = observation.resource.spec;
  const written = Object.keys(keys);
  const message =
    written.length > 0
      ? `Wrote ${written.join(", ")} to Secret ${secretName} from the certificate it holds (${why})`
      : `Removed the extra keys from Secret ${secretName} (${why})`;
  return { type: "Normal", reason: "OutputsWritten", message };
}
