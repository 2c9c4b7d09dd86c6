// FairLane: the shares (namespaces) of a work-queue lane take turns, one key each, so one
// namespace's burst does not keep another's keys waiting behind it.
import { describe, expect, it } from "vitest";
import { FairLane, namespaceShare } from "../../../src/controller/fair-lane.ts";

function drain(lane: FairLane): string[] {
  const out: string[] = [];
  for (let key = lane.shift(); key !== undefined; key = lane.shift()) out.push(key);
  return out;
}

describe("FairLane", () => {
  it("serves one key per namespace in turn; within a namespace, arrival order", () => {
    const lane = new FairLane(namespaceShare);
    for (let i = 1; i <= 4; i++) lane.push(`burst/r${i}`);
    lane.push("quiet/renewal");
    lane.push("other/a");
    expect(lane.length).toBe(6);
    expect(drain(lane)).toEqual([
      "burst/r1",
      "quiet/renewal",
      "other/a",
      "burst/r2",
      "burst/r3",
      "burst/r4",
    ]);
    expect(lane.length).toBe(0);
  });

  it("a namespace that empties and comes back joins at the back", () => {
    const lane = new FairLane(namespaceShare);
    lane.push("a/1");
    lane.push("b/1");
    expect(lane.shift()).toBe("a/1");
    lane.push("a/2");
    lane.push("b/2");
    expect(drain(lane)).toEqual(["b/1", "a/2", "b/2"]);
  });

  it("removes a key (it moved to the other lane), and its namespace's turn when it was the last", () => {
    const lane = new FairLane(namespaceShare);
    lane.push("a/1");
    lane.push("b/1");
    lane.push("a/2");
    lane.remove("b/1");
    lane.remove("b/1");
    expect(lane.length).toBe(2);
    expect(drain(lane)).toEqual(["a/1", "a/2"]);
  });

  it("takes a key's namespace from namespace/name", () => {
    expect(namespaceShare("web/www")).toBe("web");
    expect(namespaceShare("noslash")).toBe("");
  });
});
