// ObjectIndex by table: objects filed by a computed value, moved when it changes, gone when
// deleted or when the value says nowhere; a lookup answers only what is filed under the value.
import type { KubernetesObject } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { ObjectIndex } from "../../../src/kube/object-index.ts";

interface Thing extends KubernetesObject {
  spec: { secretName?: string };
}

const thing = (namespace: string, name: string, secretName?: string): Thing => ({
  metadata: { namespace, name },
  spec: secretName === undefined ? {} : { secretName },
});

type Step = { put: Thing } | { delete: Thing };

const bySecret = () =>
  new ObjectIndex<Thing>((t) =>
    t.spec.secretName === undefined ? undefined : `${t.metadata?.namespace}/${t.spec.secretName}`,
  );

describe("ObjectIndex", () => {
  const rows: [string, Step[], string, string[]][] = [
    ["empty: nothing", [], "a/s", []],
    ["one filed", [{ put: thing("a", "x", "s") }], "a/s", ["x"]],
    [
      "two under one value",
      [{ put: thing("a", "x", "s") }, { put: thing("a", "y", "s") }],
      "a/s",
      ["x", "y"],
    ],
    ["another namespace's are not answered", [{ put: thing("b", "x", "s") }], "a/s", []],
    [
      "an update that changes the value moves it",
      [{ put: thing("a", "x", "s") }, { put: thing("a", "x", "t") }],
      "a/s",
      [],
    ],
    [
      "…to the new value",
      [{ put: thing("a", "x", "s") }, { put: thing("a", "x", "t") }],
      "a/t",
      ["x"],
    ],
    [
      "an update to the same value files it once",
      [{ put: thing("a", "x", "s") }, { put: thing("a", "x", "s") }],
      "a/s",
      ["x"],
    ],
    [
      "a delete unfiles it",
      [{ put: thing("a", "x", "s") }, { put: thing("a", "y", "s") }, { delete: thing("a", "x") }],
      "a/s",
      ["y"],
    ],
    ["a delete of what was never filed changes nothing", [{ delete: thing("a", "x") }], "a/s", []],
    [
      "a value of undefined files it nowhere (and unfiles it)",
      [{ put: thing("a", "x", "s") }, { put: thing("a", "x") }],
      "a/s",
      [],
    ],
  ];
  it.each(rows)("%s", (_why, steps, value, expected) => {
    const index = bySecret();
    for (const step of steps) {
      if ("put" in step) index.put(step.put);
      else index.delete(step.delete);
    }
    expect(index.get(value).map((t) => t.metadata?.name)).toEqual(expected);
  });

  it("the latest version of an object is the one answered", () => {
    const index = bySecret();
    index.put(thing("a", "x", "s"));
    const newer = { ...thing("a", "x", "s"), metadata: { namespace: "a", name: "x", uid: "2" } };
    index.put(newer);
    expect(index.get("a/s")).toEqual([newer]);
    expect(index.size).toBe(1);
  });
});
