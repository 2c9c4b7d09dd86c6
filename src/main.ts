// The operator process: configuration, logging, and a manager (src/manager) that starts the
// health, metrics and webhook servers, the caches, leader election and the workers in order;
// a graceful shutdown on SIGTERM/SIGINT (stop taking work, let reconciles in progress finish
// for a few seconds, exit).
import { delimiter } from "node:path";
import { CoordinationV1Api, KubeConfig } from "@kubernetes/client-node";
import { type OperatorConfig, parseConfig, USAGE } from "./config.ts";
import { Controller } from "./controller/controller.ts";
import { type ClientSettings, CredentialsResolver } from "./controller/credentials.ts";
import { DnsimpleClient } from "./dnsimple/client.ts";
import { RateLimitBudget } from "./dnsimple/rate-limit.ts";
import { shareConnections } from "./kube/connections.ts";
import { LeaderElector } from "./kube/leader-election.ts";
import { type Election, Manager } from "./manager/manager.ts";
import { type Runnable, ServerRunnable } from "./manager/runnable.ts";
import { startHealthServer } from "./observability/health.ts";
import { createLogger, type Logger } from "./observability/logger.ts";
import { OperatorMetrics, startMetricsServer } from "./observability/metrics.ts";
import { startWebhookReceiver } from "./webhook/receiver.ts";

const SHUTDOWN_GRACE_MS = 5_000;

function loadKubeConfig(config: OperatorConfig): KubeConfig {
  const kc = new KubeConfig();
  // A KUBECONFIG list of files (a:b) is merged the way kubectl does it.
  if (config.kubeconfig && !config.kubeconfig.includes(delimiter))
    kc.loadFromFile(config.kubeconfig);
  else kc.loadFromDefault();
  return shareConnections(kc);
}

/** How runOperator runs: what losing leadership does, which metrics registry it fills. */
export interface RunOptions {
  /** What to do when leadership is lost. Default: exit, so Kubernetes restarts a clean process. */
  onLostLeadership?: () => void;
  /** Metrics registry holder (tests read it); one is made when absent. */
  metrics?: OperatorMetrics;
}

/** A running operator: how to stop it, its metrics, and where its servers listen. */
export interface RunningOperatorProcess {
  /** Stops it as the manager does: the workers, the Lease, the caches, the servers. */
  stop: () => Promise<void>;
  metrics: OperatorMetrics;
  /** Where /metrics, the health endpoints and the webhook receiver listen (for port 0). */
  metricsPort: number;
  healthPort: number;
  webhookPort?: number;
}

/** Endpoint templates come as "GET /v2/..."; the method is a label of its own. */
function endpointLabel(endpoint: string): string {
  return endpoint.replace(/^[A-Z]+ /, "");
}

/**
 * The DNSimple clients' credentials, sharing one rate-limit budget and reporting to metrics;
 * and the issuers' token check, a fresh whoami on a client with the same settings.
 */
function credentialsFor(config: OperatorConfig, metrics: OperatorMetrics) {
  const budget = new RateLimitBudget();
  const defaults = {
    ...(config.dnsimpleToken ? { token: config.dnsimpleToken } : {}),
    ...(config.dnsimpleAccountId ? { accountId: config.dnsimpleAccountId } : {}),
  };
  const settings: ClientSettings = {
    baseUrl: config.dnsimpleBaseUrl,
    budget,
    onResponse: (info) => {
      const endpoint = endpointLabel(info.endpoint);
      metrics.requests.inc({ method: info.method, endpoint, status: String(info.status) });
      metrics.requestDuration.observe({ method: info.method, endpoint }, info.durationMs / 1000);
      for (const snapshot of budget.snapshots()) metrics.observeRateLimit(snapshot);
    },
  };
  return {
    credentials: (secrets: ConstructorParameters<typeof CredentialsResolver>[0]) =>
      new CredentialsResolver(secrets, defaults, settings),
    // Not the resolver's cached whoami: the check is whether DNSimple still accepts the token.
    issuerTokens: {
      whoami: (token: string) => new DnsimpleClient({ ...settings, token }).whoami(),
      defaults,
    },
  };
}

