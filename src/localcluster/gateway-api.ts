// The Gateway API CRDs of the standard channel (GatewayClass, Gateway, HTTPRoute, GRPCRoute,
// ReferenceGrant, BackendTLSPolicy), which tests install beside the project's own CRDs. They
// come from the sigs.k8s.io/gateway-api Go module, whose zip carries config/crd/standard/, because
// the Go module proxy is the only source reachable here (the release's standard-install.yaml is
// not). tools/gateway-api/go.mod and go.sum pin the version and its checksum, so `go mod download`
// refuses any other bits; the files are copied once into a cache folder keyed by that pin, and a
// cached run starts no go process at all.
import { execFile } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import {
  BinaryUnavailableError,
  goAvailable,
  logToStderr,
  pinnedCacheDir,
  requiredVersion,
  runGo,
  withLock,
} from "./binaries.ts";

const modulePath = "sigs.k8s.io/gateway-api";
/** The folder under tools/ that pins the module. */
const toolModule = "gateway-api";

/** The pinned sigs.k8s.io/gateway-api version (from tools/gateway-api/go.mod). */
export function gatewayApiVersion(): string {
  return requiredVersion(toolModule, modulePath);
}

/** The CRD files of a config/crd/<channel>/ listing: its YAML, less kustomize's own file. */
export function crdFiles(names: readonly string[]): string[] {
  return names.filter((n) => n.endsWith(".yaml") && n !== "kustomization.yaml").sort();
}

/** The module's folder from `go mod download -json` output (go reports a failure in Error). */
export function downloadedDir(json: string): string {
  const parsed: unknown = JSON.parse(json);
  const record = typeof parsed === "object" && parsed !== null ? parsed : {};
  if ("Error" in record && typeof record.Error === "string") {
    throw new BinaryUnavailableError(`go mod download ${modulePath}: ${record.Error}`);
  }
  if (!("Dir" in record) || typeof record.Dir !== "string" || record.Dir === "") {
    throw new BinaryUnavailableError(`go mod download printed no Dir for ${modulePath}: ${json}`);
  }
  return record.Dir;
}

/** Downloads the pinned module and copies its standard-channel CRDs into `target`. */
async function fetchCrds(version: string, target: string, log: (line: string) => void) {
  const started = Date.now();
  log(`fetching the Gateway API ${version} CRDs (standard channel) with Go into ${target}`);
  // Run inside tools/gateway-api so the download is checked against its go.sum.
  const moduleDir = downloadedDir(
    await runGo(toolModule, ["mod", "download", "-json", `${modulePath}@${version}`]),
  );
  const source = join(moduleDir, "config", "crd", "standard");
  const files = crdFiles(readdirSync(source));
  if (files.length === 0) throw new BinaryUnavailableError(`no CRD YAML in ${source}`);
  const staging = `${target}.fetching-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    // Copies, not a path into the module cache: `go clean -modcache` must not break the cache.
    for (const file of files) copyFileSync(join(source, file), join(staging, file));
    rmSync(target, { recursive: true, force: true });
    renameSync(staging, target);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  log(`fetched ${files.length} Gateway API CRDs in ${Date.now() - started}ms`);
}

/**
 * The folder holding the standard-channel Gateway API CRD files of the pinned version: from
 * the cache, fetching them with Go on first use.
 */
export async function gatewayApiCrds(log: (line: string) => void = logToStderr): Promise<string> {
  const version = gatewayApiVersion();
  const dir = pinnedCacheDir("crds", toolModule, version);
  // The folder appears only by rename, so its existence means complete.
  if (existsSync(dir)) return dir;
  if (!goAvailable()) {
    throw new BinaryUnavailableError(
      `the Gateway API ${version} CRDs are not cached in ${dir} and cannot be fetched: ` +
        "install Go 1.26 or later (https://go.dev/doc/install)",
    );
  }
  await withLock(`${dir}.lock`, async () => {
    if (!existsSync(dir)) await fetchCrds(version, dir, log);
  });
  return dir;
}

/**
 * Applies the Gateway API CRDs to a cluster (server-side, taking over fields another manager
 * set, as the project's own CRDs are applied) and waits until every one is Established.
 */
export async function applyGatewayApiCrds(
  kubectl: string,
  kubeconfig: string,
  log?: (line: string) => void,
): Promise<void> {
  const dir = await gatewayApiCrds(log);
  const run = promisify(execFile);
  const env = { ...process.env, KUBECONFIG: kubeconfig };
  await run(kubectl, ["apply", "--server-side", "--force-conflicts", "-f", dir], { env });
  await run(kubectl, ["wait", "--for=condition=Established", "--timeout=60s", "-f", dir], { env });
}
