// A real local Kubernetes control plane: etcd, kube-apiserver (RBAC on, service-account
// tokens signed) and kube-controller-manager (garbage collection and namespace deletion),
// as plain processes; optionally with a node (node.ts) on which Pods run. Its whole state lives in one folder, described by state.json, so a
// later `down` (or a second `up`) in another process can find and stop it.
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { join } from "node:path";
import { stringify } from "yaml";
import { binaries, processAlive } from "./binaries.ts";
import { containerdAddress, containerdAnswers, writeNodeConfig } from "./node.ts";
import { cleanUpNode } from "./node-cleanup.ts";
import { type NodeNetwork, nodeNetwork } from "./node-network.ts";
import { importPauseImage } from "./pause.ts";
import { createPki } from "./pki.ts";
import {
  ControlPlaneError,
  exited,
  freePort,
  killGroup,
  startProcess,
  tail,
  waitFor,
} from "./processes.ts";

export { ControlPlaneError, freePort };

export interface ControlPlaneState {
  kubeconfig: string;
  server: string;
  /** With a node: its network (so `down` can take it apart). */
  node?: NodeNetwork;
  /** In start order; stopped in reverse. The command line lets one be restarted. */
  processes: { name: string; pid: number; path: string; args: string[] }[];
  startedAt: string;
}

const stateFile = (dir: string) => join(dir, "state.json");

export function readState(dir: string): ControlPlaneState | undefined {
  try {
    return JSON.parse(readFileSync(stateFile(dir), "utf8")) as ControlPlaneState;
  } catch {
    return undefined;
  }
}

/** True when every process of the state is alive and the apiserver answers /readyz. */
export async function isRunning(dir: string): Promise<boolean> {
  const state = readState(dir);
  if (!state?.processes.every((p) => processAlive(p.pid))) return false;
  return (await readyz(dir, state.server)) === "ok";
}

/** GET `path` with the admin client certificate; the body, or the error text (never throws). */
function adminGet(
  dir: string,
  server: string,
  path: string,
): Promise<{ ok: boolean; body: string }> {
  const pki = join(dir, "pki");
  return new Promise((resolve) => {
    const req = request(
      `${server}${path}`,
      {
        ca: readFileSync(join(pki, "ca.crt")),
        cert: readFileSync(join(pki, "admin.crt")),
        key: readFileSync(join(pki, "admin.key")),
        timeout: 2000,
      },
      (res) => {
        let body = "";
        res.on("data", (chunk: Buffer) => {
          body += chunk.toString();
        });
        res.on("end", () =>
          resolve(
            res.statusCode === 200
              ? { ok: true, body: body.trim() }
              : { ok: false, body: `HTTP ${res.statusCode}` },
          ),
        );
      },
    );
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", (err) => resolve({ ok: false, body: err.message }));
    req.end();
  });
}

/** GET /readyz: "ok", or what went wrong. */
async function readyz(dir: string, server: string): Promise<string> {
  return (await adminGet(dir, server, "/readyz")).body;
}

/** Whether the node's Ready condition is True. */
async function nodeReady(dir: string, server: string, name: string): Promise<boolean> {
  const got = await adminGet(dir, server, `/api/v1/nodes/${name}`);
  if (!got.ok) return false;
  const node = JSON.parse(got.body) as {
    status?: { conditions?: { type: string; status: string }[] };
  };
  return node.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
}

export interface ControlPlaneOptions {
  /**
   * Extra kube-apiserver flags, after the defaults (so a repeated flag overrides its default),
   * e.g. `--watch-cache=false` for watches served by etcd itself. Kept in the recorded command
   * line, so restartProcess starts the apiserver with them again.
   */
  apiserverFlags?: readonly string[];
  /**
   * Also run a node on this network (containerd, kubelet, kube-scheduler, kube-proxy): the
   * apiserver then serves on the host's bridge address, which Pods reach through the
   * `kubernetes` Service, and kube-controller-manager runs every default controller.
   * The network must be set up first (setUpNodeNetwork).
   */
  node?: NodeNetwork;
}

/**
 * Starts etcd, kube-apiserver and kube-controller-manager with their state in `dir`, waits
 * for /readyz, writes `dir/kubeconfig` and `dir/state.json`, and returns the state.
 */
