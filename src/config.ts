// The operator's command line: every flag has an environment variable, the flag wins.
// Durations are written like 1s, 5m, 720h; addresses like :8080 or 127.0.0.1:8080.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { parseDuration } from "./time/duration.ts";

export interface OperatorConfig {
  kubeconfig?: string;
  dnsimpleBaseUrl: string;
  dnsimpleToken?: string;
  dnsimpleAccountId?: string;
  watchNamespace?: string;
  pollIntervalMs: number;
  resyncIntervalMs: number;
  metricsAddr: Address;
  healthAddr: Address;
  /** The DNSimple webhook receiver: off unless an address is given. */
  webhook?: { address: Address; token: string };
  leaderElect: boolean;
  leaderElection: {
    namespace: string;
    id: string;
    leaseDurationMs: number;
    renewDeadlineMs: number;
    retryPeriodMs: number;
  };
  logLevel: string;
  concurrency: number;
}

export interface Address {
  host: string;
  port: number;
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

const FLAGS = {
  kubeconfig: { env: "KUBECONFIG", help: "kubeconfig file (default: in-cluster config)" },
  "dnsimple-base-url": {
    env: "DNSIMPLE_BASE_URL",
    help: "DNSimple API base URL (default https://api.dnsimple.com)",
  },
  "dnsimple-token": { env: "DNSIMPLE_TOKEN", help: "default DNSimple API token" },
  "dnsimple-account-id": {
    env: "DNSIMPLE_ACCOUNT_ID",
    help: "account of the default token (default: found with whoami)",
  },
  "watch-namespace": { env: "WATCH_NAMESPACE", help: "watch only this namespace (default: all)" },
  "poll-interval": { env: "POLL_INTERVAL", help: "first wait while DNSimple issues (default 2s)" },
  "resync-interval": {
    env: "RESYNC_INTERVAL",
    help: "re-check every resource this often (default 10m)",
  },
  "metrics-addr": { env: "METRICS_ADDR", help: "Prometheus metrics address (default :8080)" },
  "health-addr": { env: "HEALTH_ADDR", help: "/healthz and /readyz address (default :8081)" },
  "webhook-addr": {
    env: "WEBHOOK_ADDR",
    help: "receive DNSimple webhook events here (default: off)",
  },
  "webhook-token": {
    env: "WEBHOOK_TOKEN",
    help: "secret path component: events are accepted at POST /webhook/<token>",
  },
  "leader-elect": { env: "LEADER_ELECT", help: "use leader election (default false)" },
  "leader-election-namespace": {
    env: "LEADER_ELECTION_NAMESPACE",
    help: "namespace of the Lease (default: $POD_NAMESPACE, the in-cluster namespace, or default)",
  },
  "leader-election-id": {
    env: "LEADER_ELECTION_ID",
    help: "name of the Lease (default dnsimple-cert-operator)",
  },
  "lease-duration": { env: "LEASE_DURATION", help: "how long a Lease is valid (default 15s)" },
  "renew-deadline": {
    env: "RENEW_DEADLINE",
    help: "the leader stops leading when it cannot renew for this long (default 10s)",
  },
  "retry-period": {
    env: "RETRY_PERIOD",
    help: "how often to try to acquire or renew (default 2s)",
  },
  "log-level": { env: "LOG_LEVEL", help: "trace|debug|info|warn|error (default info)" },
  concurrency: { env: "CONCURRENCY", help: "resources reconciled at once (default 4)" },
} as const;

export const USAGE = `usage: dnsimple-cert-operator [flags]\n\n${Object.entries(FLAGS)
  .map(([flag, { env, help }]) => `  --${flag.padEnd(22)} ${help} [$${env}]`)
  .join("\n")}`;

export function parseAddress(text: string, flag: string): Address {
  const match = /^(?:(\[[^\]]+\]|[^:]*)):(\d{1,5})$/.exec(text.trim());
  const port = Number(match?.[2]);
  if (!match || port > 65535) {
    throw new ConfigError(
      `--${flag} ${JSON.stringify(text)}: write an address like :8080 or 127.0.0.1:8080`,
    );
  }
  const host = (match[1] ?? "").replace(/^\[|\]$/g, "");
  return { host: host === "" ? "0.0.0.0" : host, port };
}

/** The namespace a Pod runs in, from its ServiceAccount mount. */
function inClusterNamespace(): string | undefined {
  try {
    return (
      readFileSync("/var/run/secrets/kubernetes.io/serviceaccount/namespace", "utf8").trim() ||
      undefined
    );
  } catch {
    return undefined;
  }
}

