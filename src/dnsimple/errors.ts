// What can go wrong talking to DNSimple, one class per thing a person or the controller
// does about it. Every error carries a stable `reason` (the Ready condition's reason), the
// HTTP status when there was one, the request's method and path (account id kept), and
// whether trying again later may help.
//
// Nothing secret is ever put in an error: no token, no Authorization header, no request
// body, no private key. The client builds these from the answer's status and DNSimple's
// `message`/`errors` only, and never lets an AxiosError (which holds the request headers)
// escape.
import { STATUS_CODES } from "node:http";

export type DnsimpleErrorReason =
  | "Unauthorized"
  | "NotFound"
  | "Rejected"
  | "NotAllowed"
  | "NotReady"
  | "RateLimited"
  | "ApiUnavailable"
  | "ProtocolError";

export type HttpMethod = "GET" | "POST";

/** The request a failure belongs to. */
export interface RequestDescription {
  method: HttpMethod;
  /** The path sent, e.g. /v2/1010/domains/example.com/certificates/5 (no query string). */
  path: string;
  /** The endpoint's template, e.g. GET /v2/:account/domains/:domain/certificates/:certificate. */
  endpoint: string;
}

export abstract class DnsimpleError extends Error {
  abstract readonly reason: DnsimpleErrorReason;
  // Whether sending the same request again later, unchanged, may succeed without anyone
  // fixing anything (a token, the spec, the plan). The client has already retried what it
  // retries itself; this tells the controller whether to requeue with backoff.
  abstract readonly retryable: boolean;
  // The HTTP status, or undefined when there was no answer (timeout, network, refused
  // locally).
  readonly status: number | undefined;
  readonly method: HttpMethod;
  readonly path: string;
  readonly endpoint: string;
  // DNSimple's own `message`, when it answered one.
  readonly apiMessage: string | undefined;
  // True for a POST that DNSimple may have processed although the client could not tell
  // (no answer, a 5xx, an unreadable answer). An order is a purchase and carries no
  // idempotency key: look (list the domain's certificates) before sending it again.
  readonly outcomeUnknown: boolean;

  protected constructor(
    message: string,
    request: RequestDescription,
    details: { status?: number; apiMessage?: string; outcomeUnknown?: boolean; cause?: Error },
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.status = details.status;
    this.method = request.method;
    this.path = request.path;
    this.endpoint = request.endpoint;
    this.apiMessage = details.apiMessage;
    this.outcomeUnknown = details.outcomeUnknown ?? false;
  }
}

/** 401 (and 403): the token is wrong, revoked, or may not do this. */
export class DnsimpleUnauthorizedError extends DnsimpleError {
  readonly reason = "Unauthorized";
  readonly retryable = false;

  constructor(request: RequestDescription, status: number, apiMessage: string | undefined) {
    super(answeredMessage(request, status, apiMessage), request, { status, apiMessage });
  }
}

export type NotFoundResource = "account" | "domain" | "certificate" | "renewal";

/**
 * 404. `resource` is what DNSimple said was missing (its message names it, e.g. "Domain
 * `example.org` not found"), or undefined when it did not say.
 */
export class DnsimpleNotFoundError extends DnsimpleError {
  readonly reason = "NotFound";
  readonly retryable = false;
  readonly resource: NotFoundResource | undefined;

  constructor(request: RequestDescription, apiMessage: string | undefined) {
    super(answeredMessage(request, 404, apiMessage), request, { status: 404, apiMessage });
    this.resource = missingResource(apiMessage);
  }
}

/** Field name to problems, as DNSimple gives them, e.g. {"name": ["is invalid"]}. */
export type ValidationErrors = Record<string, string[]>;

/** 400 (and 422): DNSimple refused the request as invalid or in the wrong state. */
export class DnsimpleRejectedError extends DnsimpleError {
  readonly reason = "Rejected";
  readonly retryable = false;
  readonly errors: ValidationErrors;

  constructor(
    request: RequestDescription,
    status: number,
    apiMessage: string | undefined,
    errors: ValidationErrors,
  ) {
    const problems = Object.entries(errors)
      .map(([field, messages]) => `${field}: ${messages.join(", ")}`)
      .join("; ");
    const message = answeredMessage(request, status, apiMessage);
    super(problems === "" ? message : `${message} (${problems})`, request, { status, apiMessage });
    this.errors = errors;
  }
}

/**
 * 412 (and 402): the account's plan does not allow this (custom names, alternate names,
 * wildcards need a Professional or Enterprise plan).
 */
export class DnsimpleNotAllowedError extends DnsimpleError {
  readonly reason = "NotAllowed";
  readonly retryable = false;

  constructor(request: RequestDescription, status: number, apiMessage: string | undefined) {
    super(answeredMessage(request, status, apiMessage), request, { status, apiMessage });
  }
}

/**
 * 428: the certificate or its private key cannot be downloaded: not issued yet, or (for a
 * private key) removed from DNSimple after issuance.
 */
export class DnsimpleNotReadyError extends DnsimpleError {
  readonly reason = "NotReady";
  readonly retryable = true;

  constructor(request: RequestDescription, apiMessage: string | undefined) {
    super(answeredMessage(request, 428, apiMessage), request, { status: 428, apiMessage });
  }
}

/**
 * The rate limit: DNSimple answered 429, or the client refused to send because the
 * token's known budget is down to the reserve (status undefined, refusedLocally true).
 * Either way the request was not processed; try again at `retryAt`.
 */
