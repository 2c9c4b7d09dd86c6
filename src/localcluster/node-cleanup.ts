// Takes a stopped node apart, leaving the machine as it was: the Pods' processes (containerd's
// shims outlive it), their mounts and network namespaces, kubelet's cgroups, kube-proxy's and
// kubelet's iptables chains and the bridge. Every step works on what is there, so it also cleans up after
// an `up` that was killed halfway. Runs after the node's processes have been stopped.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { containerdAddress, nodeRunDir } from "./node.ts";
import { type NodeNetwork, tearDownNodeNetwork } from "./node-network.ts";

const cgroupRoot = "/sys/fs/cgroup";

function readSafe(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

/** Every folder under `root`, deepest first. */
function foldersDeepestFirst(root: string): string[] {
  if (!existsSync(root)) return [];
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(dir, entry.name));
    }
    found.push(dir);
  };
  walk(root);
  return found;
}

/** kubelet's cgroup trees (`kubepods`) in every mounted hierarchy (cgroup v1 or v2). */
function kubepodsTrees(): string[] {
  const hierarchies = existsSync(join(cgroupRoot, "cgroup.controllers"))
    ? [cgroupRoot]
    : readdirSync(cgroupRoot).map((name) => join(cgroupRoot, name));
  return hierarchies.map((h) => join(h, "kubepods")).filter((p) => existsSync(p));
}

function kill(pids: Iterable<number>): void {
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
}

/** Processes of the Pods (by cgroup) and containerd's shims for this node's socket. */
function podProcesses(): Set<number> {
  const pids = new Set([...cgroupProcesses(), ...shimProcesses()]);
  pids.delete(process.pid);
  return pids;
}

/** The processes in kubelet's cgroup trees. */
function cgroupProcesses(): number[] {
  const pids: number[] = [];
  for (const tree of kubepodsTrees()) {
    for (const dir of foldersDeepestFirst(tree)) {
      for (const line of readSafe(join(dir, "cgroup.procs")).split("\n")) {
        if (line.trim()) pids.push(Number(line));
      }
    }
  }
  return pids;
}

/** containerd's shims started for this node's containerd socket. */
function shimProcesses(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = readSafe(join("/proc", entry, "cmdline")).split("\0");
    if (cmdline[0]?.includes("containerd-shim") && cmdline.includes(containerdAddress)) {
      pids.push(Number(entry));
    }
  }
  return pids;
}

function killPods(): void {
  for (let round = 0; round < 20; round++) {
    const pids = podProcesses();
    if (pids.size === 0) return;
    kill(pids);
    spawnSync("sleep", ["0.1"]);
  }
}

/** Mount points under the node's folders and the Pods' network namespaces, deepest first. */
function nodeMounts(dir: string): string[] {
  const prefixes = [`${dir}/`, `${nodeRunDir}/`, "/run/netns/cni-", "/var/run/netns/cni-"];
  return readSafe("/proc/self/mountinfo")
    .split("\n")
    .map((line) => line.split(" ")[4] ?? "")
    .filter((mountPoint) => prefixes.some((p) => mountPoint.startsWith(p)))
    .sort((a, b) => b.length - a.length);
}

function unmountAll(dir: string): void {
  for (const mountPoint of nodeMounts(dir)) {
    spawnSync("umount", ["-l", mountPoint], { stdio: "ignore" });
  }
  for (const netnsDir of ["/run/netns", "/var/run/netns"]) {
    if (!existsSync(netnsDir)) continue;
    for (const name of readdirSync(netnsDir)) {
      if (name.startsWith("cni-")) rmSync(join(netnsDir, name), { force: true });
    }
  }
}

function removeCgroups(): void {
  for (const tree of kubepodsTrees()) {
    for (const folder of foldersDeepestFirst(tree)) {
      try {
        rmdirSync(folder);
      } catch {
        // Still busy or already gone: the next `down` tries again.
      }
    }
  }
}

/** kube-proxy's own cleanup of its iptables chains (binary path from the recorded state). */
function cleanUpKubeProxy(kubeProxy: string | undefined): void {
  if (kubeProxy && existsSync(kubeProxy) && statSync(kubeProxy).isFile()) {
    spawnSync(kubeProxy, ["--cleanup"], { stdio: "ignore" });
  }
}

/** The chains kubelet makes for itself, which kube-proxy's own cleanup leaves. */
const KUBELET_CHAINS = ["KUBE-FIREWALL", "KUBE-KUBELET-CANARY", "KUBE-IPTABLES-HINT"];

/**
 * kubelet's chains removed: the jumps to them first, then the chains, in every table, for
 * IPv4 and IPv6.
 */
function cleanUpKubeletChains(): void {
  for (const command of ["iptables", "ip6tables"]) {
    for (const table of ["filter", "nat", "mangle"]) {
      deleteJumpsToKubeletChains(command, table);
      for (const chain of KUBELET_CHAINS) {
        spawnSync(command, ["-t", table, "-F", chain], { stdio: "ignore" });
        spawnSync(command, ["-t", table, "-X", chain], { stdio: "ignore" });
      }
    }
  }
}

/** The rules of other chains in `table` that jump to one of kubelet's chains, deleted. */
function deleteJumpsToKubeletChains(command: string, table: string): void {
  const rules = spawnSync(command, ["-t", table, "-S"], { encoding: "utf8" }).stdout ?? "";
  for (const rule of rules.split("\n")) {
    const [, chain, spec, target] = rule.match(/^-A (\S+) (.*-j (\S+))$/) ?? [];
    if (!chain || !spec || !target) continue;
    if (KUBELET_CHAINS.includes(chain) || !KUBELET_CHAINS.includes(target)) continue;
    spawnSync(command, ["-t", table, "-D", chain, ...spec.split(" ")], { stdio: "ignore" });
  }
}

export function cleanUpNode(dir: string, net: NodeNetwork, kubeProxy?: string): void {
  killPods();
  unmountAll(dir);
  removeCgroups();
  cleanUpKubeProxy(kubeProxy);
  cleanUpKubeletChains();
  tearDownNodeNetwork(net);
  rmSync(nodeRunDir, { recursive: true, force: true });
}
