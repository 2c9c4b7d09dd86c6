// Errors the simulator answers with. ApiError carries DNSimple's error body
// (`{"message": "...", "errors": {...}}`) and its HTTP status; InvalidInputError is a bad
// admin or configuration value (the admin API answers it with 400).

export type ErrorDetails = Record<string, string[]>;

export class ApiError extends Error {
  readonly status: number;
  readonly errors: ErrorDetails | undefined;

  constructor(status: number, message: string, errors?: ErrorDetails) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.errors = errors;
  }
}

export class InvalidInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidInputError";
  }
}

export function unauthorized(): ApiError {
  return new ApiError(401, "Authentication failed");
}

export type NotFoundKind = "Account" | "Domain" | "Certificate" | "Certificate renewal";

/** DNSimple's wording, e.g. "Certificate `0` not found". */
export function notFound(kind: NotFoundKind, reference: string | number): ApiError {
  return new ApiError(404, `${kind} \`${reference}\` not found`);
}

export function badRequest(message: string, errors?: ErrorDetails): ApiError {
  return new ApiError(400, message, errors);
}

export function planRequired(message: string): ApiError {
  return new ApiError(412, message);
}

export function notDownloadable(message: string): ApiError {
  return new ApiError(428, message);
}

export function rateLimited(): ApiError {
  return new ApiError(429, "Your API rate limit has been exceeded, see X-RateLimit-Reset");
}
