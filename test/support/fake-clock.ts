// A clock that moves only when a test steps it: timers due by then run in time order.
import type { Clock, ClockTimer } from "../../src/time/clock.ts";

interface Pending extends ClockTimer {
  at: number;
  callback: () => void;
}

export class FakeClock implements Clock {
  #now: number;
  #timers: Pending[] = [];

  constructor(start = Date.parse("2026-12-01T00:00:00Z")) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimer(callback: () => void, delayMs: number): ClockTimer {
    const timer: Pending = { at: this.#now + Math.max(0, delayMs), callback, unref: () => {} };
    this.#timers.push(timer);
    return timer;
  }

  clearTimer(timer: ClockTimer): void {
    this.#timers = this.#timers.filter((t) => t !== timer);
  }

  /** Timers not run yet. */
  get pending(): number {
    return this.#timers.length;
  }

  /** Moves time on by `ms`, running every timer due by then, earliest first. */
  step(ms: number): void {
    const until = this.#now + ms;
    for (;;) {
      const next = [...this.#timers].sort((a, b) => a.at - b.at)[0];
      if (!next || next.at > until) break;
      this.#timers = this.#timers.filter((t) => t !== next);
      this.#now = next.at;
      next.callback();
    }
    this.#now = until;
  }
}
