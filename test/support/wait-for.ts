// Waiting for a condition instead of sleeping: the one poll loop of the test suites and the
// benchmark. The integration and e2e suites call it as it is; the simulator and DNSimple
// client tests (helpers.ts there) and bench/ wrap it with their own interval and timeout and
// with "fail", so that a probe that throws ends their wait at once, as it always has.

/** What a throw from the probe means: not yet ("retry"), or the end of the wait ("fail"). */
export type OnThrow = "retry" | "fail";

/**
 * Polls `check` every `intervalMs` until it returns a value (not undefined) and returns that
 * value; gives up `timeoutMs` after the start, with one last check at the deadline. With
 * `onThrow` "retry" a throw counts as "not yet" and is named in the time-out error; with
 * "fail" it is thrown on at once.
 */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 30_000,
  intervalMs = 100,
  onThrow: OnThrow = "retry",
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      if (onThrow === "fail") throw err;
      last = err;
    }
    const left = deadline - Date.now();
    if (left <= 0) break;
    await new Promise((r) => setTimeout(r, Math.min(intervalMs, left)));
  }
  const cause = last === undefined ? "" : `: ${String(last)}`;
  throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}${cause}`);
}

/**
 * The in-process suites' wait (simulator and DNSimple client tests, whose servers answer in
 * milliseconds): every 20 ms for up to 5 s, and a throw from the probe fails the test at once.
 */
export function waitInProcess<T>(
  what: string,
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 5_000,
): Promise<T> {
  return waitFor(what, check, timeoutMs, 20, "fail");
}
