// Ownership, through an issuer's shared token: DNSimple hands every certificate's private key
// to whoever holds the token, so a resource may act only on certificates it owns (a claim the
// operator recorded when the resource ordered, renewed or adopted it), or, when no resource owns
// one, that the issuer's policy lets its namespace adopt. What a tenant can write (a Secret's
// annotations, a spec's certificateId, a status) names a certificate; it never makes it theirs.
import { isOwnedBy } from "../access.ts";
import type { Action } from "../actions.ts";
import { fail } from "../failure-policy.ts";
import type { Observation } from "../observation.ts";
import { credentialsMissing } from "./credentials-check.ts";
import type { DecisionInput } from "./input.ts";

/** The next action, if the resource may act on the certificate it names; else NotPermitted. */
export function ownershipGate({ observation }: DecisionInput, next: Action): Action {
  const { access, resource } = observation;
  if (access.kind !== "issuer") return next;
  const id = certificateActedOn(next);
  if (id === undefined) return next;
  const owner = access.owners.get(id);
  if (owner && isOwnedBy(owner, resource)) return next;
  const { label } = access.grant;
  if (owner) {
    return fail({
      reason: "NotPermitted",
      message: `certificate ${id} belongs to another DnsimpleCertificate, so ${label} does not let this one use it: order a new certificate (remove spec.certificateId) or ask the platform`,
    });
  }
  // DNSimple made these for this resource: its own lost order, or its auto-renewal.
  if (next.kind === "adoptCertificate" && next.source !== "SecretKept") {
    return claimingWith(observation, next);
  }
  if (access.grant.adoptionAllowed) {
    const claim: Action =
      next.kind === "adoptCertificate" ? next : { kind: "claimCertificate", certificateId: id };
    return claimingWith(observation, claim);
  }
  return fail({
    reason: "NotPermitted",
    message: `certificate ${id} was not ordered or adopted by this DnsimpleCertificate, and ${label} does not let namespace ${resource.metadata.namespace} adopt certificates (spec.policy.adoption): order a new one, or ask the platform to allow adoption here`,
  });
}

/** A claim names the account: the credentials come first. */
function claimingWith(observation: Observation, claim: Action): Action {
  return credentialsMissing(observation) ?? claim;
}

/** The DNSimple certificate an action reads, issues, downloads, writes, renews or adopts. */
function certificateActedOn(action: Action): number | undefined {
  switch (action.kind) {
    case "adoptCertificate":
    case "fetchCertificate":
    case "issue":
    case "download":
    case "writeSecret":
      return action.certificateId;
    case "order":
      return action.renewalOf;
    default:
      return undefined;
  }
}
