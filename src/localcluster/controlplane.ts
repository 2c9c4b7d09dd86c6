// A real local Kubernetes control plane: etcd, kube-apiserver (RBAC on, service-account
// tokens signed) and kube-controller-manager (garbage collection and namespace deletion),
// as plain processes. Its whole state lives in one folder, described by state.json, so a
// later `down` (or a second `up`) in another process can find and stop it.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { createServer } from "node:net";
import { join } from "node:path";
import { stringify } from "yaml";
import { binaries, processAlive } from "./binaries.ts";
import { createPki } from "./pki.ts";

export interface ControlPlaneState {
  kubeconfig: string;
  server: string;
  /** In start order; stopped in reverse. The command line lets one be restarted. */
  processes: { name: string; pid: number; path: string; args: string[] }[];
  startedAt: string;
}

export class ControlPlaneError extends Error {
  override name = "ControlPlaneError";
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

/** A free TCP port on 127.0.0.1 (taken back at once: a small race, fine on a dev machine). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** GET /readyz with the admin client certificate; the body ("ok") or the error text. */
function readyz(dir: string, server: string): Promise<string> {
  const pki = join(dir, "pki");
  return new Promise((resolve) => {
    const req = request(
      `${server}/readyz`,
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
          resolve(res.statusCode === 200 ? body.trim() : `HTTP ${res.statusCode}`),
        );
      },
    );
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", (err) => resolve(err.message));
    req.end();
  });
}

function startProcess(dir: string, name: string, path: string, args: string[]): ChildProcess {
  const log = openSync(join(dir, `${name}.log`), "a");
  // Own process group and no pipes: the processes outlive `npm run cluster -- up`.
  const child = spawn(path, args, { detached: true, stdio: ["ignore", log, log] });
  child.unref();
  return child;
}

function tail(dir: string, name: string): string {
  try {
    return readFileSync(join(dir, `${name}.log`), "utf8")
      .split("\n")
      .slice(-20)
      .join("\n");
  } catch {
    return "";
  }
}

async function waitFor(
  what: string,
  timeoutMs: number,
  check: () => Promise<boolean>,
  died: () => string | undefined,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const dead = died();
    if (dead) throw new ControlPlaneError(`${what}: ${dead}`);
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new ControlPlaneError(`${what}: not ready after ${timeoutMs / 1000}s`);
}

export interface ControlPlaneOptions {
  /**
   * Extra kube-apiserver flags, after the defaults (so a repeated flag overrides its default),
   * e.g. `--watch-cache=false` for watches served by etcd itself. Kept in the recorded command
   * line, so restartProcess starts the apiserver with them again.
   */
  apiserverFlags?: readonly string[];
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
  const bin = await binaries(["etcd", "kube-apiserver", "kube-controller-manager"], log);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, "pki"), { recursive: true });
  const pki = await createPki(join(dir, "pki"));
  writeFileSync(join(dir, "pki", "admin.crt"), pki.adminCert);
  writeFileSync(join(dir, "pki", "admin.key"), pki.adminKey, { mode: 0o600 });

  const [etcdClient, etcdPeer, apiPort] = [await freePort(), await freePort(), await freePort()];
  const server = `https://127.0.0.1:${apiPort}`;
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
      "--bind-address=127.0.0.1",
      "--advertise-address=127.0.0.1",
      // The endpoint reconciler refuses loopback addresses; nothing here runs in-cluster.
      "--endpoint-reconciler-type=none",
      `--secure-port=${apiPort}`,
      `--cert-dir=${join(dir, "pki")}`,
      `--tls-cert-file=${pki.files.servingCert}`,
      `--tls-private-key-file=${pki.files.servingKey}`,
      `--client-ca-file=${pki.files.caCert}`,
      "--authorization-mode=RBAC",
      "--service-cluster-ip-range=10.0.0.0/24",
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
      // Owner-reference garbage collection and namespace deletion; nothing that needs nodes.
      "--controllers=garbagecollector,namespace,serviceaccount,serviceaccount-token",
      `--service-account-private-key-file=${pki.files.serviceAccountPrivateKey}`,
      `--root-ca-file=${pki.files.caCert}`,
    ]);

    const state: ControlPlaneState = {
      kubeconfig,
      server,
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
    throw err;
  }
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

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/**
 * Stops the processes recorded in `dir`, dependents first (TERM, then KILL after a short grace:
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
  const existed = existsSync(dir);
  rmSync(dir, { recursive: true, force: true });
  return Boolean(state) || existed;
}

async function exited(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (processAlive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

function kubeconfigYaml(server: string, ca: string, cert: string, key: string): string {
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
