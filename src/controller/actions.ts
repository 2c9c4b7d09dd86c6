// The vocabulary of the decision: every next step decide() can ask for. Steps (steps/) carry
// out the non-final ones; a final one ends the pass and becomes the status (status.ts).
import type { Failure } from "./observation.ts";
import type { OrderLane } from "./request-commitments.ts";

/** A next step decide() can ask for: one a step carries out, or a final one that ends the pass. */
export type Action =
  /** The Secret holds a valid certificate for the current spec; look again at `requeueAt`. */
  | { kind: "ready"; requeueAt: Date }
  /**
   * Apply the Secret again with the certificate it holds: its labels, annotations, owner or
   * extra keys are not what the operator writes now.
   */
  | { kind: "refreshSecret" }
  /**
   * Read the keystore passwords and, `judgeHeld` (the Secret serves), whether the Secret's
   * extra keys are still right (secret-outputs.ts); issuing, the Secret is rewritten anyway.
   */
  | { kind: "checkOutputs"; judgeHeld: boolean }
  /** Look the Secret name up past the cache: is a Secret the operator did not make there? */
  | { kind: "lookUpSecret" }
  /** Read the credentials (and find the account) before the first DNSimple call. */
  | { kind: "resolveCredentials" }
  /** Look for an order whose answer was lost (status.pendingOrder), before ordering again. */
  | { kind: "findPendingOrder" }
  /** Record the intent in status, then order a certificate (`renewalOf`: a renewal order). */
  | { kind: "order"; why: string; renewalOf?: number; requested?: string }
  /**
   * Make a certificate the one in status: found by findPendingOrder or findAutoRenewal, or
   * already in the Secret. `replaces`: the certificate the Secret holds until then.
   */
  | {
      kind: "adoptCertificate";
      certificateId: number;
      /** The Event reason: where the certificate was found. */
      source: "OrderRecovered" | "AutoRenewalFound" | "SecretKept";
      why: string;
      replaces?: number;
    }
  /**
   * Look for a certificate DNSimple renewed on its own, in the domain's list (shared per
   * domain), read newest expiry first down to `expiringAfter` (the Secret's expiry).
   */
  | { kind: "findAutoRenewal"; expiringAfter?: Date }
  /**
   * Record that the certificate is this resource's (a DnsimpleCertificateClaim): one no resource
   * owns, which the issuer's policy lets this namespace adopt.
   */
  | { kind: "claimCertificate"; certificateId: number }
  /** Read DNSimple's record of the certificate (its state above all). */
  | { kind: "fetchCertificate"; certificateId: number }
  /** Ask DNSimple to request the ordered certificate (or renewal) from Let's Encrypt. */
  | { kind: "issue"; certificateId: number }
  /** DNSimple is still issuing it (`state`): look again after `requeueAfterMs`. */
  | { kind: "poll"; certificateId: number; requeueAfterMs: number; state: string }
  /** Download the issued certificate and its private key, and verify them. */
  | { kind: "download"; certificateId: number }
  /** Write the verified bundle of the certificate into the Secret. */
  | { kind: "writeSecret"; certificateId: number }
  /** A renewal ended failed: go back to the certificate the Secret holds, and fail. */
  | { kind: "abandonRenewal"; failure: Failure }
  /** End the pass with this failure; `permanent`: a retry cannot fix it by itself. */
  | { kind: "fail"; failure: Failure; permanent: boolean }
  /** The last attempt failed and its backoff has not run out: do nothing until `until`. */
  | { kind: "backoff"; until: Date }
  /**
   * The order waits for DNSimple request budget (decide/request-budget.ts), in `lane`: expected
   * to be admitted at about `estimate`; looked at again at `retryAt`.
   */
  | {
      kind: "queued";
      /** The order's reason (OrderAction.why). */
      why: string;
      lane: OrderLane;
      estimate: Date;
      retryAt: Date;
      /** An estimate that moved less than this since the last one is not worth a status write. */
      toleranceMs: number;
    };

/** The actions a pass stops at; every other action is carried out and decide is asked again. */
export type FinalAction = Extract<
  Action,
  { kind: "ready" | "poll" | "fail" | "backoff" | "queued" }
>;

/** An action a step carries out. */
export type StepAction = Exclude<Action, FinalAction>;

/** A certificate order, as decided (the order chain may turn it into a recovery first). */
export type OrderAction = Extract<Action, { kind: "order" }>;

const FINAL = new Set<Action["kind"]>(["ready", "poll", "fail", "backoff", "queued"]);

/** Whether the action ends the pass. */
export function isFinal(action: Action): action is FinalAction {
  return FINAL.has(action.kind);
}