export class DnsimpleRateLimitedError extends DnsimpleError {
  readonly reason = "RateLimited";
  readonly retryable = true;
  readonly retryAt: Date;
  readonly refusedLocally: boolean;
  readonly limit: number | undefined;
  readonly remaining: number | undefined;

  private constructor(
    message: string,
    request: RequestDescription,
    fields: {
      retryAt: Date;
      refusedLocally: boolean;
      limit: number | undefined;
      remaining: number | undefined;
      status?: number;
      apiMessage?: string;
    },
  ) {
    super(message, request, { status: fields.status, apiMessage: fields.apiMessage });
    this.retryAt = fields.retryAt;
    this.refusedLocally = fields.refusedLocally;
    this.limit = fields.limit;
    this.remaining = fields.remaining;
  }

  static answered(
    request: RequestDescription,
    apiMessage: string | undefined,
    budget: { retryAt: Date; limit: number | undefined; remaining: number | undefined },
  ): DnsimpleRateLimitedError {
    const message = `${answeredMessage(request, 429, apiMessage)}; the rate limit resets at ${budget.retryAt.toISOString()}`;
    return new DnsimpleRateLimitedError(message, request, {
      ...budget,
      refusedLocally: false,
      status: 429,
      apiMessage,
    });
  }

  static refusedLocally(
    request: RequestDescription,
    budget: { retryAt: Date; limit: number; remaining: number; reserve: number },
  ): DnsimpleRateLimitedError {
    const message =
      `Did not send ${request.method} ${request.path}: the token's DNSimple rate limit is down ` +
      `to ${budget.remaining} of ${budget.limit} requests (reserve ${budget.reserve}) until ` +
      budget.retryAt.toISOString();
    return new DnsimpleRateLimitedError(message, request, {
      retryAt: budget.retryAt,
      refusedLocally: true,
      limit: budget.limit,
      remaining: budget.remaining,
    });
  }
}

export type UnavailableFailure = "server-error" | "timeout" | "network";

/**
 * 5xx, a timeout, or a network failure. For a POST that may have reached DNSimple,
 * `outcomeUnknown` is true and the client did not retry it.
 */
export class DnsimpleUnavailableError extends DnsimpleError {
  readonly reason = "ApiUnavailable";
  readonly retryable = true;
  readonly failure: UnavailableFailure;

  private constructor(
    message: string,
    request: RequestDescription,
    failure: UnavailableFailure,
    details: { status?: number; apiMessage?: string; outcomeUnknown: boolean; cause?: Error },
  ) {
    super(withOutcomeWarning(message, details.outcomeUnknown), request, details);
    this.failure = failure;
  }

  static serverError(
    request: RequestDescription,
    status: number,
    apiMessage: string | undefined,
  ): DnsimpleUnavailableError {
    return new DnsimpleUnavailableError(
      answeredMessage(request, status, apiMessage),
      request,
      "server-error",
      { status, apiMessage, outcomeUnknown: request.method === "POST" },
    );
  }

  static timeout(request: RequestDescription, timeoutMs: number): DnsimpleUnavailableError {
    return new DnsimpleUnavailableError(
      `DNSimple did not answer ${request.method} ${request.path} within ${timeoutMs} ms`,
      request,
      "timeout",
      { outcomeUnknown: request.method === "POST" },
    );
  }

  /** `sent` is false when the connection was never made, so DNSimple cannot have seen it. */
  static network(
    request: RequestDescription,
    detail: string,
    sent: boolean,
  ): DnsimpleUnavailableError {
    return new DnsimpleUnavailableError(
      `Could not reach DNSimple for ${request.method} ${request.path}: ${detail}`,
      request,
      "network",
      { outcomeUnknown: sent && request.method === "POST", cause: new Error(detail) },
    );
  }
}

/**
 * An answer the client cannot read: not JSON, a field of the wrong type, or a status the
 * API does not use. For a POST the request may have been processed (outcomeUnknown).
 */
export class DnsimpleProtocolError extends DnsimpleError {
  readonly reason = "ProtocolError";
  readonly retryable = false;

  constructor(request: RequestDescription, status: number | undefined, problem: string) {
    const outcomeUnknown = request.method === "POST";
    const message = `DNSimple's answer${status === undefined ? "" : ` (${status})`} to ${request.method} ${request.path} could not be read: ${problem}`;
    super(withOutcomeWarning(message, outcomeUnknown), request, { status, outcomeUnknown });
  }
}

function answeredMessage(
  request: RequestDescription,
  status: number,
  apiMessage: string | undefined,
): string {
  const statusText = STATUS_CODES[status] ?? "";
  const answer = `DNSimple answered ${status}${statusText === "" ? "" : ` ${statusText}`}`;
  const detail = apiMessage === undefined || apiMessage === "" ? "" : `: ${apiMessage}`;
  return `${answer} for ${request.method} ${request.path}${detail}`;
}

function withOutcomeWarning(message: string, outcomeUnknown: boolean): string {
  return outcomeUnknown
    ? `${message}; DNSimple may have processed the request: look before sending it again`
    : message;
}

// DNSimple's 404 messages start with what is missing, e.g. "Certificate renewal `5` not found".
function missingResource(apiMessage: string | undefined): NotFoundResource | undefined {
  const text = (apiMessage ?? "").trim().toLowerCase();
  if (text.startsWith("certificate renewal") || text.startsWith("renewal")) return "renewal";
  if (text.startsWith("certificate")) return "certificate";
  if (text.startsWith("domain")) return "domain";
  if (text.startsWith("account")) return "account";
  return undefined;
}