function duration(text: string, flag: string): number {
  try {
    const ms = parseDuration(text);
    if (ms <= 0) throw new Error("must be positive");
    return ms;
  } catch (err) {
    throw new ConfigError(
      `--${flag} ${JSON.stringify(text)}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

function bool(text: string, flag: string): boolean {
  if (/^(true|1|yes)$/i.test(text)) return true;
  if (/^(false|0|no)$/i.test(text)) return false;
  throw new ConfigError(`--${flag} ${JSON.stringify(text)}: write true or false`);
}

export function parseConfig(argv: string[], env: NodeJS.ProcessEnv): OperatorConfig {
  const options = Object.fromEntries(
    Object.keys(FLAGS).map((flag) => [flag, { type: "string" as const }]),
  );
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({ args: argv, options, strict: true, allowPositionals: false }) as {
      values: Record<string, string | undefined>;
    });
  } catch (err) {
    throw new ConfigError(`${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`);
  }
  const get = (flag: keyof typeof FLAGS): string | undefined => {
    const value = values[flag] ?? env[FLAGS[flag].env];
    return value === undefined || value === "" ? undefined : value;
  };
  const baseUrl = get("dnsimple-base-url") ?? "https://api.dnsimple.com";
  if (!/^https?:\/\/[^\s]+$/.test(baseUrl)) {
    throw new ConfigError(
      `--dnsimple-base-url ${JSON.stringify(baseUrl)}: write a URL like https://api.dnsimple.com`,
    );
  }
  const accountId = get("dnsimple-account-id");
  if (accountId !== undefined && !/^\d+$/.test(accountId)) {
    throw new ConfigError("--dnsimple-account-id: write the numeric account id");
  }
  const concurrency = Number(get("concurrency") ?? "4");
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    throw new ConfigError("--concurrency: write a whole number from 1 to 64");
  }
  const logLevel = get("log-level") ?? "info";
  if (!["trace", "debug", "info", "warn", "error", "fatal"].includes(logLevel)) {
    throw new ConfigError(
      `--log-level ${JSON.stringify(logLevel)}: write trace, debug, info, warn or error`,
    );
  }
  const optional = <T>(value: T | undefined) => value;
  const webhookAddr = get("webhook-addr");
  const webhookToken = get("webhook-token");
  if (webhookAddr && (!webhookToken || !/^[A-Za-z0-9._~-]{16,}$/.test(webhookToken))) {
    throw new ConfigError(
      "--webhook-addr needs --webhook-token: at least 16 characters of letters, digits and . _ ~ - (it is a URL path component)",
    );
  }
  const leaseDurationMs = duration(get("lease-duration") ?? "15s", "lease-duration");
  const renewDeadlineMs = duration(get("renew-deadline") ?? "10s", "renew-deadline");
  const retryPeriodMs = duration(get("retry-period") ?? "2s", "retry-period");
  // client-go's rules: the leader must give up before others may take over.
  if (!(leaseDurationMs > renewDeadlineMs && renewDeadlineMs > retryPeriodMs)) {
    throw new ConfigError(
      "--lease-duration must exceed --renew-deadline, which must exceed --retry-period",
    );
  }
  return {
    kubeconfig: optional(get("kubeconfig")),
    dnsimpleBaseUrl: baseUrl,
    dnsimpleToken: optional(get("dnsimple-token")),
    dnsimpleAccountId: optional(accountId),
    watchNamespace: optional(get("watch-namespace")),
    pollIntervalMs: duration(get("poll-interval") ?? "2s", "poll-interval"),
    resyncIntervalMs: duration(get("resync-interval") ?? "10m", "resync-interval"),
    metricsAddr: parseAddress(get("metrics-addr") ?? ":8080", "metrics-addr"),
    healthAddr: parseAddress(get("health-addr") ?? ":8081", "health-addr"),
    ...(webhookAddr && webhookToken
      ? { webhook: { address: parseAddress(webhookAddr, "webhook-addr"), token: webhookToken } }
      : {}),
    leaderElect: bool(get("leader-elect") ?? "false", "leader-elect"),
    leaderElection: {
      namespace:
        get("leader-election-namespace") ?? env.POD_NAMESPACE ?? inClusterNamespace() ?? "default",
      id: get("leader-election-id") ?? "dnsimple-cert-operator",
      leaseDurationMs,
      renewDeadlineMs,
      retryPeriodMs,
    },
    logLevel,
    concurrency,
  };
}