function controllerFor(
  config: OperatorConfig,
  log: Logger,
  metrics: OperatorMetrics,
  kubeConfig: KubeConfig,
  mayWrite: (() => boolean) | undefined,
): Controller {
  const controller: Controller = new Controller({
    kubeConfig,
    log,
    ...(config.watchNamespaces ? { watchNamespaces: config.watchNamespaces } : {}),
    sources: { ingresses: config.ingressShim, gateways: config.gatewayApi },
    tenancy: {
      apiBaseUrl: config.dnsimpleBaseUrl,
      ...(config.defaultClusterIssuer ? { defaultClusterIssuer: config.defaultClusterIssuer } : {}),
      clusterResourceNamespace: config.clusterResourceNamespace,
    },
    pollIntervalMs: config.pollIntervalMs,
    resyncIntervalMs: config.resyncIntervalMs,
    autoRenewalWindowMs: config.autoRenewalWindowMs,
    autoRenewalIntervalMs: config.autoRenewalIntervalMs,
    autoRenewalPolling: config.autoRenewalPolling,
    issuerReverifyIntervalMs: config.issuerReverifyIntervalMs,
    concurrency: config.concurrency,
    ...credentialsFor(config, metrics),
    ...(mayWrite ? { mayWrite } : {}),
    onOutcome: ({ action, reason, resource }) => {
      metrics.reconciles.inc({ result: action });
      if (reason) metrics.reconcileErrors.inc({ reason });
      metrics.observeCertificate(resource);
      metrics.queueDepth.set(controller.queueDepth);
    },
    onReconciled: (_key, seconds, ended) => {
      metrics.reconcileDuration.observe(seconds);
      if (ended === "error") metrics.reconciles.inc({ result: "error" });
    },
    onDeleted: (namespace, name) => metrics.forgetCertificate(namespace, name),
    onTokensForgotten: (fingerprints) => {
      for (const fingerprint of fingerprints) metrics.forgetToken(fingerprint);
    },
    onList: (kind) => metrics.cacheLists.inc({ kind }),
  });
  metrics.watchQueues(() => controller.queueStats());
  return controller;
}

/** Health (ready once the caches synced; standbys too: a rolling update needs them), metrics, webhook. */
function serversFor(
  config: OperatorConfig,
  metrics: OperatorMetrics,
  controller: Controller,
  stopping: () => boolean,
) {
  const health = new ServerRunnable("health", () =>
    startHealthServer(config.healthAddr, {
      ready: () => {
        if (stopping()) return { ok: false, detail: "shutting down" };
        if (!controller.synced) return { ok: false, detail: "caches not synced yet" };
        return { ok: true, detail: "ok" };
      },
    }),
  );
  const metricsServer = new ServerRunnable("metrics", () =>
    startMetricsServer(config.metricsAddr, metrics),
  );
  const { webhook: hook } = config;
  const webhook = hook
    ? new ServerRunnable("webhook", () =>
        startWebhookReceiver({
          address: hook.address,
          token: hook.token,
          // On a standby the queue does not run; the leader's receiver does the work.
          enqueueCertificate: (id) => controller.enqueueCertificate(id),
          hintAutoRenewals: (commonName) => controller.hintAutoRenewals(commonName),
          onEvent: (event, outcome) => metrics.webhookEvents.inc({ event, outcome }),
        }),
      )
    : undefined;
  return { health, metricsServer, webhook };
}

