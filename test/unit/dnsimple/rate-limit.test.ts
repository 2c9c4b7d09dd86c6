// The rate-limit budget: the registry on its own (with a fake clock), then against the
// simulator (refusing locally, shared per token), and waiting out a near reset.
import { afterEach, describe, expect, it } from "vitest";
import { DnsimpleRateLimitedError } from "../../../src/dnsimple/errors.ts";
import { RateLimitBudget, tokenDigest } from "../../../src/dnsimple/rate-limit.ts";
import {
  ACCOUNT_ID,
  DOMAIN,
  rateLimitHeaders,
  rejectionOf,
  ScriptedServer,
  startTestSimulator,
  TOKEN,
  testClient,
} from "./helpers.ts";

const NOW = 1_700_000_000_000;
const IN_AN_HOUR = NOW + 3_600_000;

function headers(limit: number, remaining: number, resetAtMs: number) {
  return {
    limit: String(limit),
    remaining: String(remaining),
    reset: String(Math.ceil(resetAtMs / 1000)),
  };
}

describe("RateLimitBudget", () => {
  it.each([
    {
      name: "an hour until a second window is seen",
      resets: [IN_AN_HOUR],
      windowMs: 3_600_000,
      measured: false,
    },
    {
      name: "learned from two successive resets",
      resets: [NOW + 36_000, NOW + 72_000],
      windowMs: 36_000,
      measured: true,
    },
    {
      name: "not from a gap longer than an hour",
      resets: [NOW + 36_000, NOW + 7_236_000],
      windowMs: 3_600_000,
      measured: false,
    },
  ])("a window lasts $name", ({ resets, windowMs, measured }) => {
    const budget = new RateLimitBudget({ now: () => NOW });
    for (const reset of resets) budget.forToken("a").record(headers(2400, 2000, reset));
    expect(budget.snapshot("a")?.windowMs).toBe(windowMs);
    expect(budget.snapshot("a")?.windowMeasured).toBe(measured);
  });

  it("knows the current window until its reset, then assumes a fresh one; the reserve and digest", () => {
    let now = NOW;
    const budget = new RateLimitBudget({ reserve: 7, now: () => now });
    const token = budget.forToken("a");
    expect(token.current()).toBeUndefined();
    token.record(headers(2400, 100, IN_AN_HOUR));
    expect(token.current()?.remaining).toBe(100);
    expect(token.reserve).toBe(7);
    expect(token.budgetKey).toBe(tokenDigest("a"));
    now = IN_AN_HOUR;
    expect(token.current()).toEqual({
      limit: 2400,
      remaining: 2400,
      resetAt: new Date(IN_AN_HOUR + 3_600_000),
      windowMs: 3_600_000,
      windowMeasured: false,
      assumed: true,
    });
  });

  it("counts the requests sent into an assumed window until the first answer replaces it", () => {
    let now = NOW;
    const budget = new RateLimitBudget({ reserve: 2, now: () => now });
    const token = budget.forToken("a");
    token.record(headers(5, 0, NOW + 36_000));
    now = NOW + 36_000;
    // Five allowed, the reserve of two kept: three go before any answer, the fourth waits.
    expect([token.claim(), token.claim(), token.claim()]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    expect(token.claim()).toMatchObject({ remaining: 2, resetAt: new Date(now + 3_600_000) });
    // A late answer about the window that ended changes nothing; the new window's replaces it.
    token.record(headers(5, 4, NOW + 36_000));
    expect(token.current()?.remaining).toBe(2);
    token.record(headers(5, 3, NOW + 73_000));
    expect(token.current()).toEqual({
      limit: 5,
      remaining: 3,
      resetAt: new Date(NOW + 73_000),
      windowMs: 37_000,
      windowMeasured: true,
    });
  });

  it("forgets the budgets of tokens not kept once their window ended long enough ago", () => {
    let now = NOW;
    const budget = new RateLimitBudget({ reserve: 5, now: () => now });
    budget.forToken("issuer-only").record(headers(100, 90, IN_AN_HOUR));
    budget.forToken("resolved").record(headers(100, 90, IN_AN_HOUR));
    budget.forToken("never-answered");
    const keep = new Set([tokenDigest("resolved")]);
    expect(budget.forgetStale(keep, 3_600_000)).toEqual([tokenDigest("never-answered")]);
    now = IN_AN_HOUR + 3_600_000 - 1;
    expect(budget.forgetStale(keep, 3_600_000)).toEqual([]);
    now = IN_AN_HOUR + 3_600_000;
    expect(budget.forgetStale(keep, 3_600_000)).toEqual([tokenDigest("issuer-only")]);
    expect(budget.snapshot("issuer-only")).toBeUndefined();
    expect(budget.snapshot("resolved")).toBeDefined();
  });

  it("knows nothing before an answer, and lets requests go", () => {
    const budget = new RateLimitBudget({ reserve: 5, now: () => NOW });
    expect(budget.forToken("a").claim()).toBeUndefined();
    expect(budget.snapshot("a")).toBeUndefined();
  });

  it("records the headers, counts requests sent since, and refuses at the reserve", () => {
    const budget = new RateLimitBudget({ reserve: 2, now: () => NOW });
    const tokenBudget = budget.forToken("a");
    tokenBudget.record(headers(100, 4, IN_AN_HOUR));
    expect(budget.snapshot("a")).toEqual({
      limit: 100,
      remaining: 4,
      resetAt: new Date(IN_AN_HOUR),
      windowMs: 3_600_000,
      windowMeasured: false,
    });
    expect(tokenBudget.claim()).toBeUndefined();
    expect(tokenBudget.claim()).toBeUndefined();
    expect(budget.snapshot("a")?.remaining).toBe(2);
    expect(tokenBudget.claim()).toEqual({
      limit: 100,
      remaining: 2,
      reserve: 2,
      resetAt: new Date(IN_AN_HOUR),
    });
  });

  it("keeps the lowest count within a window, ignores older windows, adopts newer ones", () => {
    const budget = new RateLimitBudget({ now: () => NOW });
    const tokenBudget = budget.forToken("a");
    tokenBudget.record(headers(100, 50, IN_AN_HOUR));
    tokenBudget.record(headers(100, 52, IN_AN_HOUR)); // an answer overtaken by a later one
    expect(budget.snapshot("a")?.remaining).toBe(50);
    tokenBudget.record(headers(100, 1, NOW - 1_000)); // the previous window
    expect(budget.snapshot("a")?.remaining).toBe(50);
    tokenBudget.record(headers(100, 99, IN_AN_HOUR + 3_600_000));
    expect(budget.snapshot("a")?.remaining).toBe(99);
  });

  it("lets requests go again once the reset has passed", () => {
    let now = NOW;
    const budget = new RateLimitBudget({ reserve: 0, now: () => now });
    const tokenBudget = budget.forToken("a");
    tokenBudget.record(headers(10, 0, NOW + 2_000));
    expect(tokenBudget.claim()).toBeDefined();
    now = NOW + 2_000;
    expect(tokenBudget.claim()).toBeUndefined();
  });

  it("shares one token's budget between handles, keeps tokens apart, ignores bad headers", () => {
    const budget = new RateLimitBudget({ reserve: 0, now: () => NOW });
    budget.forToken("a").record(headers(10, 0, IN_AN_HOUR));
    expect(budget.forToken("a").claim()).toBeDefined();
    expect(budget.forToken("b").claim()).toBeUndefined();
    budget.forToken("c").record({ limit: "10", remaining: "many", reset: undefined });
    expect(budget.snapshot("c")).toBeUndefined();
  });

  it("never holds a token in clear: snapshots name a fingerprint", () => {
    const budget = new RateLimitBudget({ now: () => NOW });
    budget.forToken(TOKEN).record(headers(10, 3, IN_AN_HOUR));
    const all = budget.snapshots();
    expect(all).toHaveLength(1);
    expect(all[0]?.tokenFingerprint).toMatch(/^[0-9a-f]{12}$/);
    expect(JSON.stringify(all)).not.toContain(TOKEN);
  });

  it("refuses a negative or fractional reserve", () => {
    expect(() => new RateLimitBudget({ reserve: -1 })).toThrow(RangeError);
    expect(() => new RateLimitBudget({ reserve: 1.5 })).toThrow(RangeError);
  });
});

describe("the budget against the simulator", () => {
  it("refuses locally, without reaching the simulator, once the remaining budget is at the reserve", async () => {
    const simulator = await startTestSimulator({ rateLimit: 4 });
    try {
      const client = testClient(simulator.url, { budget: new RateLimitBudget({ reserve: 2 }) });
      await client.whoami(); // remaining 3
      await client.listCertificates(ACCOUNT_ID, DOMAIN); // remaining 2
      const callsBefore = simulator.calls().length;

      const error = await rejectionOf(client.whoami());

      expect(simulator.calls()).toHaveLength(callsBefore);
      expect(error).toBeInstanceOf(DnsimpleRateLimitedError);
      const refused = error as DnsimpleRateLimitedError;
      expect(refused).toMatchObject({
        reason: "RateLimited",
        status: undefined,
        refusedLocally: true,
        limit: 4,
        remaining: 2,
        retryable: true,
      });
      const snapshot = client.rateLimit();
      expect(snapshot?.remaining).toBe(2);
      expect(refused.retryAt).toEqual(snapshot?.resetAt);
      expect(refused.retryAt.getTime()).toBeGreaterThan(Date.now() + 3_500_000);
      expect(refused.message).toBe(
        `Did not send GET /v2/whoami: the token's DNSimple rate limit is down to 2 of 4 requests (reserve 2) until ${refused.retryAt.toISOString()}`,
      );
    } finally {
      await simulator.close();
    }
  });

  it("is shared by two clients for the same token, not by clients for other tokens", async () => {
    const simulator = await startTestSimulator({ rateLimit: 3 });
    try {
      const budget = new RateLimitBudget({ reserve: 1 });
      const first = testClient(simulator.url, { budget });
      const second = testClient(simulator.url, { budget });
      const stranger = testClient(simulator.url, { budget, token: "another-token" });

      await first.whoami(); // remaining 2
      await second.whoami(); // remaining 1: at the reserve, for both clients
      expect(await rejectionOf(first.whoami())).toMatchObject({ refusedLocally: true });
      expect(await rejectionOf(second.whoami())).toMatchObject({ refusedLocally: true });

      // Another token has its own budget: its request goes out (and is refused by DNSimple
      // for what it is, a wrong token).
      const callsBefore = simulator.calls().length;
      expect(await rejectionOf(stranger.whoami())).toMatchObject({ reason: "Unauthorized" });
      expect(simulator.calls()).toHaveLength(callsBefore + 1);
      expect(budget.snapshot(TOKEN)?.remaining).toBe(1);
      expect(budget.snapshot("another-token")?.remaining).toBe(2);
    } finally {
      await simulator.close();
    }
  });
});

describe("waiting for a near reset", () => {
  let server: ScriptedServer | undefined;

  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  const whoami = { data: { user: null, account: null } };

  it("a 429 whose reset is near is waited out and the request sent again (a POST too)", async () => {
    // At least 200 ms ahead, and on a whole second as the header has it.
    const resetAtMs = Math.ceil((Date.now() + 200) / 1000) * 1000;
    server = await ScriptedServer.start((index) =>
      index === 0
        ? {
            status: 429,
            body: { message: "Your API rate limit has been exceeded" },
            headers: rateLimitHeaders(10, 0, resetAtMs),
          }
        : {
            status: 201,
            body: {
              data: {
                id: 7,
                certificate_id: 7,
                state: "new",
                auto_renew: false,
                created_at: "2020-06-18T18:54:17Z",
                updated_at: "2020-06-18T18:54:17Z",
              },
            },
            headers: rateLimitHeaders(10, 9, resetAtMs + 3_600_000),
          },
    );
    const client = testClient(server.url);
    const purchase = await client.orderLetsencrypt(ACCOUNT_ID, DOMAIN);
    expect(purchase.id).toBe(7);
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]?.receivedAtMs).toBeGreaterThanOrEqual(resetAtMs);
    expect(client.rateLimit()?.remaining).toBe(9);
  });

  it("a 429 whose reset is further than the wait bound goes to the caller at once", async () => {
    const resetAtMs = Date.now() + 5_000;
    server = await ScriptedServer.start(() => ({
      status: 429,
      body: { message: "Your API rate limit has been exceeded" },
      headers: rateLimitHeaders(10, 0, resetAtMs),
    }));
    const client = testClient(server.url, { maxRateLimitWaitMs: 1_000 });
    const startedAt = Date.now();
    const error = await rejectionOf(client.whoami());
    expect(Date.now() - startedAt).toBeLessThan(1_000);
    expect(error).toMatchObject({ reason: "RateLimited", status: 429, refusedLocally: false });
    expect((error as DnsimpleRateLimitedError).retryAt.getTime()).toBe(
      Math.ceil(resetAtMs / 1000) * 1000,
    );
    expect(server.requests).toHaveLength(1);
  });

  it("a local refusal whose reset is near is waited out too", async () => {
    const resetAtMs = Math.ceil((Date.now() + 200) / 1000) * 1000;
    server = await ScriptedServer.start((index) => ({
      status: 200,
      body: whoami,
      headers:
        index === 0
          ? rateLimitHeaders(10, 0, resetAtMs)
          : rateLimitHeaders(10, 9, resetAtMs + 3_600_000),
    }));
    const client = testClient(server.url);
    await client.whoami();
    await client.whoami(); // refused locally, waited for, then sent
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]?.receivedAtMs).toBeGreaterThanOrEqual(resetAtMs);
  });
});
