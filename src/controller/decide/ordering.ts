// Every order goes through here. An intent in status (status.pendingOrder) means an earlier
// order may have gone through without its answer reaching the status (a lost answer, a
// crash): look for it first, and while it may still show up, do not order again. See
// docs/design/2026-12-02-intent-before-purchase.md.
import { RENEW_AT_ANNOTATION } from "../../api/v1alpha1.ts";
import type { Action, OrderAction } from "../actions.ts";
import { fail } from "../failure-policy.ts";
import type { DecisionInput } from "./input.ts";

/** An order whose outcome is unknown may take this long to show in DNSimple's list. */
export const ORDER_GRACE_MS = 30_000;

/** The order, or the recovery of a lost one that must come first. */
export function orderOrRecover(input: DecisionInput, order: OrderAction): Action {
  const pending = input.status.pendingOrder;
  if (!pending) return order;
  const search = input.observation.pendingOrderSearch;
  if (!search) return { kind: "findPendingOrder" };
  if (search.found) {
    return {
      kind: "adoptCertificate",
      certificateId: search.found.id,
      source: "OrderRecovered",
      why: "it was ordered before a restart or a lost answer",
      ...(pending.renewalOf !== undefined ? { replaces: pending.renewalOf } : {}),
    };
  }
  const graceEnd = new Date(Date.parse(pending.startedAt) + ORDER_GRACE_MS);
  if (input.observation.now >= graceEnd) return order;
  return fail({
    reason: "OrderOutcomeUnknown",
    message: `the order sent at ${pending.startedAt} got no answer and is not in DNSimple's list yet; looking again before ordering anew (not before ${graceEnd.toISOString()})`,
    retryAt: new Date(Math.min(graceEnd.getTime(), input.observation.now.getTime() + 10_000)),
  });
}

/** The order a renew-at request asks for. */
export function requestedOrder(requested: string): OrderAction {
  return {
    kind: "order",
    why: `renewal requested (${RENEW_AT_ANNOTATION}: ${requested})`,
    requested,
  };
}

/** A new order because the spec asks for something the current certificate is not. */
export function specChangedOrder(why: string, requested?: string): OrderAction {
  return { kind: "order", why: `the spec changed: ${why}`, ...(requested ? { requested } : {}) };
}
