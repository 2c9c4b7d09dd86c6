// The local cluster's node: containerd (CRI) with the CNI bridge, kubelet, kube-scheduler and
// kube-proxy (iptables mode), configured as kubeadm would for one machine, so Pods schedule,
// reach the apiserver through the `kubernetes` Service and reach the host on the bridge.
// Needs root and Debian's containerd, runc, containernetworking-plugins and iptables.
// This file writes the configuration and names the command lines; controlplane.ts starts them.
import { spawnSync } from "node:child_process";
import { accessSync, constants, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { commandOnPath } from "./image/commands.ts";
import type { NodeNetwork } from "./node-network.ts";
import { podResolvConf } from "./node-network.ts";
import { pauseImage } from "./pause.ts";

/** containerd's sockets and state live outside the cluster folder: socket paths are short. */
export const nodeRunDir = "/run/dnsimple-cert-operator";
export const containerdAddress = join(nodeRunDir, "containerd.sock");
export const cniBinDir = "/usr/lib/cni";

export class NodePrerequisiteError extends Error {
  override name = "NodePrerequisiteError";
}

const debianPackages = "containerd runc containernetworking-plugins iptables";

/** Throws with what to install when the node cannot run here; returns quietly when it can. */
export function checkNodePrerequisites(): void {
  if (process.getuid?.() !== 0) {
    throw new NodePrerequisiteError(
      "a node needs root (containerd, kubelet and the bridge network): run `npm run cluster -- up --node` as root",
    );
  }
  const missing = ["containerd", "runc", "ctr", "iptables", "ip"].filter((c) => !commandOnPath(c));
  for (const plugin of ["bridge", "host-local", "loopback"]) {
    try {
      accessSync(join(cniBinDir, plugin), constants.X_OK);
    } catch {
      missing.push(`${cniBinDir}/${plugin}`);
    }
  }
  if (missing.length > 0) {
    throw new NodePrerequisiteError(
      `a node needs ${missing.join(", ")}: install Debian's packages with ` +
        `\`apt-get install -y --no-install-recommends ${debianPackages}\``,
    );
  }
}

export interface NodePaths {
  root: string;
  containerdConfig: string;
  cniConfDir: string;
  kubeletConfig: string;
  kubeletKubeconfig: string;
  kubeletDir: string;
  kubeProxyConfig: string;
}

export function nodePaths(dir: string): NodePaths {
  const root = join(dir, "node");
  return {
    root,
    containerdConfig: join(root, "containerd.toml"),
    cniConfDir: join(root, "cni"),
    kubeletConfig: join(root, "kubelet.yaml"),
    kubeletKubeconfig: join(root, "kubelet.kubeconfig"),
    kubeletDir: join(root, "kubelet"),
    kubeProxyConfig: join(root, "kube-proxy.yaml"),
  };
}

/** containerd 1.6+ (config version 2): CRI on our own socket, runc with cgroupfs, our CNI. */
function containerdToml(paths: NodePaths): string {
  const cri = 'plugins."io.containerd.grpc.v1.cri"';
  return `version = 2
root = "${join(paths.root, "containerd")}"
state = "${join(nodeRunDir, "containerd-state")}"
disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.devmapper"]

[grpc]
  address = "${containerdAddress}"

[${cri}]
  sandbox_image = "${pauseImage}"
  # This machine refuses negative oom_score_adj values: without this every sandbox fails
  # ("can't get final child's PID from pipe: EOF").
  restrict_oom_score_adj = true
  [${cri}.cni]
    bin_dir = "${cniBinDir}"
    conf_dir = "${paths.cniConfDir}"
  [${cri}.containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [${cri}.containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [${cri}.containerd.runtimes.runc.options]
        SystemdCgroup = false
`;
}

function cniConflist(net: NodeNetwork, paths: NodePaths): string {
  const gateway = net.hostAddress;
  return `${JSON.stringify(
    {
      cniVersion: "1.0.0",
      name: "dnsimple-cert-operator",
      plugins: [
        {
          type: "bridge",
          bridge: net.bridge,
          isGateway: true,
          // No masquerade: nothing from a Pod is meant to leave this machine.
          ipMasq: false,
          hairpinMode: true,
          ipam: {
            type: "host-local",
            ranges: [[{ subnet: net.podSubnet, gateway }]],
            routes: [{ dst: "0.0.0.0/0" }],
            dataDir: join(paths.root, "cni-ipam"),
          },
        },
      ],
    },
    null,
    2,
  )}\n`;
}

export interface KubeletOptions {
  net: NodeNetwork;
  port: number;
  healthzPort: number;
  caFile: string;
  servingCertFile: string;
  servingKeyFile: string;
}

function kubeletYaml(paths: NodePaths, o: KubeletOptions): string {
  return stringify({
    apiVersion: "kubelet.config.k8s.io/v1beta1",
    kind: "KubeletConfiguration",
    address: o.net.hostAddress,
    port: o.port,
    readOnlyPort: 0,
    healthzBindAddress: "127.0.0.1",
    healthzPort: o.healthzPort,
    tlsCertFile: o.servingCertFile,
    tlsPrivateKeyFile: o.servingKeyFile,
    authentication: {
      anonymous: { enabled: false },
      webhook: { enabled: true },
      x509: { clientCAFile: o.caFile },
    },
    authorization: { mode: "Webhook" },
    containerRuntimeEndpoint: `unix://${containerdAddress}`,
    // This machine has cgroup v1 and no systemd.
    cgroupDriver: "cgroupfs",
    failCgroupV1: false,
    failSwapOn: false,
    resolvConf: join(paths.root, "resolv.conf"),
    clusterDomain: "cluster.local",
    // A developer's disk is often fuller than a server's: evict only when it is really full.
    evictionHard: {
      "memory.available": "100Mi",
      "nodefs.available": "2%",
      "imagefs.available": "2%",
      "nodefs.inodesFree": "2%",
    },
    imageGCHighThresholdPercent: 99,
    imageGCLowThresholdPercent: 98,
    serializeImagePulls: false,
    rotateCertificates: false,
    serverTLSBootstrap: false,
  });
}

function kubeProxyYaml(kubeconfig: string, net: NodeNetwork, ports: number[]): string {
  return stringify({
    apiVersion: "kubeproxy.config.k8s.io/v1alpha1",
    kind: "KubeProxyConfiguration",
    clientConnection: { kubeconfig },
    hostnameOverride: net.nodeName,
    mode: "iptables",
    clusterCIDR: net.podSubnet,
    bindAddress: net.hostAddress,
    healthzBindAddress: `127.0.0.1:${ports[0]}`,
    metricsBindAddress: `127.0.0.1:${ports[1]}`,
    // NodePorts on the bridge address only; none on loopback (no route_localnet change).
    nodePortAddresses: [`${net.hostAddress}/32`],
    iptables: { localhostNodePorts: false, masqueradeAll: false },
    // Leave the machine's conntrack sysctls alone.
    conntrack: { maxPerCore: 0, tcpEstablishedTimeout: "0s", tcpCloseWaitTimeout: "0s" },
  });
}

export interface NodeCommandLines {
  containerd: string[];
  kubelet: string[];
  scheduler: string[];
  proxy: string[];
}

export interface NodeConfigInput {
  dir: string;
  net: NodeNetwork;
  adminKubeconfig: string;
  /** The kubelet's own kubeconfig content (its node identity). */
  kubeletKubeconfig: string;
  kubelet: Omit<KubeletOptions, "net">;
  schedulerPort: number;
  proxyPorts: [number, number];
}

/** Writes every node configuration file and returns the command lines (without binaries). */
export function writeNodeConfig(input: NodeConfigInput): NodeCommandLines {
  const paths = nodePaths(input.dir);
  for (const d of [paths.root, paths.cniConfDir, paths.kubeletDir, nodeRunDir]) {
    mkdirSync(d, { recursive: true });
  }
  writeFileSync(paths.containerdConfig, containerdToml(paths));
  writeFileSync(
    join(paths.cniConfDir, "10-dnsimple-cert-operator.conflist"),
    cniConflist(input.net, paths),
  );
  writeFileSync(join(paths.root, "resolv.conf"), podResolvConf);
  writeFileSync(paths.kubeletConfig, kubeletYaml(paths, { ...input.kubelet, net: input.net }));
  writeFileSync(paths.kubeletKubeconfig, input.kubeletKubeconfig, { mode: 0o600 });
  writeFileSync(
    paths.kubeProxyConfig,
    kubeProxyYaml(input.adminKubeconfig, input.net, input.proxyPorts),
  );
  const kubeconfigFlags = (k: string) => [
    `--kubeconfig=${k}`,
    `--authentication-kubeconfig=${k}`,
    `--authorization-kubeconfig=${k}`,
  ];
  return {
    containerd: [`--config=${paths.containerdConfig}`],
    kubelet: [
      `--config=${paths.kubeletConfig}`,
      `--kubeconfig=${paths.kubeletKubeconfig}`,
      `--root-dir=${paths.kubeletDir}`,
      `--cert-dir=${join(paths.root, "kubelet-pki")}`,
      `--hostname-override=${input.net.nodeName}`,
      `--node-ip=${input.net.hostAddress}`,
    ],
    scheduler: [
      ...kubeconfigFlags(input.adminKubeconfig),
      "--bind-address=127.0.0.1",
      `--secure-port=${input.schedulerPort}`,
      "--leader-elect=false",
    ],
    proxy: [`--config=${paths.kubeProxyConfig}`],
  };
}

/** Whether containerd answers on its socket. */
export function containerdAnswers(): boolean {
  if (!existsSync(containerdAddress)) return false;
  return (
    spawnSync("ctr", ["--address", containerdAddress, "version"], { stdio: "ignore" }).status === 0
  );
}
