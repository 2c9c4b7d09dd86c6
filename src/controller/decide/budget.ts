// The purchase budget of an issuer's policy: orders (new certificates and renewals) per
// namespace in any 24 hours. A namespace past it waits, with a reason and the time it ends,
// while other namespaces proceed.
import type { Action } from "../actions.ts";
import { fail } from "../failure-policy.ts";
import type { DecisionInput } from "./input.ts";

/** An order past the namespace's budget waits until the window frees a slot. */
export function budgetGate({ observation }: DecisionInput, next: Action): Action {
  const { access, now, resource } = observation;
  if (next.kind !== "order" || access.kind !== "issuer") return next;
  const { grant, budget } = access;
  if (budget.used < grant.ordersPerDay) return next;
  const retryAt = budget.freesAt ?? new Date(now.getTime() + 24 * 3_600_000);
  return fail({
    reason: "BudgetExhausted",
    message: `namespace ${resource.metadata.namespace} has used its ${grant.ordersPerDay} orders of the last 24 hours through ${grant.label} (spec.policy.budget.ordersPerNamespacePerDay): ${next.why} waits until ${retryAt.toISOString()}`,
    retryAt,
  });
}
