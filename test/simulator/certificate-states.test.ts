// The certificate life cycle, exhaustively: every state against every event.
import { describe, expect, it } from "vitest";
import {
  type CertificateEvent,
  downloadRefusal,
  privateKeyRefusal,
  renewalRefusal,
  renewalStateFor,
  transition,
} from "../../src/simulator/certificate-states.ts";
import type { CertificateState } from "../../src/simulator/model.ts";

const STATES: CertificateState[] = ["new", "requesting", "issued", "failed", "cancelled"];
const EVENTS: CertificateEvent[] = ["issue", "issued", "failed", "cancelled"];

const ALLOWED: Record<string, CertificateState> = {
  "new issue": "requesting",
  "requesting issued": "issued",
  "requesting failed": "failed",
  "requesting cancelled": "cancelled",
};

describe("transition", () => {
  const pairs = STATES.flatMap((state) => EVENTS.map((event) => [state, event] as const));

  it.each(pairs)("%s + %s", (state, event) => {
    const result = transition(state, event);
    const expected = ALLOWED[`${state} ${event}`];
    if (expected === undefined) {
      expect(result).toMatchObject({ ok: false });
      expect(result.ok ? "" : result.reason).toContain(`\`${state}\``);
    } else {
      expect(result).toEqual({ ok: true, state: expected });
    }
  });
});

describe("renewalStateFor", () => {
  it("follows the new certificate", () => {
    expect(STATES.map(renewalStateFor)).toEqual([
      "new",
      "renewing",
      "renewed",
      "failed",
      "cancelled",
    ]);
  });
});

describe("renewalRefusal", () => {
  it("allows only issued certificates without auto-renewal", () => {
    expect(renewalRefusal({ state: "issued", autoRenew: false })).toBeUndefined();
    expect(renewalRefusal({ state: "issued", autoRenew: true })).toMatch(/auto-renewal/);
    for (const state of STATES.filter((candidate) => candidate !== "issued")) {
      expect(renewalRefusal({ state, autoRenew: false })).toContain(`\`${state}\``);
    }
  });
});

describe("downloadRefusal and privateKeyRefusal", () => {
  it("allow issued certificates only; the key also not once removed", () => {
    const issued = { state: "issued" as const, privateKeyRemoved: false };
    expect(downloadRefusal(issued)).toBeUndefined();
    expect(privateKeyRefusal(issued)).toBeUndefined();

    const removed = { ...issued, privateKeyRemoved: true };
    expect(downloadRefusal(removed)).toBeUndefined();
    expect(privateKeyRefusal(removed)).toMatch(/removed/);

    for (const state of STATES.filter((candidate) => candidate !== "issued")) {
      expect(downloadRefusal({ state, privateKeyRemoved: false })).toContain(`\`${state}\``);
      expect(privateKeyRefusal({ state, privateKeyRemoved: false })).toContain(`\`${state}\``);
    }
  });
});
