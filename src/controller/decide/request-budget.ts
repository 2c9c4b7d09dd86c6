// DNSimple's request budget (2,400 an hour per token, shared by everything that uses the token):
// an order is admitted only when the budget left in this window, after the reserve and the
// requests already promised to certificates in flight, also covers the orders queued before it
// and this one's own five requests. Otherwise it waits, says so in its status (Queued, with an
// estimate) and is looked at again at the reset before the window it is expected in, when what
// is promised, queued and left is judged afresh (an in-memory pass, no call): renewals first,
// then new certificates in arrival order (request-commitments.ts). Not every queued order at
// every reset: with 10,000 queued, that is 10,000 passes a window, and the orders whose turn
// it is wait behind them in the work queue while the budget goes unused. Bought certificates
// are never held up by new purchases, so every window delivers.
import type { Action } from "../actions.ts";
import type { RequestBudgetView } from "../observation.ts";
import { ORDER_REQUESTS, type OrderLane } from "../request-commitments.ts";
import type { DecisionInput } from "./input.ts";

/** An order the budget cannot carry to its Secret in this window waits for a later one. */
export function requestBudgetGate({ observation }: DecisionInput, next: Action): Action {
  if (next.kind !== "order") return next;
  const view = observation.requestBudget;
  if (!view) return next;
  const lane: OrderLane = next.renewalOf !== undefined ? "renewal" : "new";
  const wait = admission(view, lane, observation.now);
  if (!wait) return next;
  return { kind: "queued", why: next.why, lane, ...wait, toleranceMs: view.windowMs };
}

/**
 * Undefined when the order may go now; else when it is expected to, and when to look again: at
 * the reset of the window before the expected one (other users of the token and failures ahead
 * move the estimate, by a window at most as a rule), so at each reset about two windows' worth of
 * the queue looks; in a window assumed after a reset, with its turn that close, a second from
 * now, when an answer will have told the real one. While the window's length is not measured
 * (the first window seen), estimates windows ahead rest on DNSimple's hour, and a shorter window
 * (a scaled-down simulator's, or DNSimple's if it changes) would leave the queue waiting hours
 * past its turn: every queued order looks again at the reset, and in the window assumed after it
 * a second later, when an answer will have measured the length.
 */
export function admission(
  view: RequestBudgetView,
  lane: OrderLane,
  now: Date,
): { estimate: Date; retryAt: Date } | undefined {
  const ahead = lane === "renewal" ? view.ahead.renewal : view.ahead.renewal + view.ahead.new;
  const needed = view.committed + ORDER_REQUESTS * (ahead + 1);
  const free = view.remaining - view.reserve;
  if (needed <= free) return undefined;
  // Each later window brings limit - reserve; what is promised now is spent first.
  const perWindow = Math.max(ORDER_REQUESTS, view.limit - view.reserve);
  const windows = Math.ceil((needed - Math.max(0, free)) / perWindow);
  const estimate = new Date(view.resetAt.getTime() + (windows - 1) * view.windowMs);
  const soon = now.getTime() + 1000;
  // Unmeasured, the windows ahead are hours each: no later than this reset, then.
  const lookAt = view.windowMeasured
    ? view.resetAt.getTime() + Math.max(0, windows - 2) * view.windowMs
    : view.resetAt.getTime();
  const answerSoon = view.assumed && (windows <= 2 || !view.windowMeasured);
  const retryAt = new Date(answerSoon ? soon : Math.max(lookAt, soon));
  return { estimate, retryAt };
}
