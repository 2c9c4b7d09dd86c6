// @kubernetes/client-node 2.0.1 builds a new undici Agent, and so a new TLS connection, for
// every request (KubeConfig.applySecurityAuthentication -> createDispatcher). At 1,000
// certificates that doubled the time to issue them all and added ~300 MiB of memory (see
// docs/benchmarks.md). This keeps one Agent per distinct set of connection options, so
// connections are pooled and kept alive. It wraps a method the library does not export: if a
// later version renames it, nothing is wrapped and the library's own behaviour stays.
import { createHash } from "node:crypto";
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
    const key = createHash("sha256")
      .update(JSON.stringify(describe(cluster, agentOptions)))
      .digest("hex");
    if (!agents.has(key)) agents.set(key, create(cluster, agentOptions));
    return agents.get(key);
  };
  return kubeConfig;
}
