// Prometheus metrics, named the way cert-manager names its own (certmanager_certificate_*), under
// the prefix dnsimple_cert_operator_: per-certificate expiry, renewal time and readiness;
// DNSimple requests, latency and remaining rate limit; reconciles; queue depth; leadership;
// and the process metrics prom-client collects.
import { createServer, type Server } from "node:http";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { DnsimpleCertificate } from "../api/v1alpha1.ts";
import type { Address } from "../config.ts";

const PREFIX = "dnsimple_cert_operator_";
const CONDITION_VALUES = ["True", "False", "Unknown"] as const;

export class OperatorMetrics {
  readonly registry = new Registry();
  readonly #expiration = new Gauge({
    name: `${PREFIX}certificate_expiration_timestamp_seconds`,
    help: "The date after which the certificate in the Secret expires, in seconds since the epoch.",
    labelNames: ["name", "namespace"],
    registers: [this.registry],
  });
  readonly #renewal = new Gauge({
    name: `${PREFIX}certificate_renewal_timestamp_seconds`,
    help: "The time the operator will renew the certificate, in seconds since the epoch.",
    labelNames: ["name", "namespace"],
    registers: [this.registry],
  });
  readonly #ready = new Gauge({
    name: `${PREFIX}certificate_ready_status`,
    help: "The Ready condition of the DnsimpleCertificate: 1 for the current condition value.",
    labelNames: ["name", "namespace", "condition"],
    registers: [this.registry],
  });
  readonly requests = new Counter({
    name: `${PREFIX}dnsimple_requests_total`,
    help: "DNSimple API requests by endpoint and HTTP status (error: no answer).",
    labelNames: ["method", "endpoint", "status"],
    registers: [this.registry],
  });
  readonly requestDuration = new Histogram({
    name: `${PREFIX}dnsimple_request_duration_seconds`,
    help: "Latency of DNSimple API requests.",
    labelNames: ["method", "endpoint"],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly rateLimitRemaining = new Gauge({
    name: `${PREFIX}dnsimple_rate_limit_remaining`,
    help: "Requests left in the current DNSimple rate-limit window, per token (a fingerprint, never the token).",
    labelNames: ["token_fingerprint"],
    registers: [this.registry],
  });
  readonly reconciles = new Counter({
    name: `${PREFIX}reconcile_total`,
    help: "Reconciles by outcome: ready, poll, fail, backoff, or error (an exception, retried).",
    labelNames: ["result"],
    registers: [this.registry],
  });
  readonly reconcileErrors = new Counter({
    name: `${PREFIX}reconcile_errors_total`,
    help: "Reconciles that ended in a failure, by the Ready reason.",
    labelNames: ["reason"],
    registers: [this.registry],
  });
  readonly reconcileDuration = new Histogram({
    name: `${PREFIX}reconcile_duration_seconds`,
    help: "Time one reconcile took.",
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly queueDepth = new Gauge({
    name: `${PREFIX}workqueue_depth`,
    help: "Keys waiting in the work queue.",
    registers: [this.registry],
  });
  readonly webhookEvents = new Counter({
    name: `${PREFIX}webhook_events_total`,
    help: "DNSimple webhook events received, by event name and outcome.",
    labelNames: ["event", "outcome"],
    registers: [this.registry],
  });
  readonly cacheLists = new Counter({
    name: `${PREFIX}cache_lists_total`,
    help: "Full lists of a cache (DnsimpleCertificate or Secret): one at start, one per relist after an expired watch (410 Gone) or a restart.",
    labelNames: ["kind"],
    registers: [this.registry],
  });
  readonly leader = new Gauge({
    name: `${PREFIX}leader_election_status`,
    help: "1 when this replica is the leader (or leader election is off), else 0.",
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: PREFIX });
  }

  /** Sets the per-certificate series from a resource's status. */
  observeCertificate(resource: DnsimpleCertificate): void {
    const labels = { name: resource.metadata.name, namespace: resource.metadata.namespace };
    const status = resource.status ?? {};
    const seconds = (iso?: string) => (iso ? Date.parse(iso) / 1000 : undefined);
    const expiry = seconds(status.notAfter);
    const renewal = seconds(status.renewalTime);
    if (expiry !== undefined) this.#expiration.set(labels, expiry);
    if (renewal !== undefined) this.#renewal.set(labels, renewal);
    const ready = status.conditions?.find((c) => c.type === "Ready")?.status ?? "Unknown";
    for (const value of CONDITION_VALUES) {
      this.#ready.set({ ...labels, condition: value }, value === ready ? 1 : 0);
    }
  }

  /** Drops the per-certificate series of a deleted resource. */
  forgetCertificate(namespace: string, name: string): void {
    const labels = { name, namespace };
    this.#expiration.remove(labels);
    this.#renewal.remove(labels);
    for (const condition of CONDITION_VALUES) this.#ready.remove({ ...labels, condition });
  }
}

export function startMetricsServer(address: Address, metrics: OperatorMetrics): Promise<Server> {
  const server = createServer((req, res) => {
    if ((req.url ?? "/").split("?")[0] !== "/metrics") {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    metrics.registry.metrics().then(
      (body) => res.writeHead(200, { "content-type": metrics.registry.contentType }).end(body),
      (err: unknown) => res.writeHead(500).end(String(err)),
    );
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(address.port, address.host, () => resolve(server));
  });
}
