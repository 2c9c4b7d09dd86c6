// writeSecret: the verified bundle into the Secret, with the extra keys the spec asks for built
// from it (each read back and compared first); the Secret then serves the certificate.
import type { TlsSecretData } from "../../certs/bundle.ts";
import type { Action } from "../actions.ts";
import type { Failure, Observation } from "../observation.ts";
import { buildOutputs, OutputCheckError } from "../secret-outputs.ts";
import { applySecret } from "./secret-apply.ts";
import type { StepContext, StepResult } from "./step.ts";

/** The writeSecret step: the verified bundle into the Secret, learned as the Secret's state. */
export async function writeSecret(
  observation: Observation,
  action: Extract<Action, { kind: "writeSecret" }>,
  context: StepContext,
): Promise<StepResult> {
  const { bundle } = context;
  const { download } = observation;
  if (!bundle || download?.kind !== "verified" || download.certificateId !== action.certificateId) {
    throw new Error("writeSecret without a verified bundle");
  }
  const { certificateId } = action;
  const { commonName, dnsNames, notAfter } = download;
  const built = await extraKeys(observation, context, bundle, certificateId);
  if ("failure" in built) return { learned: { failure: built.failure } };
  const { extra } = built;
  const applied = await applySecret(
    observation,
    context,
    bundle,
    { certificateId, commonName, dnsNames, notAfter },
    extra,
  );
  if ("failure" in applied) return { learned: { failure: applied.failure } };
  if ("changed" in applied) throw new Error("a writeSecret is not made over a version");
  const { resourceVersion, exact } = applied;
  return {
    learned: {
      secret: {
        exists: true,
        ...(resourceVersion !== undefined ? { resourceVersion } : {}),
        usable: true,
        certificateId,
        commonName: download.commonName,
        dnsNames: download.dnsNames,
        keyAlgorithm: observation.resource.spec.signatureAlgorithm,
        notBefore: download.notBefore,
        notAfter: download.notAfter,
        serialNumber: download.serialNumber,
        // What was written is what passed the check, unless another manager's key stayed
        // (a ca.crt the bundle has none of): only then status records it (verified-secret.ts).
        ...(resourceVersion === undefined || !exact
          ? {}
          : { verified: { resourceVersion, validity: download.validity } }),
        metadataCurrent: true,
        ...(Object.keys(extra).length > 0 ? { ownedExtraKeys: Object.keys(extra) } : {}),
      },
      outputs: { kind: "checked" },
    },
    event: {
      type: "Normal",
      reason: "SecretWritten",
      message: `Wrote certificate ${certificateId} to Secret ${observation.resource.spec.secretName}${extraNote(extra)}`,
    },
  };
}

/** The extra keys built from the bundle, or the failure that keeps the Secret as it is. */
async function extraKeys(
  observation: Observation,
  context: StepContext,
  bundle: TlsSecretData,
  certificateId: number,
): Promise<{ extra: Record<string, Buffer> } | { failure: Failure }> {
  try {
    return {
      extra: await buildOutputs(observation.resource.spec, bundle, context.passwords ?? {}),
    };
  } catch (err) {
    if (!(err instanceof OutputCheckError)) throw err;
    const message = `Certificate ${certificateId} verified, but its ${err.message}, so the Secret was not written`;
    return { failure: { reason: "InvalidCertificateData", message } };
  }
}

/** ", with keystore.p12, truststore.p12" for the Event. */
function extraNote(extra: Readonly<Record<string, Buffer>>): string {
  const keys = Object.keys(extra);
  return keys.length > 0 ? `, with ${keys.join(", ")}` : "";
}
