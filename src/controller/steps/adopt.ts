// adoptCertificate and abandonRenewal: status changes only, no DNSimple call (through an
// issuer, the claim that makes the certificate the resource's is recorded first).
import type { ClaimVia } from "../../api/claims.ts";
import { isOwnedBy } from "../access.ts";
import type { Action } from "../actions.ts";
import type { Observation } from "../observation.ts";
import { claimCertificateFor } from "./claim.ts";
import type { StepContext, StepResult } from "./step.ts";

/** How an adopted certificate came to the resource, as its claim says. */
const CLAIM_VIA: Record<Extract<Action, { kind: "adoptCertificate" }>["source"], ClaimVia> = {
  OrderRecovered: "Order",
  AutoRenewalFound: "AutoRenewal",
  SecretKept: "Adoption",
};

/** Make a found certificate the one in status (a recovered order, an auto-renewal, the Secret's). */
export async function adoptCertificate(
  observation: Observation,
  action: Extract<Action, { kind: "adoptCertificate" }>,
  context: StepContext,
): Promise<StepResult> {
  const { access, resource } = observation;
  const owner = access.kind === "issuer" ? access.owners.get(action.certificateId) : undefined;
  if (access.kind === "issuer" && !(owner && isOwnedBy(owner, resource))) {
    const via = CLAIM_VIA[action.source];
    const outcome = await claimCertificateFor(observation, context, action.certificateId, via);
    if (outcome.kind === "failed") return { learned: { failure: outcome.failure } };
    if (outcome.kind === "taken") return { learned: { access: outcome.access } };
    return { ...adopted(action), learned: { access: outcome.access } };
  }
  return adopted(action);
}

function adopted(action: Extract<Action, { kind: "adoptCertificate" }>): StepResult {
  return {
    status: {
      certificateId: action.certificateId,
      pendingOrder: undefined,
      // A recovered renewal has no known renewal id; it is issued like an order.
      renewalId: undefined,
      renewedCertificateId: action.replaces,
    },
    event: {
      type: "Normal",
      reason: action.source,
      message: `Took over certificate ${action.certificateId}: ${action.why}; nothing ordered`,
    },
  };
}

/** A renewal ended failed: back to the certificate the Secret holds, and fail (retried). */
export function abandonRenewal(
  observation: Observation,
  action: Extract<Action, { kind: "abandonRenewal" }>,
): StepResult {
  return {
    status: {
      certificateId: observation.resource.status?.renewedCertificateId,
      renewalId: undefined,
      renewedCertificateId: undefined,
    },
    learned: { failure: action.failure },
  };
}
