// The work queue's contract (client-go's): dedupe, one worker per key, re-processing of a
// key added while in progress, earliest delay wins, per-key backoff, and priority lanes.
import { describe, expect, it } from "vitest";
import type { Priority } from "../../../src/controller/priority.ts";
import { WorkQueue, type WorkQueueOptions } from "../../../src/controller/workqueue.ts";
import { FakeClock } from "../../support/fake-clock.ts";

/** A queue whose handler records keys and holds each one until released. */
function harness(options: Partial<WorkQueueOptions> = {}) {
  const processed: string[] = [];
  const held = new Map<string, () => void>();
  let maxActiveOfOneKey = 0;
  const activeKeys = new Map<string, number>();
  const queue = new WorkQueue({
    concurrency: 1,
    handler: async (key) => {
      processed.push(key);
      const n = (activeKeys.get(key) ?? 0) + 1;
      activeKeys.set(key, n);
      maxActiveOfOneKey = Math.max(maxActiveOfOneKey, n);
      await new Promise<void>((resolve) => held.set(key, resolve));
      activeKeys.set(key, n - 1);
      return {};
    },
    onError: () => {},
    ...options,
  });
  return {
    queue,
    processed,
    get maxActiveOfOneKey() {
      return maxActiveOfOneKey;
    },
    /** Waits until `key` is being processed, then lets it finish. */
    async release(key: string) {
      await until(() => held.has(key));
      const resolve = held.get(key);
      held.delete(key);
      resolve?.();
    },
  };
}

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met within 5 s");
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe("WorkQueue", () => {
  it("queues a key once however often it is added", async () => {
    const h = harness();
    for (const key of ["a", "b", "a", "a", "c", "b"]) h.queue.add(key);
    expect(h.queue.length).toBe(3);
    h.queue.start();
    for (const key of ["a", "b", "c"]) await h.release(key);
    await until(() => h.queue.length === 0 && h.queue.inProgress === 0);
    expect(h.processed).toEqual(["a", "b", "c"]);
    await h.queue.shutdown(1000);
  });

  it("never gives one key to two workers; a key added while in progress runs again after", async () => {
    const h = harness({ concurrency: 4 });
    h.queue.start();
    h.queue.add("a");
    await until(() => h.processed.length === 1);
    h.queue.add("a");
    h.queue.add("a");
    expect(h.queue.length).toBe(0); // waits for the first run to end, not in the lanes
    await h.release("a");
    await until(() => h.processed.length === 2);
    await h.release("a");
    await until(() => h.queue.inProgress === 0);
    expect(h.processed).toEqual(["a", "a"]);
    expect(h.maxActiveOfOneKey).toBe(1);
    await h.queue.shutdown(1000);
  });

  it("serves the lanes in order (high, queued, normal), each in arrival order", async () => {
    const lanes: Record<string, Priority> = {
      new1: "normal",
      new2: "normal",
      waiting1: "queued",
      waiting2: "queued",
      poll1: "high",
      poll2: "high",
    };
    const h = harness({ priority: (key) => lanes[key] ?? "normal" });
    for (const key of ["new1", "waiting1", "poll1", "new2", "waiting2", "poll2"]) h.queue.add(key);
    expect(h.queue.laneLengths()).toEqual({ high: 2, queued: 2, normal: 2 });
    h.queue.start();
    const order = ["poll1", "poll2", "waiting1", "waiting2", "new1", "new2"];
    for (const key of order) await h.release(key);
    expect(h.processed).toEqual(order);
    await h.queue.shutdown(1000);
  });

  it("moves a waiting key up when it is added again with a higher priority", async () => {
    const lanes: Record<string, Priority> = {};
    const h = harness({ priority: (key) => lanes[key] ?? "normal" });
    for (const key of ["a", "b", "c"]) h.queue.add(key);
    lanes.c = "high"; // e.g. its order went through in the meantime
    h.queue.add("c");
    expect(h.queue.length).toBe(3);
    h.queue.start();
    for (const key of ["c", "a", "b"]) await h.release(key);
    expect(h.processed).toEqual(["c", "a", "b"]);
    await h.queue.shutdown(1000);
  });

  it("moves a waiting key up to a higher lane, never down", async () => {
    const lanes: Record<string, Priority> = {};
    const h = harness({ priority: (key) => lanes[key] ?? "normal" });
    for (const key of ["a", "b", "c", "d"]) h.queue.add(key);
    lanes.c = "queued"; // its first pass queued it for budget
    h.queue.add("c");
    lanes.d = "high";
    h.queue.add("d");
    lanes.d = "normal"; // a lower lane asked later leaves it where it is
    h.queue.add("d");
    expect(h.queue.laneLengths()).toEqual({ high: 1, queued: 1, normal: 2 });
    h.queue.start();
    for (const key of ["d", "c", "a", "b"]) await h.release(key);
    expect(h.processed).toEqual(["d", "c", "a", "b"]);
    await h.queue.shutdown(1000);
  });

  it("adds after a delay, the earliest of several delays winning", async () => {
    const clock = new FakeClock();
    const h = harness({ clock });
    h.queue.start();
    h.queue.addAfter("a", 60_000);
    h.queue.addAfter("a", 20);
    h.queue.addAfter("a", 30_000);
    expect(h.queue.length).toBe(0);
    expect(clock.pending).toBe(1);
    clock.step(19);
    expect(h.queue.length).toBe(0);
    clock.step(1);
    await h.release("a");
    expect(clock.pending).toBe(0);
    await until(() => h.queue.inProgress === 0);
    expect(h.processed).toEqual(["a"]);
    await h.queue.shutdown(1000);
  });

  it("ends a key's pending delay with its next pass, which says itself when to look again", async () => {
    const clock = new FakeClock();
    const start = clock.now();
    const passes: number[] = [];
    const queue = new WorkQueue({
      concurrency: 1,
      clock,
      // The first pass (a poll) asks to look again in 1 s; the second (brought in by an event,
      // the issuance finished) at the renewal time, 60 s.
      handler: async () => {
        passes.push(clock.now() - start);
        return { requeueAfterMs: passes.length === 1 ? 1_000 : 60_000 };
      },
      onError: () => {},
    });
    queue.start();
    queue.add("a");
    await until(() => passes.length === 1 && queue.inProgress === 0);
    clock.step(500);
    queue.add("a");
    await until(() => passes.length === 2 && queue.inProgress === 0);
    expect(clock.pending).toBe(1);
    // The poll's timer would have fired here (a timer's add queues the key at once).
    clock.step(500);
    clock.step(59_499);
    expect(queue.length).toBe(0);
    clock.step(1);
    await until(() => passes.length === 3);
    expect(passes).toEqual([0, 500, 60_500]);
    await queue.shutdown(1000);
  });

  it("backs off per key, doubling with each failure and resetting on success", async () => {
    const queue = new WorkQueue({
      concurrency: 1,
      handler: async () => ({}),
      onError: () => {},
      baseBackoffMs: 100,
      maxBackoffMs: 350,
    });
    expect([1, 2, 3, 4].map(() => queue.addRateLimited("a"))).toEqual([100, 200, 350, 350]);
    expect(queue.addRateLimited("b")).toBe(100);
    queue.forget("a");
    expect(queue.addRateLimited("a")).toBe(100);
    await queue.shutdown(100);
  });

  it("retries a key whose handler throws, and reports the error", async () => {
    let calls = 0;
    const errors: string[] = [];
    const clock = new FakeClock();
    const queue = new WorkQueue({
      concurrency: 1,
      clock,
      baseBackoffMs: 10,
      handler: async () => {
        calls += 1;
        if (calls === 1) throw new Error("boom");
        return {};
      },
      onError: (key) => errors.push(key),
    });
    queue.start();
    queue.add("a");
    await until(() => errors.length === 1);
    clock.step(9);
    expect(calls).toBe(1);
    clock.step(1);
    await until(() => calls === 2);
    expect(errors).toEqual(["a"]);
    await queue.shutdown(1000);
  });

  it("stops taking work on shutdown and ignores later adds", async () => {
    const h = harness();
    h.queue.start();
    h.queue.add("a");
    h.queue.add("b");
    await until(() => h.processed.length === 1);
    const stopped = h.queue.shutdown(5_000);
    await h.release("a");
    await stopped;
    h.queue.add("c");
    expect(h.processed).toEqual(["a"]);
  });
});
