// Prometheus metrics, named the way cert-manager names its own (certmanager_certificate_*), under
// the prefix dnsimple_cert_operator_: per-certificate expiry, renewal time, readiness and failed
// attempts; issuance latency; DNSimple requests, latency and rate-limit budget; reconciles; queue
// depth; leadership; and the process metrics prom-client collects. The chart's alert rules and
// dashboard (helm/dnsimple-cert-operator/rules, dashboards) use these names: a test checks that
// every name they use is served.
import { createServer, type Server } from "node:http";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { DnsimpleCertificate } from "../api/v1alpha1.ts";
import type { Address } from "../config.ts";
import type { QueueStats } from "../controller/controller.ts";
import type { RateLimitSnapshot } from "../dnsimple/rate-limit.ts";

const PREFIX = "dnsimple_cert_operator_";
const CONDITION_VALUES = ["True", "False", "Unknown"] as const;

/** What the issuance clock remembers of one certificate between passes. */
interface IssuanceTrack {
  serial: string | undefined;
  /** When the issuance in progress began (epoch ms), if one is known to be in progress. */
  since: number | undefined;
  renewalTime: number | undefined;
}

function epochMs(time: string | Date | undefined): number | undefined {
  if (time === undefined) return undefined;
  const ms = new Date(time).getTime();
  return Number.isNaN(ms) ? undefined : ms;
}

function earliest(...times: Array<number | undefined>): number | undefined {
  const known = times.filter((t): t is number => t !== undefined);
  return known.length === 0 ? undefined : Math.min(...known);
}

/**
 * Issuance latency read from the status the reconciles leave, since no single pass sees an
 * issuance from start to end. An issuance ends at the first pass whose status names a new serial
 * number (the Secret written and verified). It began at the resource's creation for a first
 * certificate; for a renewal, when a pass first saw the Issuing condition (its lastTransitionTime
 * is in status, so a restarted operator still knows it), else at the renewal time the pass before
 * showed. The first pass this process sees of a resource is only a baseline: a certificate that
 * was already there is not an issuance of this process's.
 */
export class IssuanceClock {
  readonly #tracks = new Map<string, IssuanceTrack>();

  /** Seconds the issuance took when this pass shows a new certificate, else undefined. */
  observe(resource: DnsimpleCertificate, now: Date): number | undefined {
    const key = `${resource.metadata.namespace}/${resource.metadata.name}`;
    const status = resource.status ?? {};
    const serial = status.serialNumber;
    const issuing = status.conditions?.find((c) => c.type === "Issuing");
    const issuingSince = epochMs(issuing?.lastTransitionTime);
    const created = serial === undefined ? epochMs(resource.metadata.creationTimestamp) : undefined;
    const previous = this.#tracks.get(key);
    const renewalTime = epochMs(status.renewalTime);
    if (previous === undefined || serial === previous.serial || serial === undefined) {
      // No new certificate: remember the earliest start seen while one is in progress (the
      // Issuing condition's time moves on each True/False flip of a retried attempt).
      const inProgress = issuing !== undefined || serial === undefined;
      const since = inProgress ? earliest(previous?.since, issuingSince, created) : undefined;
      this.#tracks.set(key, { serial, since, renewalTime });
      return undefined;
    }
    this.#tracks.set(key, { serial, since: undefined, renewalTime });
    const renewalDue =
      previous.renewalTime !== undefined && previous.renewalTime <= now.getTime()
        ? previous.renewalTime
        : undefined;
    const began = previous.since ?? renewalDue;
    return began === undefined ? undefined : Math.max(0, now.getTime() - began) / 1000;
  }

