// claimCertificate, and the claim every step that makes a certificate a resource's records
// first (order, renewal, adoption): a DnsimpleCertificateClaim, created only if none exists
// (the first one wins). Only through an issuer; a resource's own token needs no claim.
import type { ClaimVia } from "../../api/claims.ts";
import { ownerOf, withOwner } from "../access.ts";
import type { Action } from "../actions.ts";
import { failureFromError } from "../failures.ts";
import type { AccessObservation, Failure, Observation } from "../observation.ts";
import { type StepContext, type StepResult, sessionOf } from "./step.ts";

/** What a claim came to: the resource's (with the access that says so), or not. */
export type ClaimOutcome =
  | { kind: "claimed"; access: AccessObservation }
  | { kind: "taken"; access: AccessObservation; failure: Failure }
  | { kind: "failed"; failure: Failure };

/** Claims `certificateId` for the resource when it uses an issuer (else nothing to record). */
export async function claimCertificateFor(
  observation: Observation,
  context: StepContext,
  certificateId: number,
  via: ClaimVia,
): Promise<ClaimOutcome> {
  const { access, resource, now } = observation;
  if (access.kind !== "issuer") return { kind: "claimed", access };
  const { grant } = access;
  try {
    const result = await context.ports.claims.claim({
      accountId: String(sessionOf(context).accountId),
      certificateId,
      owner: ownerOf(resource),
      issuer: {
        kind: grant.kind,
        name: grant.name,
        ...(grant.namespace ? { namespace: grant.namespace } : {}),
      },
      via,
      claimedAt: now,
    });
    if (result.kind === "claimed") {
      return { kind: "claimed", access: withOwner(access, certificateId, ownerOf(resource)) };
    }
    return {
      kind: "taken",
      access: withOwner(access, certificateId, result.owner),
      failure: {
        reason: "NotPermitted",
        message: `certificate ${certificateId} belongs to another DnsimpleCertificate: ${grant.label} does not let this one use it`,
      },
    };
  } catch (err) {
    return { kind: "failed", failure: failureFromError(err, resource) };
  }
}

/** The claimCertificate step: adopt, by claim, a certificate no resource owns. */
export async function claimCertificate(
  observation: Observation,
  action: Extract<Action, { kind: "claimCertificate" }>,
  context: StepContext,
): Promise<StepResult> {
  const outcome = await claimCertificateFor(observation, context, action.certificateId, "Adoption");
  if (outcome.kind === "failed") return { learned: { failure: outcome.failure } };
  if (outcome.kind === "taken") return { learned: { access: outcome.access } };
  const { namespace } = observation.resource.metadata;
  return {
    learned: { access: outcome.access },
    event: {
      type: "Normal",
      reason: "Claimed",
      message: `Certificate ${action.certificateId} is this resource's now: no resource owned it, and the issuer's policy lets namespace ${namespace} adopt`,
    },
  };
}
