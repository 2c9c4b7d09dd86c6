// A per-token hourly request budget, as DNSimple reports it in X-RateLimit-Limit,
// X-RateLimit-Remaining and X-RateLimit-Reset (Unix seconds). A token's window opens with
// its first request and lasts an hour; the clock is passed in, so this is easy to test.

export const ONE_HOUR_MS = 3_600_000;

export interface RateLimitStatus {
  allowed: boolean;
  limit: number;
  remaining: number;
  resetAtSeconds: number;
}

interface Window {
  startMs: number;
  used: number;
}

export class RateLimiter {
  readonly #windowMs: number;
  readonly #windows = new Map<string, Window>();

  constructor(windowMs: number = ONE_HOUR_MS) {
    this.#windowMs = windowMs;
  }

  /** Counts one request against the key's budget, unless the budget is spent. */
  consume(key: string, limit: number, nowMs: number): RateLimitStatus {
    const window = this.#currentWindow(key, nowMs);
    const allowed = window.used < limit;
    if (allowed) window.used += 1;
    return { ...this.#status(window, limit), allowed };
  }

  /** The budget as it stands, without counting a request. */
  peek(key: string, limit: number, nowMs: number): RateLimitStatus {
    const window = this.#currentWindow(key, nowMs);
    return { ...this.#status(window, limit), allowed: window.used < limit };
  }

  reset(): void {
    this.#windows.clear();
  }

  #currentWindow(key: string, nowMs: number): Window {
    const existing = this.#windows.get(key);
    if (existing !== undefined && nowMs < existing.startMs + this.#windowMs) return existing;
    const fresh = { startMs: nowMs, used: 0 };
    this.#windows.set(key, fresh);
    return fresh;
  }

  #status(window: Window, limit: number): Omit<RateLimitStatus, "allowed"> {
    return {
      limit,
      remaining: Math.max(0, limit - window.used),
      resetAtSeconds: Math.ceil((window.startMs + this.#windowMs) / 1000),
    };
  }
}
