// Progress and pacing for the benchmark: progress lines on stderr (stdout carries only the
// JSON results), bounded concurrency, retries against an API server under load, and waiting
// for a condition (the test suites' poll loop, with the benchmark's interval).
import { waitFor as pollFor } from "../../test/support/wait-for.ts";

const started = Date.now();

/** A progress line on stderr (stdout carries only the JSON results). */
export function progress(line: string): void {
  const t = ((Date.now() - started) / 1000).toFixed(1).padStart(7);
  process.stderr.write(`[bench ${t}s] ${line}\n`);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Runs `fn` over `items` with at most `limit` calls in flight; results in input order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const index = next++;
      if (index >= items.length) return;
      results[index] = await fn(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Retries `fn` a few times on any error (the API server answers 429/500 under load). */
export async function withRetries<T>(what: string, fn: () => Promise<T>, attempts = 5): Promise<T> {
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      return await fn();
    } catch (err) {
      last = err;
      await sleep(200 * 2 ** i);
    }
  }
  throw new Error(`${what}: ${last instanceof Error ? last.message : String(last)}`);
}

/**
 * Polls `check` every `everyMs` until it returns a value, or throws after `timeoutMs`; a throw
 * from `check` ends the wait at once (test/support/wait-for.ts does the polling).
 */
export function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  everyMs = 200,
): Promise<T> {
  return pollFor(what, check, timeoutMs, everyMs, "fail");
}