export async function startControlPlane(
  dir: string,
  log: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
  options: ControlPlaneOptions = {},
): Promise<ControlPlaneState> {
  const net = options.node;
  const bin = await binaries(["etcd", "kube-apiserver", "kube-controller-manager"], log);
  const nodeBin = net
    ? await binaries(["kubelet", "kube-scheduler", "kube-proxy"], log)
    : undefined;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, "pki"), { recursive: true });
  const pki = await createPki(
    join(dir, "pki"),
    net
      ? {
          servingIps: [net.hostAddress, net.kubernetesServiceIp],
          node: { name: net.nodeName, address: net.hostAddress },
        }
      : {},
  );
  writeFileSync(join(dir, "pki", "admin.crt"), pki.adminCert);
  writeFileSync(join(dir, "pki", "admin.key"), pki.adminKey, { mode: 0o600 });

  const [etcdClient, etcdPeer, apiPort] = [await freePort(), await freePort(), await freePort()];
  const server = `https://${net?.hostAddress ?? "127.0.0.1"}:${apiPort}`;
  const children: { name: string; child: ChildProcess; path: string; args: string[] }[] = [];
  const launch = (name: string, path: string, args: string[]) =>
    children.push({ name, child: startProcess(dir, name, path, args), path, args });
  const died = () => {
    const dead = children.find((c) => c.child.exitCode !== null || c.child.signalCode !== null);
    return (
      dead &&
      `${dead.name} exited (${dead.child.exitCode ?? dead.child.signalCode}):\n${tail(dir, dead.name)}`
    );
  };
  const stopAll = () => {
    for (const { child } of children.reverse()) if (child.pid) killGroup(child.pid, "SIGKILL");
  };

  try {
    const etcdUrl = `http://127.0.0.1:${etcdClient}`;
    const peerUrl = `http://127.0.0.1:${etcdPeer}`;
    launch("etcd", bin.etcd, [
      "--name=default",
      `--data-dir=${join(dir, "etcd")}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=default=${peerUrl}`,
      // A throw-away test store: durability costs seconds per test run for nothing.
      "--unsafe-no-fsync",
      "--log-level=warn",
    ]);

    launch("kube-apiserver", bin["kube-apiserver"], [
      `--etcd-servers=${etcdUrl}`,
      ...apiserverNetworkFlags(net, pki.files.caCert, dir),
      `--secure-port=${apiPort}`,
      `--cert-dir=${join(dir, "pki")}`,
      `--tls-cert-file=${pki.files.servingCert}`,
      `--tls-private-key-file=${pki.files.servingKey}`,
      `--client-ca-file=${pki.files.caCert}`,
      `--service-cluster-ip-range=${(net ?? nodeNetwork).serviceCidr}`,
      "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
      `--service-account-key-file=${pki.files.serviceAccountPublicKey}`,
      `--service-account-signing-key-file=${pki.files.serviceAccountPrivateKey}`,
      "--allow-privileged=true",
      "--profiling=false",
      ...(options.apiserverFlags ?? []),
    ]);
    await waitFor(
      "kube-apiserver",
      120_000,
      async () => (await readyz(dir, server)) === "ok",
      died,
    );

    const kubeconfig = join(dir, "kubeconfig");
    writeFileSync(kubeconfig, kubeconfigYaml(server, pki.caCert, pki.adminCert, pki.adminKey), {
      mode: 0o600,
    });

    launch("kube-controller-manager", bin["kube-controller-manager"], [
      `--kubeconfig=${kubeconfig}`,
      `--authentication-kubeconfig=${kubeconfig}`,
      `--authorization-kubeconfig=${kubeconfig}`,
      "--bind-address=127.0.0.1",
      `--secure-port=${await freePort()}`,
      "--leader-elect=false",
      // Without a node: owner-reference garbage collection and namespace deletion, nothing that
      // needs nodes. With one: every default controller (Deployments, ReplicaSets, EndpointSlices…).
      net
        ? "--controllers=*"
        : "--controllers=garbagecollector,namespace,serviceaccount,serviceaccount-token",
      `--service-cluster-ip-range=${(net ?? nodeNetwork).serviceCidr}`,
      `--service-account-private-key-file=${pki.files.serviceAccountPrivateKey}`,
      `--root-ca-file=${pki.files.caCert}`,
    ]);

    if (net && nodeBin && pki.kubelet) {
      const lines = writeNodeConfig({
        dir,
        net,
        adminKubeconfig: kubeconfig,
        kubeletKubeconfig: kubeconfigYaml(
          server,
          pki.caCert,
          pki.kubelet.clientCert,
          pki.kubelet.clientKey,
        ),
        kubelet: {
          port: await freePort(),
          healthzPort: await freePort(),
          caFile: pki.files.caCert,
          servingCertFile: writePem(dir, "kubelet.crt", pki.kubelet.servingCert),
          servingKeyFile: writePem(dir, "kubelet.key", pki.kubelet.servingKey),
        },
        schedulerPort: await freePort(),
        proxyPorts: [await freePort(), await freePort()],
      });
      launch("containerd", "containerd", lines.containerd);
      await waitFor("containerd", 60_000, async () => containerdAnswers(), died);
      importPauseImage(containerdAddress);
      launch("kubelet", nodeBin.kubelet, lines.kubelet);
      launch("kube-scheduler", nodeBin["kube-scheduler"], lines.scheduler);
      launch("kube-proxy", nodeBin["kube-proxy"], lines.proxy);
      log(`waiting for node ${net.nodeName} to be Ready`);
      await waitFor("node", 180_000, () => nodeReady(dir, server, net.nodeName), died);
    }

    const state: ControlPlaneState = {
      kubeconfig,
      server,
      ...(net ? { node: net } : {}),
      processes: children.map(({ name, child, path, args }) => ({
        name,
        pid: child.pid ?? 0,
        path,
        args,
      })),
      startedAt: new Date().toISOString(),
    };
    writeFileSync(stateFile(dir), `${JSON.stringify(state, null, 2)}\n`);
    return state;
  } catch (err) {
    stopAll();
    if (net) cleanUpNode(dir, net, nodeBin?.["kube-proxy"]);
    throw err;
  }
}

