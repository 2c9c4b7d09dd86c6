import { describe, expect, it } from "vitest";
import { OwnWrites } from "../../../src/controller/own-writes.ts";

describe("OwnWrites", () => {
  const cases: Array<{
    name: string;
    wrote?: string;
    events: Array<string | undefined>;
    echoes: boolean[];
  }> = [
    { name: "the echo of the write", wrote: "7", events: ["7"], echoes: [true] },
    {
      name: "seen once: the same version again is not an echo",
      wrote: "7",
      events: ["7", "7"],
      echoes: [true, false],
    },
    { name: "someone else's later write", wrote: "7", events: ["9"], echoes: [false] },
    {
      name: "after someone else's write, the own version no longer counts",
      wrote: "7",
      events: ["9", "7"],
      echoes: [false, false],
    },
    { name: "nothing written", events: ["7"], echoes: [false] },
    { name: "an event without a version", wrote: "7", events: [undefined], echoes: [false] },
  ];
  it.each(cases)("$name", ({ wrote, events, echoes }) => {
    const own = new OwnWrites();
    if (wrote !== undefined) own.wrote("ns", "web-tls", wrote);
    expect(events.map((rv) => own.isEcho("ns", "web-tls", rv))).toEqual(echoes);
    expect(own.size).toBe(0);
  });

  it("keys by namespace and name, and forgets a deleted Secret", () => {
    const own = new OwnWrites();
    own.wrote("a", "web-tls", "5");
    own.wrote("b", "web-tls", "6");
    expect(own.isEcho("b", "web-tls", "5")).toBe(false);
    own.forget("a", "web-tls");
    expect(own.isEcho("a", "web-tls", "5")).toBe(false);
    expect(own.size).toBe(0);
  });

  it("keeps nothing for a write the API server answered without a version", () => {
    const own = new OwnWrites();
    own.wrote("ns", "web-tls", undefined);
    expect(own.size).toBe(0);
  });
});
