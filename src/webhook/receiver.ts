// The DNSimple webhook receiver (optional, own port): a certificate event only enqueues the
// resources holding that certificate id, which then look again through the API. The payload
// is never trusted as data (DNSimple does not sign it): it is a hint to look sooner than the
// next poll, nothing more. A secret path component guards it; anything unknown or malformed is
// answered and ignored.
import { timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { Address } from "../config.ts";

export type WebhookOutcome = "enqueued" | "ignored" | "malformed" | "unauthorized";

export interface WebhookReceiverOptions {
  address: Address;
  token: string;
  /** Enqueues the resources holding this certificate id; returns how many. */
  enqueueCertificate: (certificateId: number) => number;
  onEvent?: (name: string, outcome: WebhookOutcome) => void;
}

const MAX_BODY_BYTES = 1024 * 1024;

/** The certificate id of a DNSimple certificate event, or undefined for anything else. */
export function certificateIdOf(payload: unknown): { name: string; id?: number } | undefined {
  if (!payload || typeof payload !== "object" || !("name" in payload)) return undefined;
  const { name } = payload;
  if (typeof name !== "string") return undefined;
  if (!name.startsWith("certificate.")) return { name };
  const data = "data" in payload ? payload.data : undefined;
  const certificate =
    data && typeof data === "object" && "certificate" in data ? data.certificate : undefined;
  const id =
    certificate && typeof certificate === "object" && "id" in certificate
      ? certificate.id
      : undefined;
  return typeof id === "number" && Number.isInteger(id) && id > 0 ? { name, id } : undefined;
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function startWebhookReceiver(options: WebhookReceiverOptions): Promise<Server> {
  const server = createServer((req, res) => {
    const answer = (status: number, text: string) =>
      res.writeHead(status, { "content-type": "text/plain" }).end(text);
    const [, prefix, given, ...rest] = (req.url ?? "/").split("?")[0]?.split("/") ?? [];
    // Wrong path or token: a plain 404, saying nothing about which part was wrong.
    if (prefix !== "webhook" || rest.length > 0 || !given || !sameSecret(given, options.token)) {
      options.onEvent?.("", "unauthorized");
      answer(404, "not found");
      return;
    }
    if (req.method !== "POST") {
      answer(405, "POST DNSimple webhook events here");
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        answer(413, "too large");
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (res.headersSent) return;
      let payload: unknown;
      try {
        payload = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        options.onEvent?.("", "malformed");
        answer(400, "not JSON");
        return;
      }
      const event = certificateIdOf(payload);
      if (!event) {
        options.onEvent?.("", "malformed");
        answer(400, "not a DNSimple event");
        return;
      }
      if (event.id === undefined) {
        options.onEvent?.(event.name, "ignored");
        answer(200, "ignored");
        return;
      }
      const enqueued = options.enqueueCertificate(event.id);
      options.onEvent?.(event.name, enqueued > 0 ? "enqueued" : "ignored");
      answer(202, `looking again at ${enqueued} resource(s)`);
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.address.port, options.address.host, () => resolve(server));
  });
}
