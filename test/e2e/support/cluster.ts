// The e2e's cluster: the project's local control plane with a node (`npm run cluster -- up
// --node`), started through the same command a user runs, reused when one already runs, and
// stopped afterwards only if this run started it. Also kubectl and helm against it.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { binary } from "../../../src/localcluster/binaries.ts";
import { isRunning, readState } from "../../../src/localcluster/controlplane.ts";

const root = join(import.meta.dirname, "..", "..", "..");
export const clusterDir = process.env.CLUSTER_DIR ?? join(root, ".cache", "cluster");
const cli = join(root, "src", "localcluster", "cli.ts");

export interface NodeCluster {
  kubeconfig: string;
  /** Where Pods reach the host (the bridge's gateway). */
  hostAddress: string;
  startedHere: boolean;
}

async function runCli(args: string[]): Promise<string[]> {
  const { stdout } = await promisify(execFile)(process.execPath, [cli, ...args], {
    env: { ...process.env, CLUSTER_DIR: clusterDir },
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout.trim().split("\n");
}

/** `up --node`, reading the two lines scripts rely on: the host address and the KUBECONFIG. */
export async function upWithNode(): Promise<NodeCluster> {
  const startedHere = !((await isRunning(clusterDir)) && readState(clusterDir)?.node);
  const lines = await runCli(["up", "--node"]);
  const hostLine = lines.find((l) => l.startsWith("host address for pods: "));
  const last = lines.at(-1) ?? "";
  if (!hostLine || !last.startsWith("export KUBECONFIG=")) {
    throw new Error(`unexpected output of cluster up --node:\n${lines.join("\n")}`);
  }
  return {
    kubeconfig: last.slice("export KUBECONFIG=".length),
    hostAddress: hostLine.slice("host address for pods: ".length),
    startedHere,
  };
}

export async function down(): Promise<void> {
  await runCli(["down"]);
}

export interface Tools {
  kubectl(args: string[], input?: string): Promise<string>;
  kubectlJson<T>(args: string[]): Promise<T>;
  helm(args: string[]): Promise<string>;
  /** `kubectl rollout status` of a Deployment: resolves once its rollout is complete. */
  rolledOut(namespace: string, deployment: string): Promise<void>;
}

export async function tools(kubeconfig: string): Promise<Tools> {
  const [kubectlPath, helmPath] = [await binary("kubectl"), await binary("helm")];
  const run = async (file: string, args: string[], input?: string) => {
    const running = promisify(execFile)(file, args, {
      env: { ...process.env, KUBECONFIG: kubeconfig },
      maxBuffer: 256 * 1024 * 1024,
    });
    running.child.stdin?.end(input ?? "");
    try {
      return (await running).stdout;
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      throw new Error(`${file} ${args.join(" ")}: ${e.stderr || e.message}`);
    }
  };
  return {
    kubectl: (args, input) => run(kubectlPath, args, input),
    kubectlJson: async <T>(args: string[]) =>
      JSON.parse(await run(kubectlPath, [...args, "-o", "json"])) as T,
    helm: (args) => run(helmPath, args),
    rolledOut: async (namespace, deployment) => {
      await run(kubectlPath, [
        "rollout",
        "status",
        "-n",
        namespace,
        `deployment/${deployment}`,
        "--timeout=180s",
      ]);
    },
  };
}

/** Polls until a condition holds (shared with the integration suite). */
export { waitFor } from "../../support/wait-for.ts";
