// The DNSimple simulator of a test file (started before its tests, closed after them), and
// what tests ask it about purchases.
import { afterAll, beforeAll } from "vitest";
import type { Purchase } from "../../../src/simulator/model.ts";
import {
  type Simulator,
  type SimulatorOptions,
  startSimulator,
} from "../../../src/simulator/simulator.ts";

/** What a test file says about its simulator: the account, and anything else it changes. */
export type SimulatorSetup = Pick<
  SimulatorOptions,
  "token" | "accountId" | "domains" | "issueDelayMs"
> &
  Partial<SimulatorOptions>;

export interface SimulatorEnv {
  /** The running simulator: read it inside hooks and tests (it starts in a beforeAll). */
  readonly simulator: Simulator;
}

/**
 * A simulator for the calling test file, quiet (no log lines), closed after the file's tests.
 * Hooks run in the order they are registered and after-hooks in reverse, so whatever is
 * registered later (an operator using it) is stopped before it closes.
 */
export function useSimulator(options: SimulatorSetup): SimulatorEnv {
  let simulator: Simulator | undefined;
  beforeAll(async () => {
    simulator = await startSimulator({ log: () => {}, ...options });
  });
  afterAll(async () => {
    await simulator?.close();
  });
  return {
    get simulator() {
      if (!simulator) throw new Error("the simulator is started in beforeAll: read it in a test");
      return simulator;
    },
  };
}

/** Every purchase's certificate name, sorted: a name bought twice shows twice. */
export function purchasedNames(simulator: Simulator): string[] {
  return simulator
    .purchases()
    .map((p) => p.name)
    .sort();
}

/** The purchases for the certificate name `name`, only of `kind` when given. */
export function purchasesOf(
  simulator: Simulator,
  name: string,
  kind?: Purchase["kind"],
): Purchase[] {
  return simulator.purchases().filter((p) => p.name === name && (!kind || p.kind === kind));
}
