// kubectl dnscert as a user runs it: the plugin's entry as a child process (on this Node, from
// source), against the shared control plane unless the arguments name another kubeconfig.
import { join } from "node:path";
import { inject } from "vitest";
import { type KubectlResult, runCommand } from "./kube.ts";

const PLUGIN = join(import.meta.dirname, "..", "..", "..", "src", "plugin", "kubectl-dnscert.ts");

/** Runs `kubectl dnscert ARGS`; KUBECONFIG is the admin's unless `env` says otherwise. */
export function runPlugin(
  args: readonly string[],
  env: NodeJS.ProcessEnv = { KUBECONFIG: inject("kubeconfig") },
): Promise<KubectlResult> {
  return runCommand(process.execPath, [PLUGIN, ...args], env);
}
