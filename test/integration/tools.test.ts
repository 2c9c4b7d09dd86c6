// The Go-built tools report the versions pinned in src/localcluster/tools/*/go.mod.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { binary } from "../../src/localcluster/binaries.ts";
import { kubectl } from "./support/kube.ts";

const run = async (path: string, args: string[]) =>
  (await promisify(execFile)(path, args)).stdout.trim();

describe("control-plane tools", () => {
  it("kubectl and kube-apiserver are the pinned Kubernetes release", async () => {
    const version = JSON.parse((await kubectl(["version", "-o", "json"])).stdout) as {
      clientVersion: { gitVersion: string };
      serverVersion: { gitVersion: string };
    };
    expect(version.clientVersion.gitVersion).toBe("v1.37.2");
    expect(version.serverVersion.gitVersion).toBe("v1.37.2");
  });

  it("etcd is the pinned release", async () => {
    expect(await run(await binary("etcd"), ["--version"])).toContain("etcd Version: 3.7.3");
  });

  it("helm is built the same way", async () => {
    expect(await run(await binary("helm"), ["version", "--short"])).toMatch(/^v3\.22\.0/);
  }, 900_000);
});
