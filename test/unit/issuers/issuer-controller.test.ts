// When an issuer needs no DNSimple call (trustedWithoutCheck), by table: Verified with the token
// as read now, and the first look since start or checked within the reverify interval.
import { describe, expect, it } from "vitest";
import type { DnsimpleIssuer } from "../../../src/api/issuers.ts";
import { type TokenRead, trustedWithoutCheck } from "../../../src/issuers/issuer-controller.ts";

const HOUR = 3_600_000;
const NOW = Date.parse("2026-12-02T12:00:00Z");
const VERSION = "secret:u9/41";

function verifiedIssuer(overrides: { generation?: number; ready?: "True" | "False" } = {}) {
  const issuer: DnsimpleIssuer = {
    apiVersion: "dnsimple-cert-operator.dev/v1alpha1",
    kind: "DnsimpleIssuer",
    metadata: { name: "team", namespace: "web", uid: "u1", generation: overrides.generation ?? 3 },
    spec: {
      credentialsRef: { name: "dnsimple" },
      policy: {
        allowWildcards: false,
        budget: { ordersPerNamespacePerDay: 10, renewalFloor: "720h" },
      },
    },
    status: {
      observedGeneration: 3,
      tokenVersion: VERSION,
      conditions: [
        {
          type: "Ready",
          status: overrides.ready ?? "True",
          reason: overrides.ready === "False" ? "ApiUnavailable" : "Verified",
          message: "",
          observedGeneration: 3,
          lastTransitionTime: "2026-12-01T08:00:00Z",
        },
      ],
    },
  };
  return issuer;
}

const found: TokenRead = { kind: "found", token: "t", version: VERSION };
const options = { reverifyIntervalMs: 24 * HOUR };

describe("trustedWithoutCheck", () => {
  const rows: [string, DnsimpleIssuer, TokenRead, number | undefined, boolean][] = [
    [
      "the first look after a start, verified with this token",
      verifiedIssuer(),
      found,
      undefined,
      true,
    ],
    ["checked an hour ago, nothing changed", verifiedIssuer(), found, NOW - HOUR, true],
    [
      "checked a reverify interval ago: asked again",
      verifiedIssuer(),
      found,
      NOW - 24 * HOUR,
      false,
    ],
    [
      "the token Secret changed (another version)",
      verifiedIssuer(),
      { ...found, version: "secret:u9/42" },
      NOW - HOUR,
      false,
    ],
    [
      "the spec changed (another generation)",
      verifiedIssuer({ generation: 4 }),
      found,
      NOW - HOUR,
      false,
    ],
    ["not Verified", verifiedIssuer({ ready: "False" }), found, undefined, false],
    ["the token Secret is gone", verifiedIssuer(), { kind: "secret-missing" }, NOW - HOUR, false],
  ];

  it.each(rows)("%s", (_situation, issuer, read, lastCheckedMs, trusted) => {
    expect(trustedWithoutCheck(issuer, read, lastCheckedMs, NOW, options) !== undefined).toBe(
      trusted,
    );
  });
});
