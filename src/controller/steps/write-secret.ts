// writeSecret: the verified bundle into the Secret; the Secret then serves the certificate.
import type { Action } from "../actions.ts";
import type { Observation } from "../observation.ts";
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
  const failure = await applySecret(observation, context, bundle, {
    certificateId,
    commonName,
    dnsNames,
    notAfter,
  });
  if (failure) return { learned: { failure } };
  return {
    learned: {
      secret: {
        exists: true,
        usable: true,
        certificateId,
        commonName: download.commonName,
        dnsNames: download.dnsNames,
        keyAlgorithm: observation.resource.spec.signatureAlgorithm,
        notBefore: download.notBefore,
        notAfter: download.notAfter,
        serialNumber: download.serialNumber,
        metadataCurrent: true,
      },
    },
    event: {
      type: "Normal",
      reason: "SecretWritten",
      message: `Wrote certificate ${certificateId} to Secret ${observation.resource.spec.secretName}`,
    },
  };
}
