// adoptCertificate and abandonRenewal: status changes only, no DNSimple call.
import type { Action } from "../actions.ts";
import type { Observation } from "../observation.ts";
import type { StepResult } from "./step.ts";

/** Make a found certificate the one in status (a recovered order, an auto-renewal, the Secret's). */
export function adoptCertificate(
  action: Extract<Action, { kind: "adoptCertificate" }>,
): StepResult {
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
