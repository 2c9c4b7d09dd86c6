// One attempt at one DNSimple request: check the token's rate-limit budget, send with
// axios, record the budget the answer reports, tell the metrics hook, and turn the outcome
// into the answer read by `read` or a DnsimpleError. Retrying is retry.ts's business.
//
// The token lives only in this object's private field and the Authorization header of
// the requests; axios errors (which carry that header in their config) never leave here.
import axios, { type AxiosInstance, type AxiosResponse, isAxiosError } from "axios";
import { MalformedAnswerError, readErrorAnswer } from "./answers.ts";
import type { ApiRequest } from "./endpoints.ts";
import {
  type DnsimpleError,
  DnsimpleNotAllowedError,
  DnsimpleNotFoundError,
  DnsimpleNotReadyError,
  DnsimpleProtocolError,
  DnsimpleRateLimitedError,
  DnsimpleRejectedError,
  DnsimpleUnauthorizedError,
  DnsimpleUnavailableError,
  type HttpMethod,
  type RequestDescription,
} from "./errors.ts";
import { parseRateLimitReset, type TokenRateLimit } from "./rate-limit.ts";

/** What the metrics hook hears about every request that went out (retries included). */
export interface ResponseInfo {
  method: HttpMethod;
  /** The endpoint's template, e.g. "GET /v2/:account/domains/:domain/certificates/:certificate". */
  endpoint: string;
  /** The HTTP status, or "error" when there was no answer (timeout, network). */
  status: number | "error";
  durationMs: number;
}

export interface TransportOptions {
  /** e.g. https://api.dnsimple.com; request paths start with /v2. */
  baseUrl: string;
  token: string;
  rateLimit: TokenRateLimit;
  userAgent: string;
  timeoutMs: number;
  onResponse: ((info: ResponseInfo) => void) | undefined;
}

// A 429 without a usable X-RateLimit-Reset: try again after this long.
const RATE_LIMIT_FALLBACK_WAIT_MS = 60_000;
const MAX_ANSWER_BYTES = 16 * 1024 * 1024;

// Failures before a connection existed: DNSimple cannot have seen the request.
const NOT_SENT_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EADDRNOTAVAIL",
  "ERR_INVALID_URL",
  "CERT_HAS_EXPIRED",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);
// ERR_CANCELED: the attempt's deadline signal fired (nothing else cancels requests).
const TIMEOUT_CODES = new Set(["ETIMEDOUT", "ECONNABORTED", "ERR_CANCELED"]);

export class DnsimpleTransport {
  readonly #http: AxiosInstance;
  readonly #token: string;
  readonly #rateLimit: TokenRateLimit;
  readonly #timeoutMs: number;
  readonly #onResponse: ((info: ResponseInfo) => void) | undefined;

