// issue: ask DNSimple to request the ordered certificate (or renewal) from Let's Encrypt.
import type { Action } from "../actions.ts";
import { failureFromError } from "../failures.ts";
import type { Observation } from "../observation.ts";
import { remoteFrom } from "../remote-certificate.ts";
import { renewalInFlight } from "../selection.ts";
import { type StepContext, type StepResult, sessionOf } from "./step.ts";

/** The issue step: asks DNSimple to issue the certificate, or the renewal in flight. */
export async function issue(
  observation: Observation,
  action: Extract<Action, { kind: "issue" }>,
  context: StepContext,
): Promise<StepResult> {
  const { client, accountId } = sessionOf(context);
  const { domain } = observation.resource.spec;
  const { certificateId } = action;
  const renewal = renewalInFlight(observation.resource.status, certificateId);
  try {
    const certificate = renewal
      ? await client.issueRenewal(
          accountId,
          domain,
          renewal.renewedCertificateId,
          renewal.renewalId,
        )
      : await client.issueLetsencrypt(accountId, domain, certificateId);
    const what = `${renewal ? `renewal ${renewal.renewalId}: ` : ""}certificate ${certificateId}`;
    return {
      learned: { remote: { kind: "found", certificate: remoteFrom(certificate) } },
      event: {
        type: "Normal",
        reason: "IssueRequested",
        message: `Asked DNSimple to issue ${what}`,
      },
    };
  } catch (err) {
    return { learned: { failure: failureFromError(err, observation.resource) } };
  }
}
