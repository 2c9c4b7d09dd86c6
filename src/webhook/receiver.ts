// The DNSimple webhook receiver (optional, own port): a certificate event only enqueues the
// resources holding that certificate id and, for certificate.issue and reissue (an
// auto-renewal is a new certificate), hints the auto-renewing resources of its common name;
// they then look again through the API. Redelivered events (the same request_identifier) are
// dropped. The payload
// is never trusted as data (DNSimple does not sign it): it is a hint to look sooner than the
// next poll, nothing more. A secret path component guards it; anything unknown or malformed is
// answered and ignored.
import { timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { Address } from "../config.ts";
import { type CertificateEvent, ISSUE_EVENTS, readEvent, SeenRequests } from "./events.ts";

export type WebhookOutcome = "enqueued" | "ignored" | "duplicate" | "malformed" | "unauthorized";

export interface WebhookReceiverOptions {
  address: Address;
  token: string;
  /** Enqueues the resources holding this certificate id; returns how many. */
  enqueueCertificate: (certificateId: number) => number;
  /**
   * DNSimple issued a certificate for this common name (an auto-renewal is a new certificate no
   * resource holds yet): the auto-renewing resources serving it look at once; returns how many.
   */
  hintAutoRenewals?: (commonName: string) => number;
  onEvent?: (name: string, outcome: WebhookOutcome) => void;
}

const MAX_BODY_BYTES = 1024 * 1024;

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

interface Reply {
  status: number;
  text: string;
  event: string;
  outcome: WebhookOutcome;
}

/** What to answer a posted body, having made the resources it concerns look again. */
function replyTo(body: Buffer, seen: SeenRequests, options: WebhookReceiverOptions): Reply {
  let payload: unknown;
  try {
    payload = JSON.parse(body.toString("utf8"));
  } catch {
    return { status: 400, text: "not JSON", event: "", outcome: "malformed" };
  }
  const event = readEvent(payload);
  if (!event) return { status: 400, text: "not a DNSimple event", event: "", outcome: "malformed" };
  const { name } = event;
  // At-least-once delivery: a redelivered event was acted on already.
  if (event.requestIdentifier && !seen.firstTime(event.requestIdentifier)) {
    return { status: 200, text: "duplicate", event: name, outcome: "duplicate" };
  }
  if (event.certificateId === undefined) {
    return { status: 200, text: "ignored", event: name, outcome: "ignored" };
  }
  const looking = act(event, event.certificateId, options);
  const outcome = looking > 0 ? "enqueued" : "ignored";
  return { status: 202, text: `looking again at ${looking} resource(s)`, event: name, outcome };
}

/** Makes the resources the event concerns look again; how many. */
function act(
  event: CertificateEvent,
  certificateId: number,
  options: WebhookReceiverOptions,
): number {
  const holding = options.enqueueCertificate(certificateId);
  const renewing =
    ISSUE_EVENTS.has(event.name) && event.commonName
      ? (options.hintAutoRenewals?.(event.commonName) ?? 0)
      : 0;
  return holding + renewing;
}

export function startWebhookReceiver(options: WebhookReceiverOptions): Promise<Server> {
  const seen = new SeenRequests();
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
      const reply = replyTo(Buffer.concat(chunks), seen, options);
      options.onEvent?.(reply.event, reply.outcome);
      answer(reply.status, reply.text);
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.address.port, options.address.host, () => resolve(server));
  });
}