/** Leader election on the configured Lease, as the manager drives it. */
function electionFor(
  config: OperatorConfig,
  log: Logger,
  metrics: OperatorMetrics,
  kubeConfig: KubeConfig,
): { election: Election; leading: () => boolean } {
  const { namespace, id, leaseDurationMs, renewDeadlineMs, retryPeriodMs } = config.leaderElection;
  const lease = `${namespace}/${id}`;
  let elector: LeaderElector | undefined;
  const election: Election = {
    start: ({ leading, lost }) => {
      elector = new LeaderElector({
        api: kubeConfig.makeApiClient(CoordinationV1Api),
        ...{ namespace, name: id, leaseDurationMs, renewDeadlineMs, retryPeriodMs },
        onStartedLeading: () => {
          metrics.leader.set(1);
          log.info({ lease, identity: elector?.identity }, "became the leader");
          leading();
        },
        onStoppedLeading: () => {
          metrics.leader.set(0);
          log.error({ lease }, "lost leadership; stopping");
          lost();
        },
        onError: (err) => log.warn({ err }, "leader election: could not reach the Lease"),
      });
      elector.start();
      log.info({ lease, identity: elector.identity }, "waiting to lead");
    },
    stop: async () => {
      await elector?.stop();
    },
  };
  return { election, leading: () => elector?.leading === true };
}

/** Starts the operator (servers, caches, election, workers); resolves once it runs. */
export async function runOperator(
  config: OperatorConfig,
  log: Logger,
  options: RunOptions = {},
): Promise<RunningOperatorProcess> {
  const metrics = options.metrics ?? new OperatorMetrics();
  const kubeConfig = loadKubeConfig(config);
  const elected = config.leaderElect ? electionFor(config, log, metrics, kubeConfig) : undefined;
  metrics.leader.set(elected ? 0 : 1);
  const controller = controllerFor(config, log, metrics, kubeConfig, elected?.leading);
  let manager: Manager | undefined;
  const servers = serversFor(config, metrics, controller, () => manager?.stopping ?? false);
  const workers: Runnable = {
    name: "workers",
    start: async () => controller.startWorkers(),
    stop: () => controller.stopWorkers(SHUTDOWN_GRACE_MS),
  };
  manager = new Manager({
    log,
    servers: [servers.health, servers.metricsServer, ...(servers.webhook ? [servers.webhook] : [])],
    caches: [
      {
        name: "caches",
        start: () => controller.startCaches(),
        stop: () => controller.stopCaches(),
      },
    ],
    workers: [workers],
    ...(elected ? { election: elected.election } : {}),
    onLostLeadership: options.onLostLeadership ?? (() => process.exit(1)),
  });
  await manager.start();
  const ports = {
    healthPort: servers.health.port,
    metricsPort: servers.metricsServer.port,
    ...(servers.webhook ? { webhookPort: servers.webhook.port } : {}),
  };
  log.info(
    {
      dnsimpleBaseUrl: config.dnsimpleBaseUrl,
      watchNamespace: config.watchNamespaces?.join(",") ?? "(all)",
      ...ports,
    },
    "operator running",
  );
  const running = manager;
  return { metrics, ...ports, stop: () => running.stop() };
}

async function main(): Promise<void> {
  let config: OperatorConfig;
  try {
    if (process.argv.includes("--help") || process.argv.includes("-h")) {
      process.stdout.write(`${USAGE}\n`);
      return;
    }
    config = parseConfig(process.argv.slice(2), process.env);
  } catch (err) {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  }
  const log = createLogger(config.logLevel);
  let stop: (() => Promise<void>) | undefined;
  const shutdown = (signal: string) => {
    log.info({ signal }, "shutting down");
    const force = setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS + 3_000);
    force.unref();
    (stop ? stop() : Promise.resolve()).then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", () => shutdown("SIGTERM"));
  process.once("SIGINT", () => shutdown("SIGINT"));
  try {
    stop = (await runOperator(config, log)).stop;
  } catch (err) {
    log.fatal({ err }, "operator failed to start");
    process.exit(1);
  }
}

// Run only as the entry point (tests import runOperator).
if (import.meta.main) void main();
