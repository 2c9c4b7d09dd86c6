// The Gateway API CRDs: the pin stays on the release Traefik is built against, a cached folder is
// used without Go, and the pure steps of a fetch (reading go's JSON, picking the CRD files).
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  BinaryUnavailableError,
  pinnedCacheDir,
  requiredVersion,
} from "../../../src/localcluster/binaries.ts";
import {
  crdFiles,
  downloadedDir,
  gatewayApiCrds,
  gatewayApiVersion,
} from "../../../src/localcluster/gateway-api.ts";

const saved = { ...process.env };
let scratch: string;

beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), "gateway-api-test-"));
  process.env.XDG_CACHE_HOME = join(scratch, "cache");
});

afterEach(() => {
  process.env = { ...saved };
});

const minor = (v: string) => v.split(".").slice(0, 2).join(".");

describe("the Gateway API pin", () => {
  it("is the minor release that the e2e's Traefik is built against", () => {
    const traefiks = requiredVersion("traefik", "sigs.k8s.io/gateway-api");
    expect(minor(gatewayApiVersion())).toBe(minor(traefiks));
  });
});

describe("gatewayApiCrds()", () => {
  it("returns the cached folder without running Go", async () => {
    const dir = pinnedCacheDir("crds", "gateway-api", gatewayApiVersion());
    mkdirSync(dir, { recursive: true });
    process.env.PATH = join(scratch, "empty-path");
    expect(await gatewayApiCrds(() => {})).toBe(dir);
  });

  it("says to install Go when nothing is cached and there is no Go", async () => {
    process.env.PATH = join(scratch, "empty-path");
    const failure = gatewayApiCrds(() => {});
    await expect(failure).rejects.toBeInstanceOf(BinaryUnavailableError);
    await expect(failure).rejects.toThrow(/Gateway API v1\.\d+\.\d+ CRDs .*install Go/);
  });
});

describe("downloadedDir()", () => {
  it("reads the module's folder from go mod download -json", () => {
    const json = JSON.stringify({ Path: "sigs.k8s.io/gateway-api", Dir: "/mod/gw@v1.4.1" });
    expect(downloadedDir(json)).toBe("/mod/gw@v1.4.1");
  });

  it("raises go's own error", () => {
    const json = JSON.stringify({ Path: "sigs.k8s.io/gateway-api", Error: "checksum mismatch" });
    expect(() => downloadedDir(json)).toThrow(/checksum mismatch/);
  });

  it("refuses output without a folder", () => {
    expect(() => downloadedDir("{}")).toThrow(BinaryUnavailableError);
  });
});

describe("crdFiles()", () => {
  it("keeps the CRD YAML and leaves kustomize's file and anything else", () => {
    const listing = [
      "gateway.networking.k8s.io_httproutes.yaml",
      "kustomization.yaml",
      "gateway.networking.k8s.io_gateways.yaml",
      "README.md",
    ];
    expect(crdFiles(listing)).toEqual([
      "gateway.networking.k8s.io_gateways.yaml",
      "gateway.networking.k8s.io_httproutes.yaml",
    ]);
  });
});
