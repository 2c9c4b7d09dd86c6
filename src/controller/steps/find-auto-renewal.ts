// findAutoRenewal: look in the domain's list (shared by its resources) for a certificate
// DNSimple renewed on its own.
import { claimableBy } from "../access.ts";
import type { Action } from "../actions.ts";
import { failureFromError } from "../failures.ts";
import type { Observation, RemoteCertificate } from "../observation.ts";
import { remoteFrom } from "../remote-certificate.ts";
import { createdInRenewalWindow, newestIssuedAmong } from "../selection.ts";
import { type StepContext, type StepResult, sessionOf } from "./step.ts";

/**
 * Through an issuer's shared token, a certificate in the list may be another resource's: only
 * one no other resource owns, created in DNSimple's renewal window of this one's, is taken.
 */
function ownRenewal(observation: Observation, context: StepContext) {
  const { access, resource, secret, autoRenewalPickup } = observation;
  const mayClaim = claimableBy(access, resource, context.ports.tenancy);
  if (access.kind !== "issuer") return () => true;
  return (c: RemoteCertificate) =>
    mayClaim(c.id) && createdInRenewalWindow(c, secret.notAfter, autoRenewalPickup.windowMs);
}

/**
 * After a webhook hint, a list read after it (the hint is consumed by this look). Hints come
 * only through the receiver's secret URL, one per DNSimple event (duplicates dropped there).
 */
function hintedLookAfter(observation: Observation): Date | undefined {
  const { autoRenewalHintAt: hintAt, lastAutoRenewCheck: last } = observation;
  return hintAt && (!last || hintAt > last) ? hintAt : undefined;
}

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
      hintedLookAfter(observation),
    );
    const candidates = listed.map(remoteFrom).filter(ownRenewal(observation, context));
    const found = newestIssuedAmong(candidates, spec);
    return { learned: { autoRenewalSearch: found ? { found } : {} } };
  } catch (err) {
    return { learned: { failure: failureFromError(err, observation.resource) } };
  }
}
