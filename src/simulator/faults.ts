// Fault injection for the API (never for /_sim/): random 5xx answers, added latency,
// dropped connections, and one-shot faults aimed at a method and path pattern.
//
// A one-shot fault either answers with a given status without processing the request,
// drops the connection before processing, or processes the request and then drops the
// connection ("process-then-drop": the purchase happened, the client saw a network error).
import { InvalidInputError } from "./errors.ts";
import { withoutUndefined } from "./objects.ts";

export interface FaultRates {
  /** Fraction of API requests answered with 500 instead of being processed. */
  errorRate: number;
  /** Added to every API request before it is processed. */
  latencyMs: number;
  /** Fraction of API requests whose connection is destroyed without an answer. */
  dropRate: number;
}

export const NO_FAULTS: FaultRates = { errorRate: 0, latencyMs: 0, dropRate: 0 };

export type OneShotAction = "status" | "drop" | "process-then-drop";
export const ONE_SHOT_ACTIONS: readonly OneShotAction[] = ["status", "drop", "process-then-drop"];

export interface OneShotFaultInput {
  /** HTTP method, or "*" (the default) for any. */
  method?: string;
  /** Path without query; `*` matches within one segment, `**` across segments. */
  path: string;
  action: OneShotAction;
  /** For action "status": the status to answer with, and optionally the JSON body. */
  status?: number;
  body?: unknown;
  /** How many matching requests it applies to (default 1). */
  times?: number;
}

export interface OneShotFault {
  method: string;
  path: string;
  action: OneShotAction;
  status: number | null;
  body: unknown;
  remaining: number;
}

export type FaultCause = "one-shot" | "error-rate" | "drop-rate";

export type FaultDecision =
  | { kind: "none" }
  | { kind: "drop"; cause: FaultCause }
  | { kind: "respond"; status: number; body: unknown; cause: FaultCause }
  | { kind: "process-then-drop"; cause: FaultCause };

export const INJECTED_ERROR_STATUS = 500;

export class FaultInjector {
  #rates: FaultRates;
  #oneShots: OneShotFault[] = [];

  constructor(rates: FaultRates = NO_FAULTS) {
    this.#rates = validateRates({ ...NO_FAULTS, ...rates });
  }

  rates(): FaultRates {
    return { ...this.#rates };
  }

  updateRates(patch: Partial<FaultRates>): void {
    this.#rates = validateRates({ ...this.#rates, ...withoutUndefined(patch) });
  }

  oneShots(): OneShotFault[] {
    return this.#oneShots.map((fault) => ({ ...fault }));
  }

  addOneShot(input: OneShotFaultInput): OneShotFault {
    const fault = validateOneShot(input);
    this.#oneShots.push(fault);
    return { ...fault };
  }

  /** Back to no faults at all. */
  clear(): void {
    this.#rates = { ...NO_FAULTS };
    this.#oneShots = [];
  }

  /**
   * What to do with one API request. One-shot faults come first (and are used up), then
   * the drop rate, then the error rate. `random` returns a number in [0, 1).
   */
  decide(method: string, path: string, random: () => number): FaultDecision {
    const oneShot = this.#takeOneShot(method, path);
    if (oneShot !== undefined) {
      switch (oneShot.action) {
        case "status":
          return {
            kind: "respond",
            status: oneShot.status ?? INJECTED_ERROR_STATUS,
            body: oneShot.body ?? { message: `Simulated fault: HTTP ${oneShot.status}` },
            cause: "one-shot",
          };
        case "drop":
          return { kind: "drop", cause: "one-shot" };
        case "process-then-drop":
          return { kind: "process-then-drop", cause: "one-shot" };
      }
    }
    if (this.#rates.dropRate > 0 && random() < this.#rates.dropRate) {
      return { kind: "drop", cause: "drop-rate" };
    }
    if (this.#rates.errorRate > 0 && random() < this.#rates.errorRate) {
      return {
        kind: "respond",
        status: INJECTED_ERROR_STATUS,
        body: { message: "Internal server error (simulated fault)" },
        cause: "error-rate",
      };
    }
    return { kind: "none" };
  }

  #takeOneShot(method: string, path: string): OneShotFault | undefined {
    const index = this.#oneShots.findIndex(
      (fault) =>
        (fault.method === "*" || fault.method === method) && pathPatternMatches(fault.path, path),
    );
    const fault = this.#oneShots[index];
    if (fault === undefined) return undefined;
    fault.remaining -= 1;
    if (fault.remaining === 0) this.#oneShots.splice(index, 1);
    return fault;
  }
}

export function pathPatternMatches(pattern: string, path: string): boolean {
  const source = pattern
    .split(/(\*\*|\*)/)
    .map((part) => {
      if (part === "**") return ".*";
      if (part === "*") return "[^/]*";
      return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    })
    .join("");
  return new RegExp(`^${source}$`).test(path);
}

function validateRates(rates: FaultRates): FaultRates {
  for (const name of ["errorRate", "dropRate"] as const) {
    const value = rates[name];
    if (!(Number.isFinite(value) && value >= 0 && value <= 1)) {
      throw new InvalidInputError(`${name} must be a number between 0 and 1, got ${value}`);
    }
  }
  if (!(Number.isFinite(rates.latencyMs) && rates.latencyMs >= 0)) {
    throw new InvalidInputError(`latencyMs must be a non-negative number, got ${rates.latencyMs}`);
  }
  return rates;
}

function validateOneShot(input: OneShotFaultInput): OneShotFault {
  const method = (input.method ?? "*").toUpperCase();
  if (!/^(\*|[A-Z]+)$/.test(method))
    throw new InvalidInputError(`invalid method "${input.method}"`);
  if (typeof input.path !== "string" || !input.path.startsWith("/")) {
    throw new InvalidInputError('path must be a string starting with "/"');
  }
  if (!ONE_SHOT_ACTIONS.includes(input.action)) {
    throw new InvalidInputError(`action must be one of ${ONE_SHOT_ACTIONS.join(", ")}`);
  }
  let status: number | null = null;
  if (input.action === "status") {
    status = input.status ?? Number.NaN;
    if (!(Number.isInteger(status) && status >= 100 && status <= 599)) {
      throw new InvalidInputError('action "status" needs a status between 100 and 599');
    }
  }
  const times = input.times ?? 1;
  if (!(Number.isInteger(times) && times >= 1)) {
    throw new InvalidInputError("times must be a positive integer");
  }
  return {
    method,
    path: input.path,
    action: input.action,
    status,
    body: input.body,
    remaining: times,
  };
}