/** Where the apiserver listens and how it authorizes: loopback alone, or the node's bridge. */
function apiserverNetworkFlags(
  net: NodeNetwork | undefined,
  caFile: string,
  dir: string,
): string[] {
  if (!net) {
    return [
      "--bind-address=127.0.0.1",
      "--advertise-address=127.0.0.1",
      // The endpoint reconciler refuses loopback addresses; nothing here runs in-cluster.
      "--endpoint-reconciler-type=none",
      "--authorization-mode=RBAC",
    ];
  }
  return [
    // Only on the bridge: Pods reach it there (the `kubernetes` Service's endpoint), and so does
    // the host; nothing listens on the machine's outside address.
    `--bind-address=${net.hostAddress}`,
    `--advertise-address=${net.hostAddress}`,
    "--authorization-mode=Node,RBAC",
    "--enable-admission-plugins=NodeRestriction",
    // To kubelets (logs, exec) as an admin, checking their serving certificate.
    `--kubelet-client-certificate=${join(dir, "pki", "admin.crt")}`,
    `--kubelet-client-key=${join(dir, "pki", "admin.key")}`,
    `--kubelet-certificate-authority=${caFile}`,
    "--kubelet-preferred-address-types=InternalIP",
  ];
}

function writePem(dir: string, name: string, pem: string): string {
  const path = join(dir, "pki", name);
  writeFileSync(path, pem, { mode: 0o600 });
  return path;
}

/**
 * Stops one process of the control plane (e.g. kube-apiserver) and starts it again with the
 * same command line, for tests of how clients live through an API server restart. Resolves
 * once the apiserver answers /readyz again.
 */
export async function restartProcess(dir: string, name: string): Promise<void> {
  const state = readState(dir);
  const entry = state?.processes.find((p) => p.name === name);
  if (!state || !entry) throw new ControlPlaneError(`no ${name} in ${dir}`);
  killGroup(entry.pid, "SIGTERM");
  if (!(await exited(entry.pid, 5000))) {
    killGroup(entry.pid, "SIGKILL");
    await exited(entry.pid, 5000);
  }
  const child = startProcess(dir, name, entry.path, entry.args);
  entry.pid = child.pid ?? 0;
  writeFileSync(stateFile(dir), `${JSON.stringify(state, null, 2)}\n`);
  await waitFor(
    name,
    60_000,
    async () => (await readyz(dir, state.server)) === "ok",
    () => (child.exitCode !== null ? `${name} exited:\n${tail(dir, name)}` : undefined),
  );
}

/**
 * Stops the processes recorded in `dir`, dependents first (with a node, then its Pods, mounts,
 * cgroups, iptables chains and bridge) (TERM, then KILL after a short grace:
 * the store is thrown away, so a slow graceful apiserver shutdown buys nothing), and removes `dir`.
 */
export async function stopControlPlane(dir: string): Promise<boolean> {
  const state = readState(dir);
  for (const { pid } of [...(state?.processes ?? [])].reverse()) {
    killGroup(pid, "SIGTERM");
    if (!(await exited(pid, 3000))) {
      killGroup(pid, "SIGKILL");
      await exited(pid, 5000);
    }
  }
  if (state?.node) {
    cleanUpNode(dir, state.node, state.processes.find((p) => p.name === "kube-proxy")?.path);
  }
  const existed = existsSync(dir);
  rmSync(dir, { recursive: true, force: true });
  return Boolean(state) || existed;
}

export function kubeconfigYaml(server: string, ca: string, cert: string, key: string): string {
  const b64 = (s: string) => Buffer.from(s).toString("base64");
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "local", cluster: { server, "certificate-authority-data": b64(ca) } }],
    users: [
      {
        name: "local-admin",
        user: { "client-certificate-data": b64(cert), "client-key-data": b64(key) },
      },
    ],
    contexts: [{ name: "local", context: { cluster: "local", user: "local-admin" } }],
    "current-context": "local",
  });
}
