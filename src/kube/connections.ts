// @kubernetes/client-node 2.0.1 builds a new undici Agent, and so a new TLS connection, for
// every request (KubeConfig.applySecurityAuthentication -> createDispatcher). At 1,000
// certificates that doubled the time to issue them all and added ~300 MiB of memory (see
// docs/benchmarks.md). This keeps one Agent per distinct set of connection options, so
// connections are pooled and kept alive. It wraps a method the library does not export: if a
// later version renames it, nothing is wrapped and the library's own behaviour stays.
//
// The Agent also pings: kube-apiserver speaks HTTP/2, so every request and watch shares one
// connection, and a path that silently drops packets (a NAT or load balancer forgetting the
// connection) would stall them all until undici's default ping (every 60 s, reset on the
// second unanswered one): 118 s measured. A 10 s ping finds it within 20 s, as client-go's
// HTTP/2 health check (30 s read-idle + 15 s ping timeout) does within 45.
import { createHash, type Hash } from "node:crypto";
import type { KubeConfig } from "@kubernetes/client-node";
import { Agent } from "undici";

const PING_INTERVAL_MS = 10_000;

interface DispatcherFactory {
  createDispatcher?: (cluster: unknown, agentOptions: unknown) => unknown;
  createDispatcherOptions?: (cluster: unknown, agentOptions: unknown) => unknown;
}

export function shareConnections(kubeConfig: KubeConfig): KubeConfig {
  const target = kubeConfig as unknown as DispatcherFactory;
  const create = target.createDispatcher?.bind(kubeConfig);
  const describe = target.createDispatcherOptions?.bind(kubeConfig);
  if (!create || !describe) return kubeConfig;
  const agents = new Map<string, unknown>();
  target.createDispatcher = (cluster, agentOptions) => {
    // Same TLS material and proxy settings -> the same Agent (keys are hashed, never kept).
    const options = describe(cluster, agentOptions);
    const hash = createHash("sha256");
    feed(hash, options);
    const key = hash.digest("hex");
    if (!agents.has(key)) {
      agents.set(
        key,
        isDirect(options)
          ? new Agent({ connect: options.connect, h2Options: { pingInterval: PING_INTERVAL_MS } })
          : create(cluster, agentOptions),
      );
    }
    return agents.get(key);
  };
  return kubeConfig;
}

/** client-node's options for a direct TLS connection (no proxy): `{type: "agent", connect}`. */
function isDirect(
  options: unknown,
): options is { type: "agent"; connect: Agent.Options["connect"] } {
  return (
    typeof options === "object" &&
    options !== null &&
    "type" in options &&
    options.type === "agent" &&
    "connect" in options &&
    typeof options.connect === "object"
  );
}

/**
 * Feeds a value into a hash without building a string of it first: the options hold the
 * client certificate and key as Buffers, which JSON.stringify would spell out as arrays of
 * numbers (~20 KB of garbage per Kubernetes request).
 */
function feed(hash: Hash, value: unknown): void {
  if (value instanceof Uint8Array) {
    hash.update("b").update(value);
  } else if (Array.isArray(value)) {
    hash.update("[");
    for (const item of value) feed(hash, item);
    hash.update("]");
  } else if (value !== null && typeof value === "object") {
    hash.update("{");
    for (const key of Object.keys(value).sort()) {
      hash.update(JSON.stringify(key));
      feed(hash, (value as Record<string, unknown>)[key]);
    }
    hash.update("}");
  } else {
    hash.update(`${typeof value}:${String(value)};`);
  }
}
