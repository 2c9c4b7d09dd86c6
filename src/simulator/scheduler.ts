// Timers for what happens later on its own (issuance completing, auto-renewals), all
// cancelled on close. A task that throws is reported, never left to crash the process.

// setTimeout cannot wait longer than 2^31-1 ms (about 24.8 days); a 90-day certificate's
// auto-renewal is 60 days away, so long waits are made of several timers.
const MAX_TIMER_MS = 2_147_483_647;

export type Task = () => void | Promise<void>;

export class Scheduler {
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #running = new Set<Promise<void>>();
  readonly #onError: (error: unknown) => void;
  #closed = false;

  constructor(onError: (error: unknown) => void) {
    this.#onError = onError;
  }

  after(delayMs: number, task: Task): void {
    this.at(Date.now() + delayMs, task);
  }

  at(timeMs: number, task: Task): void {
    if (this.#closed) return;
    const delay = Math.max(0, timeMs - Date.now());
    const timer = setTimeout(
      () => {
        this.#timers.delete(timer);
        if (delay > MAX_TIMER_MS) this.at(timeMs, task);
        else this.#run(task);
      },
      Math.min(delay, MAX_TIMER_MS),
    );
    // The HTTP server keeps the process alive; pending timers alone should not.
    timer.unref();
    this.#timers.add(timer);
  }

  // Cancels what has not started and waits for what has.
  async close(): Promise<void> {
    this.#closed = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    await Promise.allSettled([...this.#running]);
  }

  #run(task: Task): void {
    if (this.#closed) return;
    const running = (async () => {
      try {
        await task();
      } catch (error) {
        this.#onError(error);
      }
    })();
    this.#running.add(running);
    void running.finally(() => this.#running.delete(running));
  }
}
