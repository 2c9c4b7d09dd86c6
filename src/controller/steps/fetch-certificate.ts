// fetchCertificate: DNSimple's record of the target certificate (its state above all).
import type { Action } from "../actions.ts";
import { failureFromError } from "../failures.ts";
import type { Observation } from "../observation.ts";
import { remoteFrom } from "../remote-certificate.ts";
import { type StepContext, type StepResult, sessionOf } from "./step.ts";

/** The fetchCertificate step: DNSimple's record of the certificate, or why it is not had. */
export async function fetchCertificate(
  observation: Observation,
  action: Extract<Action, { kind: "fetchCertificate" }>,
  context: StepContext,
): Promise<StepResult> {
  const { client, accountId } = sessionOf(context);
  const { certificateId } = action;
  try {
    const certificate = await client.getCertificate(
      accountId,
      observation.resource.spec.domain,
      certificateId,
    );
    return { learned: { remote: { kind: "found", certificate: remoteFrom(certificate) } } };
  } catch (err) {
    const failure = failureFromError(err, observation.resource);
    return { learned: { remote: { kind: "failed", certificateId, failure } } };
  }
}
