// Kubernetes API failures as typed errors with a safe message. client-node's ApiException
// carries the whole response body and headers; only the status code and the Status message
// (scrubbed of key material) are kept.
import { ApiException } from "@kubernetes/client-node";
import { scrubSecrets } from "../observability/redact.ts";

export class KubeApiError extends Error {
  override name = "KubeApiError";
  readonly code: number | undefined;

  constructor(operation: string, code: number | undefined, detail: string) {
    super(`${operation} failed${code ? ` (HTTP ${code})` : ""}: ${scrubSecrets(detail)}`);
    this.code = code;
  }

  get notFound(): boolean {
    return this.code === 404;
  }

  get conflict(): boolean {
    return this.code === 409;
  }
}

function statusMessage(body: unknown): string | undefined {
  if (typeof body === "string") {
    try {
      return statusMessage(JSON.parse(body));
    } catch {
      return body.slice(0, 500);
    }
  }
  if (body && typeof body === "object" && "message" in body && typeof body.message === "string") {
    return body.message;
  }
  return undefined;
}

/** Runs a Kubernetes call and turns whatever it throws into a KubeApiError. */
export async function kubeCall<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof ApiException) {
      throw new KubeApiError(operation, err.code, statusMessage(err.body) ?? "no message");
    }
    const detail = err instanceof Error ? err.message : String(err);
    throw new KubeApiError(operation, undefined, detail);
  }
}
