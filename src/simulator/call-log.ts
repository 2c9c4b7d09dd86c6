// The API requests the simulator received, for tests and people to inspect. Headers are
// never kept, and the token is scrubbed from the query string should a client put it there.
import type { Operation } from "./api-routes.ts";
import type { FaultCause } from "./faults.ts";

export interface ApiCall {
  time: string;
  method: string;
  /** Path without the query string, e.g. /v2/1010/domains/example.com/certificates. */
  path: string;
  /** Path with the query string, e.g. /v2/1010/domains/example.com/certificates?page=2. */
  pathWithQuery: string;
  /** The DNSimple operation, or null for a path the API does not have. */
  operation: Operation | null;
  /** The status answered, or null when the connection was dropped instead. */
  status: number | null;
  /** The injected fault, if one decided this call's fate. */
  fault: FaultCause | null;
  durationMs: number;
}

export const REDACTED = "[REDACTED]";

export class CallLog {
  readonly #calls: ApiCall[] = [];

  record(call: ApiCall): void {
    this.#calls.push(call);
  }

  list(): ApiCall[] {
    return this.#calls.map((call) => ({ ...call }));
  }

  size(): number {
    return this.#calls.length;
  }

  reset(): void {
    this.#calls.length = 0;
  }
}

export function redact(text: string, secret: string): string {
  if (secret === "") return text;
  return text.split(secret).join(REDACTED).split(encodeURIComponent(secret)).join(REDACTED);
}
