import { describe, expect, it } from "vitest";
import { OwnWrites } from "../../../src/controller/own-writes.ts";

// Steps, in the order the controller sees them: "writing" (the write is sent), "wrote 7" (the
// API server answered with version 7; "wrote -" without one), "failed" (the write failed), and
// "event 7" (a watch event of version 7; "event -" without one). Events carry their step's text,
// so `passes` lists the events that started a pass, at the moment they did.
type Step = "writing" | "failed" | `wrote ${string}` | `event ${string}`;

function run(steps: Step[]): { passes: string[]; size: number } {
  const own = new OwnWrites<string>();
  const passes: string[] = [];
  for (const step of steps) {
    const [what, arg] = step.split(" ");
    const version = arg === "-" ? undefined : arg;
    if (what === "writing") own.writing("ns", "web-tls");
    else if (what === "failed") passes.push(...own.failed("ns", "web-tls"));
    else if (what === "wrote") passes.push(...own.wrote("ns", "web-tls", version));
    else if (own.startsPass("ns", "web-tls", version, step)) passes.push(step);
  }
  return { passes, size: own.size };
}

describe("OwnWrites", () => {
  const cases: Array<{ name: string; steps: Step[]; passes: string[] }> = [
    { name: "the echo after the answer", steps: ["writing", "wrote 7", "event 7"], passes: [] },
    { name: "the echo before the answer", steps: ["writing", "event 7", "wrote 7"], passes: [] },
    {
      name: "seen once: the same version again starts a pass",
      steps: ["writing", "wrote 7", "event 7", "event 7"],
      passes: ["event 7"],
    },
    {
      name: "held, seen once: the same version after the answer starts a pass",
      steps: ["writing", "event 7", "wrote 7", "event 7"],
      passes: ["event 7"],
    },
    {
      name: "someone else's later write",
      steps: ["writing", "wrote 7", "event 9"],
      passes: ["event 9"],
    },
    {
      name: "someone else's write before the echo, both held: only theirs starts a pass",
      steps: ["writing", "event 6", "event 7", "wrote 7"],
      passes: ["event 6"],
    },
    {
      name: "someone else's write after the echo, both held",
      steps: ["writing", "event 7", "event 9", "wrote 7"],
      passes: ["event 9"],
    },
    {
      name: "a held event that is not the echo: the echo still comes and is dropped",
      steps: ["writing", "event 6", "wrote 7", "event 7"],
      passes: ["event 6"],
    },
    {
      name: "after someone else's write, the own version no longer counts",
      steps: ["writing", "wrote 7", "event 9", "event 7"],
      passes: ["event 9", "event 7"],
    },
    {
      name: "a failed write: what was held starts a pass",
      steps: ["writing", "event 6", "failed", "event 8"],
      passes: ["event 6", "event 8"],
    },
    { name: "a failed write with nothing held", steps: ["writing", "failed"], passes: [] },
    { name: "nothing written", steps: ["event 7"], passes: ["event 7"] },
    {
      name: "an event without a version is not an echo",
      steps: ["writing", "wrote 7", "event -"],
      passes: ["event -"],
    },
    {
      name: "an answer without a version: what was held starts a pass, nothing is kept",
      steps: ["writing", "event 7", "wrote -", "event 7"],
      passes: ["event 7", "event 7"],
    },
    {
      name: "two writes before the first echo: both echoes start a pass (one too many, never too few)",
      steps: ["writing", "wrote 7", "writing", "wrote 8", "event 7", "event 8"],
      passes: ["event 7", "event 8"],
    },
  ];
  it.each(cases)("$name", ({ steps, passes }) => {
    expect(run(steps)).toEqual({ passes, size: 0 });
  });

  it("keeps a record only until the echo", () => {
    expect(run(["writing"]).size).toBe(1);
    expect(run(["writing", "wrote 7"]).size).toBe(1);
    expect(run(["writing", "event 6", "wrote 7"]).size).toBe(1);
    expect(run(["writing", "wrote -"]).size).toBe(0);
  });

  it("keys by namespace and name, and forgets a deleted Secret", () => {
    const own = new OwnWrites<string>();
    own.writing("a", "web-tls");
    own.wrote("a", "web-tls", "5");
    own.writing("b", "web-tls");
    own.wrote("b", "web-tls", "6");
    expect(own.startsPass("b", "web-tls", "5", "b@5")).toBe(true);
    own.forget("a", "web-tls");
    expect(own.startsPass("a", "web-tls", "5", "a@5")).toBe(true);
    expect(own.size).toBe(0);
  });
});
