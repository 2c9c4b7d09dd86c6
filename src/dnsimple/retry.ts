// When the client tries a request again, and when it never does.
//
// - A GET that met a network error, a timeout or a 5xx is retried with jittered
//   exponential backoff (p-retry): reading twice is harmless.
// - A POST is never retried on those: DNSimple orders carry no idempotency key, so a POST
//   that may have been processed and is sent again can be a second purchase. The error
//   says the outcome is unknown and the caller looks before ordering again.
// - A rate-limit refusal (DNSimple's 429 or the local budget) means the request was not
//   processed, so any method is sent again once the limit resets, if that is soon enough
//   to wait for in place; otherwise the caller gets the error and requeues.
// - Everything else (400, 401, 404, 412, 428, unreadable answers) goes to the caller as is.
import { setTimeout as sleep } from "node:timers/promises";
import pRetry from "p-retry";
import type { ApiRequest } from "./endpoints.ts";
import { DnsimpleRateLimitedError, DnsimpleUnavailableError } from "./errors.ts";

export interface RetryOptions {
  /** Further attempts after the first, for GETs. */
  retries: number;
  /** The first backoff; each next one doubles, times a random factor from 1 to 2. */
  minTimeoutMs: number;
  maxTimeoutMs: number;
}

export interface RetryPolicy extends RetryOptions {
  /** The longest wait for a rate-limit reset the client does in place. */
  maxRateLimitWaitMs: number;
}

export const DEFAULT_RETRY: RetryOptions = { retries: 3, minTimeoutMs: 500, maxTimeoutMs: 8_000 };
export const DEFAULT_MAX_RATE_LIMIT_WAIT_MS = 10_000;

// Waits for resets at most this often per request: one should do, the second covers
// a clock slightly ahead of DNSimple's.
const MAX_RATE_LIMIT_WAITS = 2;
// X-RateLimit-Reset has one-second precision: wait a little past it.
const RESET_MARGIN_MS = 100;

export async function sendWithRetries<T>(
  request: ApiRequest,
  attempt: () => Promise<T>,
  policy: RetryPolicy,
): Promise<T> {
  for (let waits = 0; ; waits++) {
    try {
      return await retryTransientFailures(request, attempt, policy);
    } catch (error) {
      if (!(error instanceof DnsimpleRateLimitedError) || waits >= MAX_RATE_LIMIT_WAITS) {
        throw error;
      }
      const waitMs = error.retryAt.getTime() - Date.now();
      if (waitMs > policy.maxRateLimitWaitMs) throw error;
      await sleep(Math.max(0, waitMs) + RESET_MARGIN_MS);
    }
  }
}

function retryTransientFailures<T>(
  request: ApiRequest,
  attempt: () => Promise<T>,
  policy: RetryOptions,
): Promise<T> {
  return pRetry(attempt, {
    retries: request.method === "GET" ? policy.retries : 0,
    factor: 2,
    minTimeout: policy.minTimeoutMs,
    maxTimeout: policy.maxTimeoutMs,
    randomize: true,
    shouldRetry: ({ error }) => error instanceof DnsimpleUnavailableError,
  });
}
