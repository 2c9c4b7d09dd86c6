// DNSimple webhook events, and their best-effort delivery: one POST per event, no retries
// (DNSimple retries for up to two hours), failures recorded and logged, never thrown.
import { randomUUID } from "node:crypto";
import type { Account } from "./model.ts";
import type { CertificateJson } from "./representations.ts";

export type WebhookEventName =
  | "certificate.issue"
  | "certificate.remove_private_key"
  | "certificate.auto_renewal_failed";

export interface WebhookAccount {
  id: number;
  display: string;
  identifier: string;
}

export interface WebhookActor {
  id: string;
  entity: string;
  pretty: string;
}

export interface WebhookEvent {
  name: WebhookEventName;
  api_version: "v2";
  request_identifier: string;
  data: { certificate: CertificateJson };
  account: WebhookAccount;
  actor: WebhookActor;
}

/** Asynchronous work (issuance, auto-renewal) is done by DNSimple itself. */
export const SYSTEM_ACTOR: WebhookActor = {
  id: "system",
  entity: "dnsimple",
  pretty: "support@dnsimple.com",
};

/** What a person does in the account (here: the admin API standing in for DNSimple's UI). */
export function accountActor(account: Account): WebhookActor {
  return { id: String(account.id), entity: "account", pretty: account.email };
}

export function webhookAccount(account: Account): WebhookAccount {
  return { id: account.id, display: "DNSimple Simulator", identifier: "simulator" };
}

export function buildWebhookEvent(
  name: WebhookEventName,
  certificate: CertificateJson,
  account: WebhookAccount,
  actor: WebhookActor,
  requestIdentifier: string = randomUUID(),
): WebhookEvent {
  return {
    name,
    api_version: "v2",
    request_identifier: requestIdentifier,
    data: { certificate },
    account,
    actor,
  };
}

export interface WebhookDelivery {
  name: WebhookEventName;
  requestIdentifier: string;
  certificateId: number;
  url: string;
  /** The receiver's status, or null when the POST failed (error says why). */
  status: number | null;
  error: string | null;
  time: string;
}

const DELIVERY_TIMEOUT_MS = 5_000;

export class WebhookNotifier {
  readonly #targetUrl: () => string | null;
  readonly #log: (line: string) => void;
  readonly #deliveries: WebhookDelivery[] = [];
  readonly #inFlight = new Set<Promise<void>>();
  readonly #abort = new AbortController();

  constructor(targetUrl: () => string | null, log: (line: string) => void) {
    this.#targetUrl = targetUrl;
    this.#log = log;
  }

  send(event: WebhookEvent): void {
    const url = this.#targetUrl();
    if (url === null || this.#abort.signal.aborted) return;
    const delivery = this.#deliver(url, event);
    this.#inFlight.add(delivery);
    void delivery.finally(() => this.#inFlight.delete(delivery));
  }

  deliveries(): WebhookDelivery[] {
    return this.#deliveries.map((delivery) => ({ ...delivery }));
  }

  // Aborts deliveries still in flight and waits for them to settle.
  async close(): Promise<void> {
    this.#abort.abort();
    await Promise.allSettled([...this.#inFlight]);
  }

  async #deliver(url: string, event: WebhookEvent): Promise<void> {
    let status: number | null = null;
    let error: string | null = null;
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": "DNSimple-Webhook-Notifier/simulator",
        },
        body: JSON.stringify(event),
        signal: AbortSignal.any([this.#abort.signal, AbortSignal.timeout(DELIVERY_TIMEOUT_MS)]),
      });
      status = response.status;
      await response.body?.cancel();
      if (!response.ok) error = `receiver answered ${response.status}`;
    } catch (cause) {
      error = cause instanceof Error ? (cause.cause?.toString() ?? cause.message) : String(cause);
    }
    this.#deliveries.push({
      name: event.name,
      requestIdentifier: event.request_identifier,
      certificateId: event.data.certificate.id,
      url,
      status,
      error,
      time: new Date().toISOString(),
    });
    if (error !== null) this.#log(`webhook ${event.name} to ${url} failed: ${error}`);
  }
}
