// An ordered chain of named checks, as cert-manager's policies.Chain: each check looks at the
// decision's input and either names the next action or passes (undefined); the first that
// names one wins. A chain reads top-down as the list of situations it handles, in order.
import type { Action } from "../actions.ts";

/** One named situation: the action it calls for, or undefined when it does not apply. */
export type Check<Input> = (input: Input) => Action | undefined;

/** The action of the first check that applies, or undefined when none does. */
export function firstAction<Input>(
  input: Input,
  chain: readonly Check<Input>[],
): Action | undefined {
  for (const check of chain) {
    const action = check(input);
    if (action) return action;
  }
  return undefined;
}
