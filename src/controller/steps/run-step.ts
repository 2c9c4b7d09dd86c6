// Which step carries out which action.
import type { StepAction } from "../actions.ts";
import type { Observation } from "../observation.ts";
import { abandonRenewal, adoptCertificate } from "./adopt.ts";
import { checkOutputs } from "./check-outputs.ts";
import { claimCertificate } from "./claim.ts";
import { resolveCredentials } from "./credentials.ts";
import { download } from "./download.ts";
import { fetchCertificate } from "./fetch-certificate.ts";
import { findAutoRenewal } from "./find-auto-renewal.ts";
import { findPendingOrder } from "./find-pending-order.ts";
import { issue } from "./issue.ts";
import { lookUpSecret } from "./look-up-secret.ts";
import { placeOrder } from "./order.ts";
import { refreshSecret } from "./refresh-secret.ts";
import type { StepContext, StepResult } from "./step.ts";
import { writeSecret } from "./write-secret.ts";

/** Carries out a non-final action through the step for its kind. */
export async function runStep(
  observation: Observation,
  action: StepAction,
  context: StepContext,
): Promise<StepResult> {
  switch (action.kind) {
    case "lookUpSecret":
      return lookUpSecret(observation, context);
    case "resolveCredentials":
      return resolveCredentials(observation, context);
    case "checkOutputs":
      return checkOutputs(observation, action, context);
    case "refreshSecret":
      return refreshSecret(observation, context);
    case "findPendingOrder":
      return findPendingOrder(observation, context);
    case "findAutoRenewal":
      return findAutoRenewal(observation, action, context);
    case "adoptCertificate":
      return adoptCertificate(observation, action, context);
    case "claimCertificate":
      return claimCertificate(observation, action, context);
    case "abandonRenewal":
      return abandonRenewal(observation, action);
    case "order":
      return placeOrder(observation, action, context);
    case "fetchCertificate":
      return fetchCertificate(observation, action, context);
    case "issue":
      return issue(observation, action, context);
    case "download":
      return download(observation, action, context);
    case "writeSecret":
      return writeSecret(observation, action, context);
  }
}
