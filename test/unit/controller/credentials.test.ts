// Finding the account of a token without an account id: one whoami per token, however
// many workers ask at once, and a failed lookup is asked again.
import type { V1Secret } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CredentialsResolver } from "../../../src/controller/credentials.ts";
import { RateLimitBudget } from "../../../src/dnsimple/rate-limit.ts";
import type { IssuerGrant } from "../../../src/issuers/policy.ts";
import type { Simulator } from "../../../src/simulator/simulator.ts";
import { ACCOUNT_ID, callsTo, startTestSimulator, TOKEN } from "../dnsimple/helpers.ts";
import { resource } from "./fixtures.ts";

let simulator: Simulator;
/** credentialsRef Secrets by namespace/name (the resolver reads them through this). */
const secrets = new Map<string, V1Secret>();
const lookup = {
  read: async (namespace: string, name: string) => secrets.get(`${namespace}/${name}`),
};

beforeAll(async () => {
  simulator = await startTestSimulator();
});

afterAll(() => simulator.close());

function resolver(
  accountId?: string,
  budget = new RateLimitBudget({ reserve: 0 }),
  now: () => number = Date.now,
): CredentialsResolver {
  return new CredentialsResolver(
    lookup,
    { token: TOKEN, ...(accountId ? { accountId } : {}) },
    { baseUrl: simulator.url, budget, retry: { retries: 0, minTimeoutMs: 1, maxTimeoutMs: 1 } },
    now,
  );
}

/** A ClusterDnsimpleIssuer without a token Secret of its own: the operator's token. */
const platform: IssuerGrant = {
  label: "ClusterDnsimpleIssuer platform",
  kind: "ClusterDnsimpleIssuer",
  name: "platform",
  budgetScope: "platform|default",
  adoptionAllowed: false,
  renewalFloorMs: 0,
  ordersPerDay: 10,
};

const whoamiCalls = () => callsTo(simulator, "GET", "/v2/whoami").length;

describe("CredentialsResolver", () => {
  it("asks whoami once for concurrent resolutions of one token, then remembers", async () => {
    simulator.resetCalls();
    const credentials = resolver();
    const all = await Promise.all(
      ["a", "b", "c", "d"].map((n) => credentials.resolve(resource({ name: n }), platform)),
    );
    for (const answer of all)
      expect(answer).toMatchObject({ kind: "ok", accountId: String(ACCOUNT_ID) });
    await credentials.resolve(resource({ name: "e" }), platform);
    expect(whoamiCalls()).toBe(1);
  });

  it("does not call whoami when the account id is configured", async () => {
    simulator.resetCalls();
    const answer = await resolver("4242").resolve(resource(), platform);
    expect(answer).toMatchObject({ kind: "ok", accountId: "4242" });
    expect(whoamiCalls()).toBe(0);
  });

  it("asks again after a failed lookup, and reports the failure with a reason", async () => {
    simulator.resetCalls();
    const credentials = resolver();
    simulator.addOneShotFault({ method: "GET", path: "/v2/whoami", action: "status", status: 401 });
    const failed = await credentials.resolve(resource(), platform);
    expect(failed).toMatchObject({ kind: "failed", failure: { reason: "Unauthorized" } });
    const ok = await credentials.resolve(resource(), platform);
    expect(ok).toMatchObject({ kind: "ok", accountId: String(ACCOUNT_ID) });
    expect(whoamiCalls()).toBe(2);
  });

  it("forgets a token no resource used for a while (client, account, budget); keeps the default", async () => {
    // A second token in a tenant's Secret; the simulator knows only TOKEN, so it is refused,
    // which is enough: its client and budget exist once it was used.
    const other = "tenant-token-0123456789abcdef";
    secrets.set("tenant/dnsimple", {
      data: {
        token: Buffer.from(other).toString("base64"),
        accountId: Buffer.from("1").toString("base64"),
      },
    });
    let now = 1_000_000;
    const budget = new RateLimitBudget({ reserve: 0 });
    const credentials = resolver(String(ACCOUNT_ID), budget, () => now);
    const tenant = { ...resource({ credentialsRef: { name: "dnsimple" } }) };
    tenant.metadata = { ...tenant.metadata, namespace: "tenant" };
    const used = await credentials.resolve(tenant);
    expect(used.kind).toBe("ok");
    if (used.kind === "ok") await used.client.listCertificates(1, "example.com").catch(() => {});
    await credentials.resolve(resource(), platform);
    expect(credentials.tokenCount).toBe(2);
    expect(budget.snapshot(other)).toBeDefined();

    now += 30 * 60_000;
    expect(credentials.forgetIdle(3_600_000)).toEqual([]);
    now += 31 * 60_000;
    const forgotten = credentials.forgetIdle(3_600_000);
    expect(forgotten).toHaveLength(1);
    expect(forgotten[0]).toMatch(/^[0-9a-f]{12}$/);
    expect(credentials.tokenCount).toBe(1);
    expect(budget.snapshot(other)).toBeUndefined();
    // The default token is the operator's own: kept however long it is idle.
    now += 24 * 3_600_000;
    expect(credentials.forgetIdle(3_600_000)).toEqual([]);
    expect(credentials.tokenCount).toBe(1);
  });
});
