// Which cluster, user and namespace, as kubectl picks them: --kubeconfig, else every file of
// KUBECONFIG merged (the first file's current-context wins, as kubectl's does), else
// ~/.kube/config, else the in-cluster ServiceAccount; --context picks another context; the
// namespace is -n, else the context's, else "default". @kubernetes/client-node reads the files
// and speaks to the API server; nothing is shelled out to kubectl.
import { existsSync } from "node:fs";
import { KubeConfig } from "@kubernetes/client-node";
import { KubeconfigError } from "./exit-codes.ts";
import type { GlobalFlags } from "./flags.ts";

export interface KubeTarget {
  kubeConfig: KubeConfig;
  /** The namespace of namespaced commands (unless -A). */
  namespace: string;
}

/** The kubeconfig and namespace the flags and the environment name. */
export function loadKubeTarget(
  flags: Pick<GlobalFlags, "kubeconfig" | "context" | "namespace">,
  env: NodeJS.ProcessEnv,
): KubeTarget {
  const kubeConfig = new KubeConfig();
  if (flags.kubeconfig !== undefined) {
    if (!existsSync(flags.kubeconfig)) {
      throw new KubeconfigError(`--kubeconfig ${flags.kubeconfig}: no such file`);
    }
    kubeConfig.loadFromFile(flags.kubeconfig);
  } else {
    loadDefault(kubeConfig, env);
  }
  if (flags.context !== undefined) useContext(kubeConfig, flags.context);
  return { kubeConfig, namespace: flags.namespace ?? contextNamespace(kubeConfig) ?? "default" };
}

function loadDefault(kubeConfig: KubeConfig, env: NodeJS.ProcessEnv): void {
  const files = (env.KUBECONFIG ?? "").split(":").filter((file) => file !== "");
  const missing = files.filter((file) => !existsSync(file));
  // kubectl skips missing files of the list, but not a list of only missing files.
  if (files.length > 0 && missing.length === files.length) {
    throw new KubeconfigError(`KUBECONFIG names no file that exists (${files.join(", ")})`);
  }
  const present = files.filter((file) => existsSync(file));
  if (present.length > 0) {
    const [first, ...others] = present;
    kubeConfig.loadFromFile(first ?? "");
    for (const file of others) {
      const more = new KubeConfig();
      more.loadFromFile(file);
      kubeConfig.mergeConfig(more, true);
    }
    return;
  }
  // No KUBECONFIG: ~/.kube/config, then the in-cluster ServiceAccount (client-node's order).
  kubeConfig.loadFromDefault(undefined, true);
}

function useContext(kubeConfig: KubeConfig, context: string): void {
  if (kubeConfig.getContextObject(context) === null) {
    const known = kubeConfig.getContexts().map(({ name }) => name);
    throw new KubeconfigError(
      `context "${context}" is not in the kubeconfig (it has ${known.length === 0 ? "none" : known.join(", ")})`,
    );
  }
  kubeConfig.setCurrentContext(context);
}

function contextNamespace(kubeConfig: KubeConfig): string | undefined {
  const namespace = kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace;
  return namespace === undefined || namespace === "" ? undefined : namespace;
}
