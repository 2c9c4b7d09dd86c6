// Finds the control-plane binaries (kube-apiserver, etcd, kube-controller-manager, kubectl),
// the node's (kubelet, kube-scheduler, kube-proxy), helm, promtool (the alert rules' tests) and the
// e2e's Ingress controller: from the envtest environment variables when set, otherwise built once with Go
// from the module proxy into a cache folder keyed by version and reused afterwards. The helpers
// for that (cache folders keyed by a tools/ module's pins, running go, a cross-process lock) are
// exported for the other things fetched from Go modules (gateway-api.ts).
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

export type BinaryName =
  | "kube-apiserver"
  | "kube-controller-manager"
  | "kubectl"
  | "kubelet"
  | "kube-scheduler"
  | "kube-proxy"
  | "etcd"
  | "helm"
  | "promtool"
  | "traefik";

/** One small Go module under tools/ that builds one or more binaries. */
interface GoTool {
  module: string;
  /** The main module whose version names the cache folder. */
  versionOf: string;
  binaries: BinaryName[];
  ldflags: (version: string) => string;
}

/** The small Go modules (one folder each) whose go.mod and go.sum pin what is built or fetched. */
export const toolsDir = join(import.meta.dirname, "tools");

const goTools: GoTool[] = [
  {
    module: "kubernetes",
    versionOf: "k8s.io/kubernetes",
    binaries: [
      "kube-apiserver",
      "kube-controller-manager",
      "kubectl",
      "kubelet",
      "kube-scheduler",
      "kube-proxy",
    ],
    // Without these the binaries report v0.0.0 and kubectl warns about version skew.
    ldflags: (v) => {
      const [major, minor] = v.replace(/^v/, "").split(".");
      const pkg = "k8s.io/component-base/version";
      return `-s -w -X ${pkg}.gitVersion=${v} -X ${pkg}.gitMajor=${major} -X ${pkg}.gitMinor=${minor}`;
    },
  },
  {
    module: "etcd",
    versionOf: "go.etcd.io/etcd/server/v3",
    binaries: ["etcd"],
    ldflags: () => "-s -w",
  },
  {
    module: "helm",
    versionOf: "helm.sh/helm/v3",
    binaries: ["helm"],
    ldflags: (v) => `-s -w -X helm.sh/helm/v3/internal/version.version=${v}`,
  },
  {
    // promtool checks the chart's alert rules and runs their unit tests (test/alerts).
    module: "prometheus",
    versionOf: "github.com/prometheus/prometheus",
    binaries: ["promtool"],
    // As Prometheus's .promu.yml: `promtool --version` then names the release, not "unknown".
    // The module's v0.3XX.Y is Prometheus 3.XX.Y.
    ldflags: (v) => `-s -w -X github.com/prometheus/common/version.Version=${prometheusRelease(v)}`,
  },
  {
    // A `tool` module, not a build in a copy of Traefik's source: go.sum pins every dependency.
    module: "traefik",
    versionOf: "github.com/traefik/traefik/v3",
    binaries: ["traefik"],
    // As Traefik's .goreleaser.yml: `traefik version` then reports 3.x.y instead of "dev".
    ldflags: (v) =>
      `-s -w -X github.com/traefik/traefik/v3/pkg/version.Version=${v.replace(/^v/, "")}`,
  },
];

/** Prometheus tags its Go module v0.<major*100+minor>.<patch> for release <major>.<minor>.<patch>. */
export function prometheusRelease(moduleVersion: string): string {
  const [, encoded = "0", patch = "0"] = moduleVersion.replace(/^v/, "").split(".");
  const n = Number(encoded);
  return `${Math.floor(n / 100)}.${n % 100}.${patch}`;
}

/** Every binary of the local cluster and its tests (all but the e2e's Ingress controller). */
export const clusterBinaries: readonly BinaryName[] = goTools
  .flatMap((t) => t.binaries)
  .filter((name) => name !== "traefik");

/**
 * Raised when a binary (or another file a tools/ module provides) can be neither found nor
 * built; the message says what to do.
 */
export class BinaryUnavailableError extends Error {
  override name = "BinaryUnavailableError";
}

/** The cache root shared by every checkout on this machine (builds take minutes). */
export function cacheRoot(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(base, "dnsimple-cert-operator");
}

/** The envtest convention: KUBEBUILDER_ASSETS holds all binaries; TEST_ASSET_* name one each. */
function fromEnvironment(name: BinaryName): string | undefined {
  const single = process.env[`TEST_ASSET_${name.toUpperCase().replaceAll("-", "_")}`];
  if (single) {
    if (!existsSync(single)) {
      throw new BinaryUnavailableError(
        `TEST_ASSET_${name.toUpperCase().replaceAll("-", "_")}=${single} does not exist`,
      );
    }
    return single;
  }
  const assets = process.env.KUBEBUILDER_ASSETS;
  if (assets && existsSync(join(assets, name))) return join(assets, name);
  return undefined;
}

function toolFor(name: BinaryName): GoTool {
  const tool = goTools.find((t) => t.binaries.includes(name));
  if (!tool) throw new Error(`no Go tool builds ${name}`);
  return tool;
}

/** The version of `modulePath` that tools/<module>/go.mod requires (the single source). */
export function requiredVersion(module: string, modulePath: string): string {
  const goMod = readFileSync(join(toolsDir, module, "go.mod"), "utf8");
  const escaped = modulePath.replaceAll(".", "\\.").replaceAll("/", "\\/");
  const match = goMod.match(new RegExp(`^\\s*(?:require\\s+)?${escaped}\\s+(v\\S+)`, "m"));
  if (!match?.[1]) throw new Error(`${modulePath} not found in tools/${module}/go.mod`);
  return match[1];
}

