// DNSimple's hourly request budget per token, as its answers report it in
// X-RateLimit-Limit, X-RateLimit-Remaining and X-RateLimit-Reset (Unix seconds).
//
// One RateLimitBudget serves the whole operator: every client made for the same token
// (one per credentials Secret, rebuilt whenever it likes) shares that token's budget, so
// all reconciles together stop before the budget runs out instead of each finding out
// with a 429. Tokens are kept only as a SHA-256 digest.
import { createHash } from "node:crypto";

/**
 * Requests kept in hand by default: other users of the same token (scripts, DNSimple's
 * own UI) and requests already in flight elsewhere still find some budget.
 */
export const DEFAULT_RATE_LIMIT_RESERVE = 10;

export interface RateLimitSnapshot {
  /** Requests per hour. */
  limit: number;
  /** Requests left until resetAt, less the ones sent since the last answer. */
  remaining: number;
  resetAt: Date;
  /**
   * How long a window lasts: an hour at DNSimple, learned from two successive windows' resets
   * (a simulator's may be scaled down).
   */
  windowMs: number;
  /**
   * True once windowMs was measured (two successive windows' resets seen); until then it is
   * DNSimple's hour, which a scaled-down window is far shorter than.
   */
  windowMeasured: boolean;
  /** Assumed, not reported: the known window's reset passed and no answer has told the next. */
  assumed?: boolean;
}

/** DNSimple's rate-limit window. */
export const RATE_LIMIT_WINDOW_MS = 3_600_000;

export interface RateLimitBudgetOptions {
  /**
   * No request is sent while the known remaining budget is at or below this, until the
   * reset (the caller gets a DnsimpleRateLimitedError with the reset as retryAt instead).
   */
  reserve?: number;
  /** The clock, in epoch milliseconds; replaceable for tests. */
  now?: () => number;
}

/** What stops a request: the budget as known, and the reserve it is at or below. */
export interface RateLimitRefusal {
  limit: number;
  remaining: number;
  reserve: number;
  resetAt: Date;
}

export class RateLimitBudget {
  readonly reserve: number;
  readonly #now: () => number;
  // Keyed by the token's digest (hex), never by the token.
  readonly #budgets = new Map<string, TokenBudgetState>();

  constructor(options: RateLimitBudgetOptions = {}) {
    const reserve = options.reserve ?? DEFAULT_RATE_LIMIT_RESERVE;
    if (!(Number.isInteger(reserve) && reserve >= 0)) {
      throw new RangeError(`rate limit reserve must be a non-negative integer, got ${reserve}`);
    }
    this.reserve = reserve;
    this.#now = options.now ?? Date.now;
  }

