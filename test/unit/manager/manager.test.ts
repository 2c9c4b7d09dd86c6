// The manager's order: servers, caches, (election,) workers up; workers, election, caches,
// servers down; a lost Lease stops the workers and is reported, not retried.
import { describe, expect, it } from "vitest";
import { type Election, Manager } from "../../../src/manager/manager.ts";
import type { Runnable } from "../../../src/manager/runnable.ts";
import { createLogger } from "../../../src/observability/logger.ts";

function recorder() {
  const steps: string[] = [];
  const runnable = (name: string): Runnable => ({
    name,
    start: async () => {
      steps.push(`start ${name}`);
    },
    stop: async () => {
      steps.push(`stop ${name}`);
    },
  });
  return { steps, runnable };
}

/** An election the test decides: `lead()` and `lose()` play the Lease's part. */
function scriptedElection(steps: string[]) {
  let callbacks: { leading: () => void; lost: () => void } | undefined;
  const election: Election = {
    start: (c) => {
      callbacks = c;
      steps.push("start election");
    },
    stop: async () => {
      steps.push("stop election");
    },
  };
  return { election, lead: () => callbacks?.leading(), lose: () => callbacks?.lost() };
}

const log = createLogger("silent");

describe("Manager", () => {
  it("starts servers, caches and workers in order, and stops them in reverse", async () => {
    const { steps, runnable } = recorder();
    const manager = new Manager({
      log,
      servers: [runnable("health"), runnable("metrics")],
      caches: [runnable("caches")],
      workers: [runnable("workers")],
      onLostLeadership: () => steps.push("lost"),
    });
    await manager.start();
    expect(manager.stopping).toBe(false);
    await manager.stop();
    expect(manager.stopping).toBe(true);
    expect(steps).toEqual([
      "start health",
      "start metrics",
      "start caches",
      "start workers",
      "stop workers",
      "stop caches",
      "stop metrics",
      "stop health",
    ]);
  });

  it("with an election: workers only once leading; the Lease is let go after the workers stop", async () => {
    const { steps, runnable } = recorder();
    const { election, lead } = scriptedElection(steps);
    const manager = new Manager({
      log,
      servers: [runnable("health")],
      caches: [runnable("caches")],
      workers: [runnable("workers")],
      election,
      onLostLeadership: () => steps.push("lost"),
    });
    await manager.start();
    expect(steps).toEqual(["start health", "start caches", "start election"]);
    lead();
    await manager.stop();
    expect(steps.slice(3)).toEqual([
      "start workers",
      "stop workers",
      "stop election",
      "stop caches",
      "stop health",
    ]);
  });

  it("a lost Lease stops the workers, then is reported; leading again does not restart them", async () => {
    const { steps, runnable } = recorder();
    const { election, lead, lose } = scriptedElection(steps);
    let reported: () => void = () => {};
    const lostReported = new Promise<void>((resolve) => {
      reported = resolve;
    });
    const manager = new Manager({
      log,
      servers: [],
      caches: [],
      workers: [runnable("workers")],
      election,
      onLostLeadership: () => {
        steps.push("lost");
        reported();
      },
    });
    await manager.start();
    lead();
    lose();
    await lostReported;
    lead();
    await manager.stop();
    expect(steps).toEqual([
      "start election",
      "start workers",
      "stop workers",
      "lost",
      "stop election",
    ]);
  });
});