/** The required version of the tool's main module, read from its go.mod. */
export function toolVersion(tool: GoTool): string {
  return requiredVersion(tool.module, tool.versionOf);
}

/**
 * A cache folder under cacheRoot()/<area> for what tools/<module> provides: its version plus a
 * short hash of go.mod/go.sum, so any pin change builds or fetches anew.
 */
export function pinnedCacheDir(area: string, module: string, version: string): string {
  const hash = createHash("sha256");
  for (const file of ["go.mod", "go.sum"]) {
    const path = join(toolsDir, module, file);
    if (existsSync(path)) hash.update(readFileSync(path));
  }
  return join(cacheRoot(), area, `${module}-${version}-${hash.digest("hex").slice(0, 10)}`);
}

function cacheDir(tool: GoTool): string {
  return pinnedCacheDir("bin", tool.module, toolVersion(tool));
}

export function goAvailable(): boolean {
  return spawnSync("go", ["version"], { stdio: "ignore" }).status === 0;
}

/** Where progress goes by default: stderr, so a command's stdout stays its result. */
export const logToStderr = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

/**
 * Runs go in tools/<module> and resolves to its stdout; a failure becomes a
 * BinaryUnavailableError carrying the tail of everything go printed.
 */
export async function runGo(
  module: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): Promise<string> {
  const cwd = join(toolsDir, module);
  const stdout: string[] = [];
  const output: string[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn("go", args, {
      cwd,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ...env },
    });
    child.stdout.on("data", (chunk: Buffer) => {
      stdout.push(chunk.toString());
      output.push(chunk.toString());
    });
    child.stderr.on("data", (chunk: Buffer) => output.push(chunk.toString()));
    child.on("error", reject);
    child.on("close", resolve);
  });
  if (code !== 0) {
    throw new BinaryUnavailableError(
      `go ${args.join(" ")} failed in ${cwd} (exit ${code}):\n${output.join("").slice(-4000)}`,
    );
  }
  return stdout.join("");
}

/** Builds every binary of a tool into a temporary folder, then renames it into place. */
async function build(tool: GoTool, target: string, log: (line: string) => void): Promise<void> {
  const version = toolVersion(tool);
  const staging = `${target}.building-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const started = Date.now();
  log(
    `building ${tool.binaries.join(", ")} ${version} with Go into ${target} (once; several minutes)`,
  );
  const ticker = setInterval(() => {
    log(
      `  still building ${tool.module} ${version}: ${Math.round((Date.now() - started) / 1000)}s`,
    );
  }, 30_000);
  try {
    const args = ["build", "-trimpath", "-ldflags", tool.ldflags(version), "-o", `${staging}/`];
    // etcd is its module's own main package; the other tools declare `tool` directives.
    args.push(tool.module === "etcd" ? "." : "tool");
    await runGo(tool.module, args, { CGO_ENABLED: "0" });
    rmSync(target, { recursive: true, force: true });
    renameSync(staging, target);
    log(`built ${tool.module} ${version} in ${Math.round((Date.now() - started) / 1000)}s`);
  } finally {
    clearInterval(ticker);
    rmSync(staging, { recursive: true, force: true });
  }
}

/** Serialises builds across processes (two test runs at once must not both build). */
export async function withLock<T>(path: string, fn: () => Promise<T>): Promise<T> {
  mkdirSync(join(path, ".."), { recursive: true });
  const deadline = Date.now() + 60 * 60_000;
  for (;;) {
    try {
      mkdirSync(path);
      break;
    } catch {
      // A lock left by a killed process is stale after its owner is gone.
      const owner = Number(readFileSyncSafe(join(path, "pid")));
      if (owner && !processAlive(owner)) rmSync(path, { recursive: true, force: true });
      if (Date.now() > deadline) throw new BinaryUnavailableError(`timed out waiting for ${path}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  try {
    writeFileSync(join(path, "pid"), String(process.pid));
    return await fn();
  } finally {
    rmSync(path, { recursive: true, force: true });
  }
}

function readFileSyncSafe(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

/**
 * Whether a process runs. An exited child of an earlier `up` is a zombie until something reaps
 * it (in some containers nothing does), so a zombie counts as gone.
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = readFileSyncSafe(`/proc/${pid}/stat`);
  // Format: "pid (comm) state ..."; comm may contain spaces, so read after the last ')'.
  return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
}

/**
 * The path of a binary: from the environment (envtest convention), else from the cache,
 * building it with Go on first use.
 */
export async function binary(
  name: BinaryName,
  log: (line: string) => void = logToStderr,
): Promise<string> {
  const fromEnv = fromEnvironment(name);
  if (fromEnv) return fromEnv;
  const tool = toolFor(name);
  const dir = cacheDir(tool);
  const path = join(dir, name);
  if (existsSync(path)) return path;
  if (!goAvailable()) {
    throw new BinaryUnavailableError(
      `${name} was not found and cannot be built: install Go 1.26 or later (https://go.dev/doc/install), ` +
        "or point KUBEBUILDER_ASSETS at a folder with kube-apiserver, etcd and kubectl " +
        "(e.g. `setup-envtest use -p path`), or set TEST_ASSET_KUBE_APISERVER / TEST_ASSET_ETCD.",
    );
  }
  await withLock(`${dir}.lock`, async () => {
    if (!existsSync(path)) await build(tool, dir, log);
  });
  return path;
}

/** Resolves several binaries, building each needed Go tool once. */
export async function binaries<N extends BinaryName>(
  names: readonly N[],
  log?: (line: string) => void,
): Promise<Record<N, string>> {
  const result = {} as Record<N, string>;
  for (const name of names) result[name] = await binary(name, log);
  return result;
}
