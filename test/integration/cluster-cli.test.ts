// `npm run cluster -- up|status|down` as a developer uses it: a second, independent control
// plane in its own folder (the shared one of the test run is not touched).
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { processAlive } from "../../src/localcluster/binaries.ts";
import type { ControlPlaneState } from "../../src/localcluster/controlplane.ts";
import { kubectl } from "./support/kube.ts";

const dir = join(mkdtempSync(join(tmpdir(), "cluster-cli-")), "cluster");
const cli = join(import.meta.dirname, "..", "..", "src", "localcluster", "cli.ts");

async function cluster(command: string): Promise<{ code: number; lines: string[] }> {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [cli, command], {
      env: { ...process.env, CLUSTER_DIR: dir },
    });
    return { code: 0, lines: stdout.trim().split("\n") };
  } catch (err) {
    const e = err as { code?: number; stdout?: string };
    return { code: e.code ?? 1, lines: (e.stdout ?? "").trim().split("\n") };
  }
}

afterAll(async () => {
  await cluster("down");
});

describe("npm run cluster", () => {
  it("starts, reuses, reports and stops a control plane", async () => {
    const up = await cluster("up");
    expect(up.code).toBe(0);
    const kubeconfig = join(dir, "kubeconfig");
    expect(up.lines.at(-1)).toBe(`export KUBECONFIG=${kubeconfig}`);
    expect((await kubectl(["get", "--raw", "/readyz"], kubeconfig)).stdout).toBe("ok");
    const state = JSON.parse(readFileSync(join(dir, "state.json"), "utf8")) as ControlPlaneState;
    expect(state.processes.map((p) => p.name)).toEqual([
      "etcd",
      "kube-apiserver",
      "kube-controller-manager",
    ]);

    const again = await cluster("up");
    expect(again.code).toBe(0);
    expect(again.lines[0]).toContain("already running");
    expect(again.lines.at(-1)).toBe(`export KUBECONFIG=${kubeconfig}`);
    expect((await cluster("status")).code).toBe(0);

    const down = await cluster("down");
    expect(down.lines).toEqual(["control plane stopped"]);
    expect(state.processes.filter((p) => processAlive(p.pid))).toEqual([]);
    expect(existsSync(dir)).toBe(false);
    expect((await cluster("status")).code).toBe(1);
    expect((await cluster("down")).lines).toEqual(["no control plane was running"]);
  });
});