  /**
   * The budget of one token, for a client to check and update. Clients made for the same
   * token get views of the same state.
   */
  forToken(token: string): TokenRateLimit {
    const key = tokenDigest(token);
    let state = this.#budgets.get(key);
    if (state === undefined) {
      state = new TokenBudgetState();
      this.#budgets.set(key, state);
    }
    return new TokenRateLimit(state, this.reserve, this.#now, key);
  }

  /** Forgets a token's budget, named by its SHA-256 digest (hex): the token is gone. */
  forgetDigest(digest: string): void {
    this.#budgets.delete(digest);
  }

  /**
   * Forgets the budgets of tokens not in `keep` whose last known window ended more than
   * `idleMs` ago (or that never got an answer): tokens no longer used, e.g. an issuer's token
   * checked by whoami until the issuer was deleted. Returns their digests.
   */
  forgetStale(keep: ReadonlySet<string>, idleMs: number): string[] {
    const forgotten: string[] = [];
    for (const [key, state] of this.#budgets) {
      if (keep.has(key)) continue;
      const resetAtMs = state.current?.resetAtMs ?? Number.NEGATIVE_INFINITY;
      if (this.#now() - resetAtMs < idleMs) continue;
      this.#budgets.delete(key);
      forgotten.push(key);
    }
    return forgotten;
  }

  /** The token's budget as last known, or undefined before any answer for it. */
  snapshot(token: string): RateLimitSnapshot | undefined {
    return this.#budgets.get(tokenDigest(token))?.snapshot();
  }

  /**
   * Every token's budget, each named by a short fingerprint of the token (for metrics and
   * logs; it cannot be turned back into the token).
   */
  snapshots(): Array<RateLimitSnapshot & { tokenFingerprint: string }> {
    const all: Array<RateLimitSnapshot & { tokenFingerprint: string }> = [];
    for (const [key, state] of this.#budgets) {
      const snapshot = state.snapshot();
      if (snapshot !== undefined) all.push({ tokenFingerprint: key.slice(0, 12), ...snapshot });
    }
    return all;
  }
}

/** One token's budget as a client sees it. */
export class TokenRateLimit {
  readonly #state: TokenBudgetState;
  readonly #reserve: number;
  readonly #now: () => number;
  /** The token's SHA-256 digest (hex): what names this budget, never the token. */
  readonly budgetKey: string;

  constructor(state: TokenBudgetState, reserve: number, now: () => number, budgetKey: string) {
    this.#state = state;
    this.#reserve = reserve;
    this.#now = now;
    this.budgetKey = budgetKey;
  }

  /** Requests kept in hand (see RateLimitBudgetOptions.reserve). */
  get reserve(): number {
    return this.#reserve;
  }

  /**
   * The budget in force now: as last reported while its window lasts; once the reset has passed,
   * a fresh window assumed (the full limit, ending a window from now) until an answer tells the
   * real one. Undefined before any answer.
   */
  current(): RateLimitSnapshot | undefined {
    this.#state.at(this.#now());
    return this.#state.snapshot();
  }

  /**
   * Called before sending: undefined and one request counted against the budget when it
   * may go, or what stops it. After a reset the assumed fresh window counts the requests sent
   * before its first answer, so a crowd waiting for the reset does not all go at once.
   */
  claim(): RateLimitRefusal | undefined {
    const known = this.#state.at(this.#now());
    if (known === undefined) return undefined;
    if (known.remaining <= this.#reserve) {
      return {
        limit: known.limit,
        remaining: known.remaining,
        reserve: this.#reserve,
        resetAt: new Date(known.resetAtMs),
      };
    }
    // Counted now, so concurrent requests see each other before their answers arrive.
    known.remaining -= 1;
    return undefined;
  }

  /**
   * Called with every answer's headers (errors too). Answers without the three headers
   * change nothing.
   */
  record(headers: RateLimitHeaders): void {
    const reported = parseRateLimitHeaders(headers);
    if (reported !== undefined) this.#state.update(reported);
  }

  snapshot(): RateLimitSnapshot | undefined {
    return this.#state.snapshot();
  }
}

export interface RateLimitHeaders {
  limit: string | undefined;
  remaining: string | undefined;
  reset: string | undefined;
}

interface KnownBudget {
  limit: number;
  remaining: number;
  resetAtMs: number;
  /** Assumed after a reset, not reported: the first answer replaces it. */
  assumed?: boolean;
}

class TokenBudgetState {
  current: KnownBudget | undefined;
  windowMs = RATE_LIMIT_WINDOW_MS;
  windowMeasured = false;
  /** The reset of the last window an answer reported. */
  #reportedResetAtMs: number | undefined;

  /** The window in force at `nowMs`, a fresh one assumed once the known one's reset passed. */
  at(nowMs: number): KnownBudget | undefined {
    const known = this.current;
    if (known === undefined || known.resetAtMs > nowMs) return known;
    // DNSimple's next window opens with the next request: it ends a window from about now.
    this.current = {
      limit: known.limit,
      remaining: known.limit,
      resetAtMs: nowMs + this.windowMs,
      assumed: true,
    };
    return this.current;
  }

  update(reported: KnownBudget): void {
    const known = this.current;
    const last = this.#reportedResetAtMs;
    if (known?.assumed && last !== undefined && reported.resetAtMs <= last) return; // stale
    if (known === undefined || known.assumed || reported.resetAtMs > known.resetAtMs) {
      // The first answer, or one from a newer window: the next one, when its reset is at most
      // an hour on (a gap longer than that means windows passed unseen).
      const step = last === undefined ? 0 : reported.resetAtMs - last;
      if (step > 0 && step <= RATE_LIMIT_WINDOW_MS) {
        this.windowMs = step;
        this.windowMeasured = true;
      }
      this.#reportedResetAtMs = reported.resetAtMs;
      this.current = { ...reported };
    } else if (reported.resetAtMs === known.resetAtMs) {
      // Answers to concurrent requests arrive in any order: the lowest count is the latest.
      known.limit = reported.limit;
      known.remaining = Math.min(known.remaining, reported.remaining);
    }
    // An answer about an older window is stale: ignored.
  }

  snapshot(): RateLimitSnapshot | undefined {
    const known = this.current;
    if (known === undefined) return undefined;
    return {
      limit: known.limit,
      remaining: known.remaining,
      resetAt: new Date(known.resetAtMs),
      windowMs: this.windowMs,
      windowMeasured: this.windowMeasured,
      ...(known.assumed ? { assumed: true } : {}),
    };
  }
}

/** The reset header as a Date, or undefined when it is missing or not a Unix time. */
export function parseRateLimitReset(reset: string | undefined): Date | undefined {
  const seconds = parseCount(reset);
  return seconds === undefined ? undefined : new Date(seconds * 1000);
}

function parseRateLimitHeaders(headers: RateLimitHeaders): KnownBudget | undefined {
  const limit = parseCount(headers.limit);
  const remaining = parseCount(headers.remaining);
  const resetAt = parseRateLimitReset(headers.reset);
  if (limit === undefined || remaining === undefined || resetAt === undefined) return undefined;
  return { limit, remaining, resetAtMs: resetAt.getTime() };
}

function parseCount(text: string | undefined): number | undefined {
  if (text === undefined || !/^\s*\d+\s*$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}

/** A token's SHA-256 digest (hex): how every map of per-token state names a token. */
export function tokenDigest(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}
