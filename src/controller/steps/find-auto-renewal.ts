// findAutoRenewal: look in the domain's list (shared by its resources) for a certificate
// DNSimple renewed on its own.
import { claimableBy } from "../access.ts";
import type { Action } from "../actions.ts";
import { failureFromError } from "../failures.ts";
import type { Observation } from "../observation.ts";
import { remoteFrom } from "../remote-certificate.ts";
import { newestIssuedAmong } from "../selection.ts";
import { type StepContext, type StepResult, sessionOf } from "./step.ts";

/** The findAutoRenewal step: the newest issued certificate for the spec in the domain's list. */
export async function findAutoRenewal(
  observation: Observation,
  action: Extract<Action, { kind: "findAutoRenewal" }>,
  context: StepContext,
): Promise<StepResult> {
  const { client, accountId } = sessionOf(context);
  const { spec } = observation.resource;
  context.memory.autoRenewChecked(context.key, observation.now);
  try {
    const listed = await context.ports.domainCertificates.list(
      client,
      accountId,
      spec.domain,
      action.expiringAfter,
    );
    const mayClaim = claimableBy(observation.access, observation.resource, context.ports.tenancy);
    const candidates = listed.map(remoteFrom).filter((c) => mayClaim(c.id));
    const found = newestIssuedAmong(candidates, spec);
    return { learned: { autoRenewalSearch: found ? { found } : {} } };
  } catch (err) {
    return { learned: { failure: failureFromError(err, observation.resource) } };
  }
}