  constructor(options: TransportOptions) {
    this.#token = options.token;
    this.#rateLimit = options.rateLimit;
    this.#timeoutMs = options.timeoutMs;
    this.#onResponse = options.onResponse;
    this.#http = axios.create({
      baseURL: options.baseUrl,
      allowAbsoluteUrls: false,
      timeout: options.timeoutMs,
      // Every status is an answer to read here; axios throws only when there is none.
      validateStatus: () => true,
      // Redirects could carry the token elsewhere; DNSimple's API does not redirect.
      maxRedirects: 0,
      maxContentLength: MAX_ANSWER_BYTES,
      // The raw text, so an answer that is not JSON is seen as such.
      responseType: "text",
      transformResponse: [(data: unknown) => data],
      transitional: { clarifyTimeoutError: true },
      headers: { Accept: "application/json", "User-Agent": options.userAgent },
    });
  }

  async send<T>(request: ApiRequest, read: (body: unknown) => T): Promise<T> {
    const description = describe(request);
    const refusal = this.#rateLimit.claim();
    if (refusal !== undefined) {
      throw DnsimpleRateLimitedError.refusedLocally(description, {
        retryAt: refusal.resetAt,
        limit: refusal.limit,
        remaining: refusal.remaining,
        reserve: refusal.reserve,
      });
    }

    const startedAt = performance.now();
    let response: AxiosResponse<unknown>;
    try {
      response = await this.#http.request<unknown>({
        method: request.method,
        url: request.path,
        params: request.query,
        data: request.body,
        headers: { Authorization: `Bearer ${this.#token}` },
        // axios' own timeout is an idle timeout once connected: an answer that trickles in
        // would hold a worker forever. This bounds the whole attempt.
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      this.#report(request, "error", startedAt);
      throw this.#transportFailure(description, error);
    }
    this.#report(request, response.status, startedAt);
    this.#rateLimit.record({
      limit: headerOf(response, "x-ratelimit-limit"),
      remaining: headerOf(response, "x-ratelimit-remaining"),
      reset: headerOf(response, "x-ratelimit-reset"),
    });

    const body = parseJson(response.data);
    if (response.status < 200 || response.status > 299) {
      throw this.#answerFailure(description, response, body.ok ? body.value : undefined);
    }
    if (!body.ok) throw new DnsimpleProtocolError(description, response.status, body.problem);
    try {
      return read(body.value);
    } catch (error) {
      if (error instanceof MalformedAnswerError) {
        throw new DnsimpleProtocolError(description, response.status, error.message);
      }
      throw error;
    }
  }

  #answerFailure(
    request: RequestDescription,
    response: AxiosResponse<unknown>,
    body: unknown,
  ): DnsimpleError {
    const { status } = response;
    const answer = readErrorAnswer(body);
    const apiMessage = answer.message === undefined ? undefined : this.#redact(answer.message);
    switch (status) {
      case 400:
      case 422: {
        const errors = Object.fromEntries(
          Object.entries(answer.errors).map(([field, problems]) => [
            field,
            problems.map((problem) => this.#redact(problem)),
          ]),
        );
        return new DnsimpleRejectedError(request, status, apiMessage, errors);
      }
      case 401:
      case 403:
        return new DnsimpleUnauthorizedError(request, status, apiMessage);
      case 402:
      case 412:
        return new DnsimpleNotAllowedError(request, status, apiMessage);
      case 404:
        return new DnsimpleNotFoundError(request, apiMessage);
      case 428:
        return new DnsimpleNotReadyError(request, apiMessage);
      case 429: {
        const reset = parseRateLimitReset(headerOf(response, "x-ratelimit-reset"));
        return DnsimpleRateLimitedError.answered(request, apiMessage, {
          retryAt: reset ?? new Date(Date.now() + RATE_LIMIT_FALLBACK_WAIT_MS),
          limit: numberOrUndefined(headerOf(response, "x-ratelimit-limit")),
          remaining: numberOrUndefined(headerOf(response, "x-ratelimit-remaining")),
        });
      }
    }
    if (status >= 500) return DnsimpleUnavailableError.serverError(request, status, apiMessage);
    return new DnsimpleProtocolError(request, status, `unexpected status ${status}`);
  }

  // Only the error's code and message are kept: its config holds the request headers.
  #transportFailure(request: RequestDescription, error: unknown): DnsimpleError {
    if (!isAxiosError(error)) {
      const detail = error instanceof Error ? error.message : String(error);
      return DnsimpleUnavailableError.network(request, this.#redact(detail), true);
    }
    const code = error.code ?? "";
    if (TIMEOUT_CODES.has(code)) return DnsimpleUnavailableError.timeout(request, this.#timeoutMs);
    if (code === "ERR_BAD_RESPONSE" || code === "ERR_FR_MAX_CONTENT_LENGTH_EXCEEDED") {
      return new DnsimpleProtocolError(request, undefined, this.#redact(error.message));
    }
    const detail = this.#redact(code === "" ? error.message : `${error.message} (${code})`);
    return DnsimpleUnavailableError.network(request, detail, !NOT_SENT_CODES.has(code));
  }

  // DNSimple has no reason to echo the token, but nothing it says is trusted to be clean.
  #redact(text: string): string {
    return text.split(this.#token).join("[REDACTED]");
  }

  #report(request: ApiRequest, status: number | "error", startedAt: number): void {
    if (this.#onResponse === undefined) return;
    const info = {
      method: request.method,
      endpoint: request.endpoint,
      status,
      durationMs: performance.now() - startedAt,
    };
    try {
      this.#onResponse(info);
    } catch {
      // A broken metrics hook must not turn a purchase that happened into a failure (the
      // caller would order again).
    }
  }
}

function describe(request: ApiRequest): RequestDescription {
  return { method: request.method, path: request.path, endpoint: request.endpoint };
}

type ParsedBody = { ok: true; value: unknown } | { ok: false; problem: string };

function parseJson(data: unknown): ParsedBody {
  if (typeof data !== "string") return { ok: true, value: data };
  if (data.trim() === "") return { ok: false, problem: "the answer is empty" };
  try {
    return { ok: true, value: JSON.parse(data) };
  } catch {
    return { ok: false, problem: "the answer is not JSON" };
  }
}

function headerOf(response: AxiosResponse<unknown>, name: string): string | undefined {
  const value: unknown = response.headers[name];
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  if (Array.isArray(value) && typeof value[0] === "string") return value[0];
  return undefined;
}

function numberOrUndefined(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d+$/.test(text.trim())) return undefined;
  return Number(text);
}
