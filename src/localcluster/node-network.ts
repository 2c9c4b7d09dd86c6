// The local node's network, kept entirely on this machine: one Linux bridge with the Pods on it
// (the CNI bridge plugin attaches them) and the host's address on that bridge, which Pods use to
// reach the host (the apiserver, a simulator run by a test). Nothing is routed off the machine:
// the Service range points at the bridge (a ClusterIP that kube-proxy has not rewritten yet dies
// there instead of following the default route), and a FORWARD rule drops anything Pods send to
// another interface, whatever ip_forward says. Pods get no DNS server (there is no cluster DNS),
// so a lookup fails at once instead of asking the host's resolver.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";

/** Addresses and names of the node's network; one node per machine (the bridge is global). */
export interface NodeNetwork {
  nodeName: string;
  bridge: string;
  /** The host's address on the bridge: Pods reach the host here. */
  hostAddress: string;
  podSubnet: string;
  serviceCidr: string;
  /** The `kubernetes` Service's ClusterIP (the first address of serviceCidr). */
  kubernetesServiceIp: string;
}

export const nodeNetwork: NodeNetwork = {
  nodeName: "local-node",
  bridge: "dcop0",
  hostAddress: "10.88.0.1",
  podSubnet: "10.88.0.0/24",
  serviceCidr: "10.0.0.0/24",
  kubernetesServiceIp: "10.0.0.1",
};

export class NodeNetworkError extends Error {
  override name = "NodeNetworkError";
}

const guardComment = "dnsimple-cert-operator local node: pods stay on this machine";

function run(command: string, args: readonly string[]): { ok: boolean; output: string } {
  const result = spawnSync(command, args, { encoding: "utf8" });
  return { ok: result.status === 0, output: `${result.stdout ?? ""}${result.stderr ?? ""}`.trim() };
}

function must(command: string, args: readonly string[]): void {
  const result = run(command, args);
  if (!result.ok) {
    throw new NodeNetworkError(`${command} ${args.join(" ")} failed: ${result.output}`);
  }
}

/**
 * The FORWARD rules that keep Pod traffic on the bridge (iptables arguments after -I/-D). In the
 * mangle table, which sees a forwarded packet before the filter table, where kube-proxy puts
 * its own rules first.
 */
function guardRules(net: NodeNetwork): string[][] {
  const comment = ["-m", "comment", "--comment", guardComment];
  return [
    ["FORWARD", "-i", net.bridge, "!", "-o", net.bridge, ...comment, "-j", "DROP"],
    ["FORWARD", "-o", net.bridge, "!", "-i", net.bridge, ...comment, "-j", "DROP"],
  ];
}

// The CNI bridge plugin turns on ip_forward for a gateway bridge; `down` puts back what was.
const ipForward = "/proc/sys/net/ipv4/ip_forward";
const ipForwardBefore = "/run/dnsimple-cert-operator-ip-forward";

/** Creates the bridge with the host's address, the Service route and the FORWARD guard. */
export function setUpNodeNetwork(net: NodeNetwork = nodeNetwork): void {
  tearDownNodeNetwork(net);
  mkdirSync("/run", { recursive: true });
  writeFileSync(ipForwardBefore, readFileSync(ipForward, "utf8"));
  const prefix = net.podSubnet.split("/")[1];
  must("ip", ["link", "add", net.bridge, "type", "bridge"]);
  must("ip", ["addr", "add", `${net.hostAddress}/${prefix}`, "dev", net.bridge]);
  must("ip", ["link", "set", net.bridge, "up"]);
  must("ip", ["route", "add", net.serviceCidr, "dev", net.bridge]);
  for (const rule of guardRules(net)) must("iptables", ["-t", "mangle", "-I", ...rule]);
}

/** Removes what setUpNodeNetwork made (each part only if present). */
export function tearDownNodeNetwork(net: NodeNetwork = nodeNetwork): void {
  for (const rule of guardRules(net)) {
    while (run("iptables", ["-t", "mangle", "-D", ...rule]).ok) {
      // A rule may have been inserted twice by an interrupted `up`.
    }
  }
  run("ip", ["route", "del", net.serviceCidr, "dev", net.bridge]);
  run("ip", ["link", "del", net.bridge]);
  try {
    writeFileSync(ipForward, readFileSync(ipForwardBefore, "utf8"));
    rmSync(ipForwardBefore);
  } catch {
    // Nothing recorded: nothing to put back.
  }
}

/** The resolv.conf Pods get: no server but their own loopback, so lookups fail fast. */
export const podResolvConf =
  "# The local node has no cluster DNS; Pods resolve nothing.\nnameserver 127.0.0.1\noptions timeout:1 attempts:1\n";
