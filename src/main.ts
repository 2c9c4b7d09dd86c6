// The operator process: configuration, logging, the controller, health endpoints, and a
// graceful shutdown on SIGTERM/SIGINT (stop taking work, let reconciles in progress finish for
// a few seconds, exit).
import type { Server } from "node:http";
import { delimiter } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { ConfigError, type OperatorConfig, parseConfig, USAGE } from "./config.ts";
import { Controller } from "./controller/controller.ts";
import { CredentialsResolver } from "./controller/credentials.ts";
import { RateLimitBudget } from "./dnsimple/rate-limit.ts";
import { startHealthServer } from "./observability/health.ts";
import { createLogger, type Logger } from "./observability/logger.ts";

const SHUTDOWN_GRACE_MS = 5_000;

function loadKubeConfig(config: OperatorConfig): KubeConfig {
  const kc = new KubeConfig();
  // A KUBECONFIG list of files (a:b) is merged the way kubectl does it.
  if (config.kubeconfig && !config.kubeconfig.includes(delimiter))
    kc.loadFromFile(config.kubeconfig);
  else kc.loadFromDefault();
  return kc;
}

export async function runOperator(
  config: OperatorConfig,
  log: Logger,
): Promise<() => Promise<void>> {
  if (config.leaderElect) {
    throw new ConfigError(
      "--leader-elect is not available yet (it arrives with the Helm chart); run one replica without it",
    );
  }
  const budget = new RateLimitBudget();
  const controller = new Controller({
    kubeConfig: loadKubeConfig(config),
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
        { baseUrl: config.dnsimpleBaseUrl, budget },
      ),
  });
  let stopping = false;
  const health: Server = await startHealthServer(config.healthAddr, {
    ready: () =>
      stopping
        ? { ok: false, detail: "shutting down" }
        : controller.synced
          ? { ok: true, detail: "ok" }
          : { ok: false, detail: "caches not synced yet" },
  });
  await controller.start();
  log.info(
    {
      dnsimpleBaseUrl: config.dnsimpleBaseUrl,
      watchNamespace: config.watchNamespace ?? "(all)",
      healthAddr: `${config.healthAddr.host}:${config.healthAddr.port}`,
    },
    "operator running",
  );
  return async () => {
    stopping = true;
    await controller.stop(SHUTDOWN_GRACE_MS);
    await new Promise<void>((resolve) => health.close(() => resolve()));
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
    stop = await runOperator(config, log);
  } catch (err) {
    log.fatal({ err }, "operator failed to start");
    process.exit(1);
  }
}

// Run only as the entry point (tests import runOperator).
if (import.meta.main) void main();
