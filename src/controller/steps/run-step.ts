// Which step carries out which action.
import type { StepAction } from "../actions.ts";
import type { Observation } from "../observation.ts";
import { abandonRenewal, adoptCertificate } from "./adopt.ts";
import { resolveCredentials } from "./credentials.ts";
import { download } from "./download.ts";
import { fetchCertificate } from "./fetch-certificate.ts";
import { findAutoRenewal } from "./find-auto-renewal.ts";
import { findPendingOrder } from "./find-pending-order.ts";
import { issue } from "./issue.ts";
import { placeOrder } from "./order.ts";
import { refreshSecretMetadata } from "./refresh-secret-metadata.ts";
import type { StepContext, StepResult } from "./step.ts";
import { writeSecret } from "./write-secret.ts";

export async function runStep(
  o: Observation,
  action: StepAction,
  context: StepContext,
): Promise<StepResult> {
  switch (action.kind) {
    case "resolveCredentials":
      return resolveCredentials(o, context);
    case "refreshSecretMetadata":
      return refreshSecretMetadata(o, context);
    case "findPendingOrder":
      return findPendingOrder(o, context);
    case "findAutoRenewal":
      return findAutoRenewal(o, action, context);
    case "adoptCertificate":
      return adoptCertificate(action);
    case "abandonRenewal":
      return abandonRenewal(o, action);
    case "order":
      return placeOrder(o, action, context);
    case "fetchCertificate":
      return fetchCertificate(o, action, context);
    case "issue":
      return issue(o, action, context);
    case "download":
      return download(o, action, context);
    case "writeSecret":
      return writeSecret(o, action, context);
  }
}
