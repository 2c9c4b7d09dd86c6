// A work queue with client-go's semantics: a key is queued at most once however often it is
// added (dedupe), is never processed by two workers at once (a key added while in progress
// is processed again afterwards), can be added after a delay (the earliest wins), and backs
// off per key after failures. Unlike client-go's, a pass ends the delay its key was waiting
// out: the pass looked at the present and says itself when to look again (its result, or the
// backoff), so an earlier pass's timer would only start a pass that finds nothing to do (a
// poll's timer still pending when an event brought the key in, and the issuance finished). Workers run the handler with bounded concurrency. Keys ready to
// be processed wait in lanes served in order (priority.ts: "high", "queued", "normal"); within
// a lane the shares (namespaces, by default) take turns, each in arrival order (fair-lane.ts); a
// key's lane is asked of `priority` when it becomes ready.
import { type Clock, type ClockTimer, systemClock } from "../time/clock.ts";
import { FairLane, namespaceShare } from "./fair-lane.ts";
import { PRIORITIES, type Priority } from "./priority.ts";

/** What the handler says about a key it processed. */
export interface WorkResult {
  /** Process the key again after this long (e.g. the next poll or the renewal time). */
  requeueAfterMs?: number;
}

/** How a WorkQueue runs: its workers, its handler, its backoff and lanes. */
export interface WorkQueueOptions {
  /** How many keys are processed at once. */
  concurrency: number;
  /** Processes one key. */
  handler: (key: string) => Promise<WorkResult>;
  /** Called when the handler throws; the key is retried with per-key backoff. */
  onError: (key: string, err: unknown, retryInMs: number) => void;
  /** The first retry delay after a failure (1 s when not given). */
  baseBackoffMs?: number;
  /** The longest retry delay (five minutes when not given). */
  maxBackoffMs?: number;
  /** The lane of a key that becomes ready; "normal" for every key when not given. */
  priority?: (key: string) => Priority;
  /** The share a key takes turns in, within its lane (its namespace when not given). */
  shareOf?: (key: string) => string;
  /** The clock of the delays (the system's when not given). */
  clock?: Clock;
}

/** Timers beyond this are clamped: setTimeout overflows past ~24.8 days. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A queue of keys with client-go's semantics (see above), worked by `concurrency` workers. */
export class WorkQueue {
  readonly #options: Required<WorkQueueOptions>;
  readonly #lanes: Record<Priority, FairLane>;
  /** The lane each queued key waits in. */
  readonly #queued = new Map<string, Priority>();
  readonly #dirty = new Set<string>();
  readonly #processing = new Set<string>();
  readonly #delayed = new Map<string, { at: number; timer: ClockTimer }>();
  readonly #failures = new Map<string, number>();
  #waiters: (() => void)[] = [];
  #shuttingDown = false;
  #workers: Promise<void>[] = [];

