// The operator process: configuration, logging, the controller, health endpoints, and a
// graceful shutdown on SIGTERM/SIGINT (stop taking work, let reconciles in progress finish for
// a few seconds, exit).
import type { Server } from "node:http";
import { delimiter } from "node:path";
import { CoordinationV1Api, KubeConfig } from "@kubernetes/client-node";
import { type OperatorConfig, parseConfig, USAGE } from "./config.ts";
import { Controller } from "./controller/controller.ts";
import { CredentialsResolver } from "./controller/credentials.ts";
import { RateLimitBudget } from "./dnsimple/rate-limit.ts";
import { shareConnections } from "./kube/connections.ts";
import { LeaderElector } from "./kube/leader-election.ts";
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

export interface RunOptions {
  /** What to do when leadership is lost. Default: exit, so Kubernetes restarts a clean process. */
  onLostLeadership?: () => void;
  /** Metrics registry holder (tests read it); one is made when absent. */
  metrics?: OperatorMetrics;
}

export interface RunningOperatorProcess {
  stop: () => Promise<void>;
  metrics: OperatorMetrics;
  /** Where /metrics, the health endpoints and the webhook receiver listen (for port 0). */
  metricsPort: number;
  healthPort: number;
  webhookPort?: number;
}

function portOf(server: Server): number {
  const address = server.address();
  return typeof address === "object" && address ? address.port : 0;
}

/** Endpoint templates come as "GET /v2/..."; the method is a label of its own. */
function endpointLabel(endpoint: string): string {
  return endpoint.replace(/^[A-Z]+ /, "");
}

export async function runOperator(
  config: OperatorConfig,
  log: Logger,
  options: RunOptions = {},
): Promise<RunningOperatorProcess> {
  const metrics = options.metrics ?? new OperatorMetrics();
  const budget = new RateLimitBudget();
  const kubeConfig = loadKubeConfig(config);
  let elector: LeaderElector | undefined;
  const controller = new Controller({
    kubeConfig,
    log,
    watchNamespace: config.watchNamespace,
    pollIntervalMs: config.pollIntervalMs,
    resyncIntervalMs: config.resyncIntervalMs,
    concurrency: config.concurrency,
    credentials: (core) =>
      new CredentialsResolver(
        core,
        {
          ...(config.dnsimpleToken ? { token: config.dnsimpleToken } : {}),
          ...(config.dnsimpleAccountId ? { accountId: config.dnsimpleAccountId } : {}),
        },
        {
          baseUrl: config.dnsimpleBaseUrl,
          budget,
          onResponse: (info) => {
            const endpoint = endpointLabel(info.endpoint);
            metrics.requests.inc({ method: info.method, endpoint, status: String(info.status) });
            metrics.requestDuration.observe(
              { method: info.method, endpoint },
              info.durationMs / 1000,
            );
            for (const snapshot of budget.snapshots()) {
              metrics.rateLimitRemaining.set(
                { token_fingerprint: snapshot.tokenFingerprint },
                snapshot.remaining,
              );
            }
          },
        },
      ),
    ...(config.leaderElect ? { mayWrite: () => elector?.leading === true } : {}),
    onOutcome: ({ action, reason, resource }) => {
      metrics.reconciles.inc({ result: action });
      if (reason) metrics.reconcileErrors.inc({ reason });
      metrics.observeCertificate(resource);
      metrics.queueDepth.set(controller.queueDepth);
    },
    onReconcileError: () => metrics.reconciles.inc({ result: "error" }),
    onDeleted: (namespace, name) => metrics.forgetCertificate(namespace, name),
    onList: (kind) => metrics.cacheLists.inc({ kind }),
  });

  let stopping = false;
  const health: Server = await startHealthServer(config.healthAddr, {
    // Standby replicas are ready too (healthy, caches warm): a rolling update needs them.
    ready: () =>
      stopping
        ? { ok: false, detail: "shutting down" }
        : controller.synced
          ? { ok: true, detail: "ok" }
          : { ok: false, detail: "caches not synced yet" },
  });
  const metricsServer: Server = await startMetricsServer(config.metricsAddr, metrics);
  const webhook: Server | undefined = config.webhook
    ? await startWebhookReceiver({
        address: config.webhook.address,
        token: config.webhook.token,
        // On a standby the queue does not run; the leader's receiver does the work.
        enqueueCertificate: (id) => controller.enqueueCertificate(id),
        onEvent: (event, outcome) => metrics.webhookEvents.inc({ event, outcome }),
      })
    : undefined;
  await controller.startCaches();

  if (config.leaderElect) {
    const { namespace, id, leaseDurationMs, renewDeadlineMs, retryPeriodMs } =
      config.leaderElection;
    metrics.leader.set(0);
    elector = new LeaderElector({
      api: kubeConfig.makeApiClient(CoordinationV1Api),
      namespace,
      name: id,
      leaseDurationMs,
      renewDeadlineMs,
      retryPeriodMs,
      onStartedLeading: () => {
        metrics.leader.set(1);
        log.info({ lease: `${namespace}/${id}`, identity: elector?.identity }, "became the leader");
        controller.startWorkers();
      },
      onStoppedLeading: () => {
        metrics.leader.set(0);
        log.error({ lease: `${namespace}/${id}` }, "lost leadership; stopping");
        (options.onLostLeadership ?? (() => process.exit(1)))();
      },
      onError: (err) => log.warn({ err }, "leader election: could not reach the Lease"),
    });
    elector.start();
    log.info({ lease: `${namespace}/${id}`, identity: elector.identity }, "waiting to lead");
  } else {
    metrics.leader.set(1);
    controller.startWorkers();
  }
  log.info(
    {
      dnsimpleBaseUrl: config.dnsimpleBaseUrl,
      watchNamespace: config.watchNamespace ?? "(all)",
      healthPort: portOf(health),
      metricsPort: portOf(metricsServer),
      ...(webhook ? { webhookPort: portOf(webhook) } : {}),
    },
    "operator running",
  );
  return {
    metrics,
    metricsPort: portOf(metricsServer),
    healthPort: portOf(health),
    ...(webhook ? { webhookPort: portOf(webhook) } : {}),
    stop: async () => {
      stopping = true;
      await controller.stop(SHUTDOWN_GRACE_MS);
      // After the workers: the successor must not start while this one still writes.
      await elector?.stop();
      await Promise.all(
        [health, metricsServer, webhook]
          .filter((server) => server !== undefined)
          .map((server) => new Promise<void>((r) => server.close(() => r()))),
      );
    },
  };
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
