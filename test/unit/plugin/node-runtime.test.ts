// Which Node runs the plugin as it is, and which hands over to the project's pinned one.
import { describe, expect, it } from "vitest";
import { nodeSuffices } from "../../../src/plugin/node-runtime.ts";

describe("nodeSuffices", () => {
  it.each<[string, boolean]>([
    ["v20.20.2", false],
    ["v22.18.0", false],
    ["v22.19.0", true],
    ["v23.0.0", true],
    ["v24.21.0", true],
  ])("%s: %s", (version, ok) => {
    expect(nodeSuffices(version)).toBe(ok);
  });
});
