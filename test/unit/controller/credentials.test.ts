// Finding the account of a token without an account id: one whoami per token, however
// many workers ask at once, and a failed lookup is asked again.
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CredentialsResolver } from "../../../src/controller/credentials.ts";
import { RateLimitBudget } from "../../../src/dnsimple/rate-limit.ts";
import type { Simulator } from "../../../src/simulator/simulator.ts";
import { ACCOUNT_ID, callsTo, startTestSimulator, TOKEN } from "../dnsimple/helpers.ts";
import { resource } from "./fixtures.ts";

let simulator: Simulator;
// Never called: every resource here uses the default token, not a credentialsRef Secret.
let core: CoreV1Api;

beforeAll(async () => {
  simulator = await startTestSimulator();
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: "unused", server: "https://127.0.0.1:9" }],
    users: [{ name: "unused" }],
    contexts: [{ name: "unused", cluster: "unused", user: "unused" }],
    currentContext: "unused",
  });
  core = kubeConfig.makeApiClient(CoreV1Api);
});

afterAll(() => simulator.close());

function resolver(accountId?: string): CredentialsResolver {
  return new CredentialsResolver(
    core,
    { token: TOKEN, ...(accountId ? { accountId } : {}) },
    {
      baseUrl: simulator.url,
      budget: new RateLimitBudget({ reserve: 0 }),
      retry: { retries: 0, minTimeoutMs: 1, maxTimeoutMs: 1 },
    },
  );
}

const whoamiCalls = () => callsTo(simulator, "GET", "/v2/whoami").length;

describe("CredentialsResolver", () => {
  it("asks whoami once for concurrent resolutions of one token, then remembers", async () => {
    simulator.resetCalls();
    const credentials = resolver();
    const all = await Promise.all(
      ["a", "b", "c", "d"].map((n) => credentials.resolve(resource({ name: n }))),
    );
    for (const answer of all)
      expect(answer).toMatchObject({ kind: "ok", accountId: String(ACCOUNT_ID) });
    await credentials.resolve(resource({ name: "e" }));
    expect(whoamiCalls()).toBe(1);
  });

  it("does not call whoami when the account id is configured", async () => {
    simulator.resetCalls();
    const answer = await resolver("4242").resolve(resource());
    expect(answer).toMatchObject({ kind: "ok", accountId: "4242" });
    expect(whoamiCalls()).toBe(0);
  });

  it("asks again after a failed lookup, and reports the failure with a reason", async () => {
    simulator.resetCalls();
    const credentials = resolver();
    simulator.addOneShotFault({ method: "GET", path: "/v2/whoami", action: "status", status: 401 });
    const failed = await credentials.resolve(resource());
    expect(failed).toMatchObject({ kind: "failed", failure: { reason: "Unauthorized" } });
    const ok = await credentials.resolve(resource());
    expect(ok).toMatchObject({ kind: "ok", accountId: String(ACCOUNT_ID) });
    expect(whoamiCalls()).toBe(2);
  });
});
