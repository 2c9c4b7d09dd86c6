// Which cluster and namespace, as kubectl picks them: --kubeconfig, KUBECONFIG (merged, the
// first file's current-context winning), --context, and the context's namespace as default.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { KubeconfigError } from "../../../src/plugin/exit-codes.ts";
import { loadKubeTarget } from "../../../src/plugin/kubeconfig.ts";

const dir = mkdtempSync(join(tmpdir(), "plugin-kubeconfig-"));

function kubeconfig(
  file: string,
  current: string,
  contexts: Record<string, string | undefined>,
): string {
  const path = join(dir, file);
  const entries = Object.entries(contexts);
  writeFileSync(
    path,
    JSON.stringify({
      apiVersion: "v1",
      kind: "Config",
      "current-context": current,
      clusters: entries.map(([name]) => ({
        name,
        cluster: { server: `https://${name}.example:6443` },
      })),
      users: entries.map(([name]) => ({ name, user: { token: "t" } })),
      contexts: entries.map(([name, namespace]) => ({
        name,
        context: { cluster: name, user: name, ...(namespace ? { namespace } : {}) },
      })),
    }),
  );
  return path;
}

const first = kubeconfig("first", "dev", { dev: "team", prod: undefined });
const second = kubeconfig("second", "stage", { stage: "qa" });

describe("loadKubeTarget", () => {
  it("takes the context's namespace, else default; -n wins", () => {
    expect(loadKubeTarget({ kubeconfig: first }, {}).namespace).toBe("team");
    expect(loadKubeTarget({ kubeconfig: first, context: "prod" }, {}).namespace).toBe("default");
    expect(loadKubeTarget({ kubeconfig: first, namespace: "web" }, {}).namespace).toBe("web");
  });

  it("switches context with --context", () => {
    const { kubeConfig } = loadKubeTarget({ kubeconfig: first, context: "prod" }, {});
    expect(kubeConfig.getCurrentCluster()?.server).toBe("https://prod.example:6443");
  });

  it("merges KUBECONFIG's files, the first file's current-context winning", () => {
    const target = loadKubeTarget({}, { KUBECONFIG: `${first}:${join(dir, "missing")}:${second}` });
    expect(target.kubeConfig.getCurrentContext()).toBe("dev");
    expect(
      target.kubeConfig
        .getContexts()
        .map((c) => c.name)
        .sort(),
    ).toEqual(["dev", "prod", "stage"]);
    expect(
      loadKubeTarget({ context: "stage" }, { KUBECONFIG: `${first}:${second}` }).namespace,
    ).toBe("qa");
  });

  it.each<[string, () => unknown, RegExp]>([
    [
      "a --kubeconfig that is not there",
      () => loadKubeTarget({ kubeconfig: join(dir, "nope") }, {}),
      /no such file/,
    ],
    [
      "a KUBECONFIG of missing files",
      () => loadKubeTarget({}, { KUBECONFIG: join(dir, "nope") }),
      /names no file/,
    ],
    [
      "an unknown context",
      () => loadKubeTarget({ kubeconfig: first, context: "x" }, {}),
      /context "x" is not in the kubeconfig \(it has dev, prod\)/,
    ],
  ])("refuses %s", (_, load, message) => {
    expect(load).toThrow(KubeconfigError);
    expect(load).toThrow(message);
  });
});
