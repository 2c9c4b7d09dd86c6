// `npm run cluster -- up|down|status|build`: a local control plane for development and the demo.
// `up` returns once /readyz answers ok and prints `export KUBECONFIG=<path>` as its last line.
import { join } from "node:path";
import { BinaryUnavailableError, binaries } from "./binaries.ts";
import {
  ControlPlaneError,
  isRunning,
  readState,
  startControlPlane,
  stopControlPlane,
} from "./controlplane.ts";

const usage = `usage: npm run cluster -- <command>

  up      start etcd, kube-apiserver and kube-controller-manager in the background
  down    stop them and delete their state
  status  say whether the control plane runs
  build   build (or find) every binary: kube-apiserver, kube-controller-manager, kubectl, etcd, helm

State lives in CLUSTER_DIR (default .cache/cluster in the project).`;

const dir = process.env.CLUSTER_DIR ?? join(import.meta.dirname, "..", "..", ".cache", "cluster");
const say = (line: string) => process.stdout.write(`${line}\n`);

async function main(command: string | undefined): Promise<number> {
  switch (command) {
    case "up": {
      if (await isRunning(dir)) {
        say(`control plane already running (${readState(dir)?.server}); reusing it`);
      } else {
        if (readState(dir)) {
          say("found a stopped or broken control plane; cleaning it up");
          await stopControlPlane(dir);
        }
        const started = Date.now();
        const state = await startControlPlane(dir, say);
        say(
          `control plane ready at ${state.server} in ${((Date.now() - started) / 1000).toFixed(1)}s`,
        );
        say(`logs: ${dir}/*.log`);
      }
      say(`export KUBECONFIG=${join(dir, "kubeconfig")}`);
      return 0;
    }
    case "down":
      say((await stopControlPlane(dir)) ? "control plane stopped" : "no control plane was running");
      return 0;
    case "status": {
      const running = await isRunning(dir);
      say(running ? `running at ${readState(dir)?.server}` : "not running");
      return running ? 0 : 1;
    }
    case "build": {
      const paths = await binaries(
        ["kube-apiserver", "kube-controller-manager", "kubectl", "etcd", "helm"],
        say,
      );
      for (const [name, path] of Object.entries(paths)) say(`${name}: ${path}`);
      return 0;
    }
    default:
      process.stderr.write(`${usage}\n`);
      return command === undefined || command === "help" ? 0 : 2;
  }
}

main(process.argv[2]).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof BinaryUnavailableError || err instanceof ControlPlaneError) {
      process.stderr.write(`error: ${err.message}\n`);
    } else {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    }
    process.exit(1);
  },
);
