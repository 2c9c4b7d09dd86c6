// @kubernetes/client-node 2.0.1 builds a new undici Agent, and so a new TLS connection, for
// every request (KubeConfig.applySecurityAuthentication -> createDispatcher). At 1,000
// certificates that doubled the time to issue them all and added ~300 MiB of memory (see
// docs/benchmarks.md). This keeps one Agent per distinct set of connection options, so
// connections are pooled and kept alive. It wraps a method the library does not export: if a
// later version renames it, nothing is wrapped and the library's own behaviour stays.
import { createHash, type Hash } from "node:crypto";
import type { KubeConfig } from "@kubernetes/client-node";

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
    const hash = createHash("sha256");
    feed(hash, describe(cluster, agentOptions));
    const key = hash.digest("hex");
    if (!agents.has(key)) agents.set(key, create(cluster, agentOptions));
    return agents.get(key);
  };
  return kubeConfig;
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
