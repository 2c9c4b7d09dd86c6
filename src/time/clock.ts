// Time as a dependency: the work queue, the informer's restarts and the Event recorder read the
// time and set timers through a Clock, so their tests step a fake clock
// (test/support/fake-clock.ts) instead of waiting for real timers.

/** A timer set by a clock; cancel it with the same clock. */
export interface ClockTimer {
  /** Lets the process exit while the timer is pending (Node's unref). */
  unref(): void;
}

/** The time and timers, as a dependency (a fake one in tests). */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Runs `callback` once after `delayMs`. */
  setTimer(callback: () => void, delayMs: number): ClockTimer;
  /** Cancels a timer this clock set. */
  clearTimer(timer: ClockTimer): void;
}

/** The process's clock: Date.now and Node's timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimer: (timer) => clearTimeout(timer as NodeJS.Timeout),
};