  forget(namespace: string, name: string): void {
    this.#tracks.delete(`${namespace}/${name}`);
  }
}

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
  readonly #failedAttempts = new Gauge({
    name: `${PREFIX}certificate_failed_attempts`,
    help: "Failed issuance or renewal attempts in a row (status.failedAttempts; 0 after a success).",
    labelNames: ["name", "namespace"],
    registers: [this.registry],
  });
  readonly #issuanceDuration = new Histogram({
    name: `${PREFIX}certificate_issuance_duration_seconds`,
    help: "Time from the start of an issuance or renewal to its certificate verified in the Secret.",
    buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 3 * 3600, 12 * 3600, 86400],
    registers: [this.registry],
  });
  readonly #issuanceClock = new IssuanceClock();
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
  readonly #rateLimitRemaining = new Gauge({
    name: `${PREFIX}dnsimple_rate_limit_remaining`,
    help: "Requests left in the current DNSimple rate-limit window, per token (a fingerprint, never the token).",
    labelNames: ["token_fingerprint"],
    registers: [this.registry],
  });
  // The limit and the reset make "budget nearly spent" expressible: a share of the plan's
  // limit, and only while the window the remaining count belongs to is still open (the count
  // is set from answers, so it would stay low after the reset until the next request).
  readonly #rateLimitLimit = new Gauge({
    name: `${PREFIX}dnsimple_rate_limit_limit`,
    help: "Requests per DNSimple rate-limit window (X-RateLimit-Limit), per token fingerprint.",
    labelNames: ["token_fingerprint"],
    registers: [this.registry],
  });
  readonly #rateLimitReset = new Gauge({
    name: `${PREFIX}dnsimple_rate_limit_reset_timestamp_seconds`,
    help: "When the current DNSimple rate-limit window ends (X-RateLimit-Reset), per token fingerprint, in seconds since the epoch.",
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
  /** Where the queue gauges read from, once the controller exists (see watchQueues). */
  #queues: (() => QueueStats) | undefined;
  readonly #laneDepth = new Gauge({
    name: `${PREFIX}workqueue_lane_depth`,
    help: 'Keys ready in each work-queue lane: "high" (certificates bought and not delivered, due renewals), then "queued" (new orders waiting for request budget), then "normal" (new resources, the rest).',
    labelNames: ["lane"],
    registers: [this.registry],
    collect: () => this.#collectQueues(),
  });
  readonly #ordersQueued = new Gauge({
    name: `${PREFIX}orders_queued`,
    help: 'Orders waiting for DNSimple request budget (Issuing reason Queued), by lane: "renewal" before "new".',
    labelNames: ["lane"],
    registers: [this.registry],
  });
  readonly #requestsPromised = new Gauge({
    name: `${PREFIX}dnsimple_requests_promised`,
    help: "DNSimple requests the certificates bought and in flight still need (issue, polls, download, key): an order is admitted only when the budget covers them too.",
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

  /**
   * Sets the per-certificate series from a resource's status, and observes an issuance that
   * this pass completed.
   */
  observeCertificate(resource: DnsimpleCertificate, now: Date = new Date()): void {
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
    this.#failedAttempts.set(labels, status.failedAttempts ?? 0);
    const issuance = this.#issuanceClock.observe(resource, now);
    if (issuance !== undefined) this.#issuanceDuration.observe(issuance);
  }

  /** The queue gauges read `stats` at every scrape. */
  watchQueues(stats: () => QueueStats): void {
    this.#queues = stats;
  }

  #collectQueues(): void {
    const stats = this.#queues?.();
    if (!stats) return;
    for (const [lane, depth] of Object.entries(stats.lanes)) this.#laneDepth.set({ lane }, depth);
    for (const [lane, n] of Object.entries(stats.queued)) this.#ordersQueued.set({ lane }, n);
    this.#requestsPromised.set(stats.promised);
  }

  /** Sets a token's rate-limit series from its budget as last answered. */
  observeRateLimit(snapshot: RateLimitSnapshot & { tokenFingerprint: string }): void {
    const labels = { token_fingerprint: snapshot.tokenFingerprint };
    this.#rateLimitRemaining.set(labels, snapshot.remaining);
    this.#rateLimitLimit.set(labels, snapshot.limit);
    this.#rateLimitReset.set(labels, snapshot.resetAt.getTime() / 1000);
  }

  /** Drops the rate-limit series of a token no longer used. */
  forgetToken(tokenFingerprint: string): void {
    const labels = { token_fingerprint: tokenFingerprint };
    this.#rateLimitRemaining.remove(labels);
    this.#rateLimitLimit.remove(labels);
    this.#rateLimitReset.remove(labels);
  }

  /** Drops the per-certificate series of a deleted resource. */
  forgetCertificate(namespace: string, name: string): void {
    const labels = { name, namespace };
    this.#expiration.remove(labels);
    this.#renewal.remove(labels);
    for (const condition of CONDITION_VALUES) this.#ready.remove({ ...labels, condition });
    this.#failedAttempts.remove(labels);
    this.#issuanceClock.forget(namespace, name);
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