  constructor(options: WorkQueueOptions) {
    this.#options = {
      baseBackoffMs: 1000,
      maxBackoffMs: 5 * 60_000,
      priority: () => "normal",
      shareOf: namespaceShare,
      clock: systemClock,
      ...options,
    };
    const { shareOf } = this.#options;
    this.#lanes = {
      high: new FairLane(shareOf),
      queued: new FairLane(shareOf),
      normal: new FairLane(shareOf),
    };
  }

  /** Queues `key` once however often added; a key in progress is processed again after. */
  add(key: string): void {
    if (this.#shuttingDown) return;
    if (this.#dirty.has(key)) {
      this.#promote(key);
      return;
    }
    this.#dirty.add(key);
    if (this.#processing.has(key)) return;
    this.#enqueue(key);
  }

  #enqueue(key: string): void {
    const lane = this.#options.priority(key);
    this.#lanes[lane].push(key);
    this.#queued.set(key, lane);
    this.#waiters.shift()?.();
  }

  /** A waiting key whose priority rose (e.g. its certificate was bought) moves up. */
  #promote(key: string): void {
    const current = this.#queued.get(key);
    if (current === undefined) return;
    const lane = this.#options.priority(key);
    if (PRIORITIES.indexOf(lane) >= PRIORITIES.indexOf(current)) return;
    this.#lanes[current].remove(key);
    this.#lanes[lane].push(key);
    this.#queued.set(key, lane);
  }

  /** Adds `key` after `delayMs`; of two delays pending for a key, the earlier wins. */
  addAfter(key: string, delayMs: number): void {
    if (this.#shuttingDown) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const { clock } = this.#options;
    const at = clock.now() + delayMs;
    const existing = this.#delayed.get(key);
    if (existing && existing.at <= at) return;
    if (existing) clock.clearTimer(existing.timer);
    const timer = clock.setTimer(
      () => {
        this.#delayed.delete(key);
        this.add(key);
      },
      Math.min(delayMs, MAX_TIMER_MS),
    );
    timer.unref();
    this.#delayed.set(key, { at, timer });
  }

  #cancelDelay(key: string): void {
    const delayed = this.#delayed.get(key);
    if (!delayed) return;
    this.#options.clock.clearTimer(delayed.timer);
    this.#delayed.delete(key);
  }

  /** Re-adds after a backoff that doubles with each consecutive failure of the key. */
  addRateLimited(key: string): number {
    const failures = (this.#failures.get(key) ?? 0) + 1;
    this.#failures.set(key, failures);
    const { baseBackoffMs, maxBackoffMs } = this.#options;
    const delay = Math.min(maxBackoffMs, baseBackoffMs * 2 ** (failures - 1));
    this.addAfter(key, delay);
    return delay;
  }

  /** Forgets the failures of a key (after it succeeded). */
  forget(key: string): void {
    this.#failures.delete(key);
  }

  /** Keys waiting to be processed now (not delayed, not in progress): the queue depth. */
  get length(): number {
    return this.#queued.size;
  }

  /** Keys ready to be processed, by lane (queued keys not yet ready are in neither). */
  laneLengths(): Record<Priority, number> {
    return {
      high: this.#lanes.high.length,
      queued: this.#lanes.queued.length,
      normal: this.#lanes.normal.length,
    };
  }

  /** Keys being processed now. */
  get inProgress(): number {
    return this.#processing.size;
  }

  /** Starts the workers. */
  start(): void {
    for (let i = 0; i < this.#options.concurrency; i++) this.#workers.push(this.#work());
  }

  /** Stops taking work and waits (up to timeoutMs) for the keys in progress to finish. */
  async shutdown(timeoutMs: number): Promise<void> {
    this.#shuttingDown = true;
    for (const { timer } of this.#delayed.values()) this.#options.clock.clearTimer(timer);
    this.#delayed.clear();
    for (const wake of this.#waiters.splice(0)) wake();
    let timeout: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(this.#workers),
      new Promise<void>((resolve) => {
        timeout = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timeout);
  }

  async #next(): Promise<string | undefined> {
    while (this.#queued.size === 0) {
      if (this.#shuttingDown) return undefined;
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
    if (this.#shuttingDown) return undefined;
    const key =
      this.#lanes.high.shift() ?? this.#lanes.queued.shift() ?? this.#lanes.normal.shift();
    if (key !== undefined) this.#queued.delete(key);
    return key;
  }

  async #work(): Promise<void> {
    for (;;) {
      const key = await this.#next();
      if (key === undefined) return;
      this.#dirty.delete(key);
      this.#cancelDelay(key);
      this.#processing.add(key);
      try {
        const result = await this.#options.handler(key);
        this.forget(key);
        if (result.requeueAfterMs !== undefined) this.addAfter(key, result.requeueAfterMs);
      } catch (err) {
        const retryIn = this.addRateLimited(key);
        this.#options.onError(key, err, retryIn);
      } finally {
        this.#processing.delete(key);
        if (this.#dirty.has(key) && !this.#shuttingDown) this.#enqueue(key);
      }
    }
  }
}
