// `npm run cluster -- up|down|status|build`: a local control plane for development and the demo.
// `up` returns once /readyz answers ok and prints `export KUBECONFIG=<path>` as its last line.
import { join } from "node:path";
import { BinaryUnavailableError, binaries, clusterBinaries } from "./binaries.ts";
import {
  ControlPlaneError,
  isRunning,
  readState,
  startControlPlane,
  stopControlPlane,
} from "./controlplane.ts";
import { gatewayApiCrds } from "./gateway-api.ts";
import { ImageArchiveError } from "./image-archive.ts";
import { checkNodePrerequisites, NodePrerequisiteError } from "./node.ts";
import { NodeNetworkError, nodeNetwork, setUpNodeNetwork } from "./node-network.ts";
import { PauseImageError } from "./pause.ts";

const usage = `usage: npm run cluster -- <command>

  up [--node]  start etcd, kube-apiserver and kube-controller-manager in the background;
               --node also starts a node (containerd, kubelet, kube-scheduler, kube-proxy and
               a CNI bridge; root, Debian's containerd runc containernetworking-plugins
               iptables) and prints the address Pods reach the host at
  down         stop everything (with a node: its Pods, mounts and network too) and delete it
  status       say whether the control plane runs
  build        build (or find) every binary: kube-apiserver, kube-controller-manager, kubectl,
               kubelet, kube-scheduler, kube-proxy, etcd, helm, promtool; and fetch the Gateway API CRDs
               (standard channel) the tests install

State lives in CLUSTER_DIR (default .cache/cluster in the project).`;

const dir = process.env.CLUSTER_DIR ?? join(import.meta.dirname, "..", "..", ".cache", "cluster");
const say = (line: string) => process.stdout.write(`${line}\n`);

async function up(withNode: boolean): Promise<number> {
  if (await isRunning(dir)) {
    const running = readState(dir);
    if (withNode && !running?.node) {
      throw new ControlPlaneError(
        `a control plane without a node runs in ${dir}: stop it first (npm run cluster -- down)`,
      );
    }
    say(`control plane already running (${running?.server}); reusing it`);
  } else {
    if (readState(dir)) {
      say("found a stopped or broken control plane; cleaning it up");
      await stopControlPlane(dir);
    }
    if (withNode) {
      checkNodePrerequisites();
      setUpNodeNetwork(nodeNetwork);
    }
    const started = Date.now();
    const state = await startControlPlane(dir, say, withNode ? { node: nodeNetwork } : {});
    const what = withNode ? `control plane and node ${nodeNetwork.nodeName}` : "control plane";
    say(`${what} ready at ${state.server} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
    say(`logs: ${dir}/*.log`);
  }
  const node = readState(dir)?.node;
  if (node) say(`host address for pods: ${node.hostAddress}`);
  say(`export KUBECONFIG=${join(dir, "kubeconfig")}`);
  return 0;
}

async function main(command: string | undefined, flags: string[]): Promise<number> {
  switch (command) {
    case "up":
      return up(flags.includes("--node"));
    case "down":
      say((await stopControlPlane(dir)) ? "control plane stopped" : "no control plane was running");
      return 0;
    case "status": {
      const running = await isRunning(dir);
      say(running ? `running at ${readState(dir)?.server}` : "not running");
      return running ? 0 : 1;
    }
    case "build": {
      const paths = await binaries(clusterBinaries, say);
      for (const [name, path] of Object.entries(paths)) say(`${name}: ${path}`);
      say(`gateway-api-crds: ${await gatewayApiCrds(say)}`);
      return 0;
    }
    default:
      process.stderr.write(`${usage}\n`);
      return command === undefined || command === "help" ? 0 : 2;
  }
}

main(process.argv[2], process.argv.slice(3)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (
      err instanceof BinaryUnavailableError ||
      err instanceof ControlPlaneError ||
      err instanceof NodePrerequisiteError ||
      err instanceof NodeNetworkError ||
      err instanceof PauseImageError ||
      err instanceof ImageArchiveError
    ) {
      process.stderr.write(`error: ${err.message}\n`);
    } else {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    }
    process.exit(1);
  },
);
