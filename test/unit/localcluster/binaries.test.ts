// Where control-plane binaries come from: the envtest variables first, then the Go-built cache,
// and a message that says what to install when neither is possible.
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  BinaryUnavailableError,
  binary,
  clusterBinaries,
  prometheusRelease,
} from "../../../src/localcluster/binaries.ts";

const saved = { ...process.env };
let scratch: string;

beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), "binaries-test-"));
  for (const key of Object.keys(process.env)) {
    if (key === "KUBEBUILDER_ASSETS" || key.startsWith("TEST_ASSET_")) delete process.env[key];
  }
  // An empty cache, so nothing previously built is found.
  process.env.XDG_CACHE_HOME = join(scratch, "cache");
});

afterEach(() => {
  process.env = { ...saved };
});

function fakeBinary(dir: string, name: string): string {
  const path = join(dir, name);
  writeFileSync(path, "#!/bin/sh\n");
  chmodSync(path, 0o755);
  return path;
}

describe("binary()", () => {
  it("uses TEST_ASSET_<NAME> first", async () => {
    const path = fakeBinary(scratch, "my-etcd");
    process.env.TEST_ASSET_ETCD = path;
    process.env.KUBEBUILDER_ASSETS = scratch;
    fakeBinary(scratch, "etcd");
    expect(await binary("etcd")).toBe(path);
  });

  it("uses KUBEBUILDER_ASSETS when it holds the binary", async () => {
    process.env.KUBEBUILDER_ASSETS = scratch;
    const path = fakeBinary(scratch, "kube-apiserver");
    expect(await binary("kube-apiserver")).toBe(path);
  });

  it("refuses a TEST_ASSET_ path that does not exist", async () => {
    process.env.TEST_ASSET_KUBE_APISERVER = join(scratch, "missing");
    await expect(binary("kube-apiserver")).rejects.toThrow(
      /TEST_ASSET_KUBE_APISERVER=.*does not exist/,
    );
  });

  it("says what to install when there is neither a binary nor Go", async () => {
    process.env.PATH = join(scratch, "empty-path");
    const failure = binary("etcd");
    await expect(failure).rejects.toBeInstanceOf(BinaryUnavailableError);
    await expect(failure).rejects.toThrow(
      /install Go .*KUBEBUILDER_ASSETS.*TEST_ASSET_KUBE_APISERVER/s,
    );
  });
});

describe("promtool", () => {
  it("is built with the cluster's binaries (npm run cluster -- build)", () => {
    expect(clusterBinaries).toContain("promtool");
  });

  it("reports the Prometheus release its module version encodes", () => {
    expect(prometheusRelease("v0.316.0")).toBe("3.16.0");
    expect(prometheusRelease("v0.305.2")).toBe("3.5.2");
  });
});
