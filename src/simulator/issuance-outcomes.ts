// How the next issuances end. By default every issuance ends `issued`; an admin rule such
// as "the next 2 issuances for api.example.com end failed" changes that, rule by rule in
// the order they were added, each used up after `count` matching issuances.
import { InvalidInputError } from "./errors.ts";
import type { IssuanceOutcome } from "./model.ts";

export type FailingOutcome = Exclude<IssuanceOutcome, "issued">;
export const FAILING_OUTCOMES: readonly FailingOutcome[] = ["failed", "cancelled"];

export interface IssuanceOutcomeRuleInput {
  outcome: FailingOutcome;
  /** How many matching issuances end this way (default 1). */
  count?: number;
  /** Only issuances for this domain name. */
  domain?: string;
  /** Only issuances of certificates with this DNSimple name (e.g. "www", "*", "api"). */
  name?: string;
}

export interface IssuanceOutcomeRule {
  outcome: FailingOutcome;
  remaining: number;
  domain: string | null;
  name: string | null;
}

export class IssuanceOutcomes {
  #rules: IssuanceOutcomeRule[] = [];

  add(input: IssuanceOutcomeRuleInput): IssuanceOutcomeRule {
    if (!FAILING_OUTCOMES.includes(input.outcome)) {
      throw new InvalidInputError(`outcome must be one of ${FAILING_OUTCOMES.join(", ")}`);
    }
    const count = input.count ?? 1;
    if (!(Number.isInteger(count) && count >= 1)) {
      throw new InvalidInputError("count must be a positive integer");
    }
    const rule = {
      outcome: input.outcome,
      remaining: count,
      domain: input.domain?.toLowerCase() ?? null,
      name: input.name?.toLowerCase() ?? null,
    };
    this.#rules.push(rule);
    return { ...rule };
  }

  pending(): IssuanceOutcomeRule[] {
    return this.#rules.map((rule) => ({ ...rule }));
  }

  clear(): void {
    this.#rules = [];
  }

  /** The outcome of one issuance now ending, using up a matching rule if there is one. */
  take(domain: string, name: string): IssuanceOutcome {
    const index = this.#rules.findIndex(
      (rule) =>
        (rule.domain === null || rule.domain === domain) &&
        (rule.name === null || rule.name === name),
    );
    const rule = this.#rules[index];
    if (rule === undefined) return "issued";
    rule.remaining -= 1;
    if (rule.remaining === 0) this.#rules.splice(index, 1);
    return rule.outcome;
  }
}
