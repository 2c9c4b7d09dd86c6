// The hourly per-token budget: the pure limiter, then the headers and 429 over HTTP.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ONE_HOUR_MS, RateLimiter } from "../../src/simulator/rate-limiter.ts";
import type { Simulator } from "../../src/simulator/simulator.ts";
import { type Answer, ApiClient, certificatesPath, startTestSimulator } from "./helpers.ts";

describe("RateLimiter", () => {
  const start = 1_700_000_000_000;

  it("counts down per key and refuses past the limit", () => {
    const limiter = new RateLimiter();
    const remaining = [1, 2, 3].map(() => limiter.consume("a", 2, start));
    expect(remaining.map((status) => [status.allowed, status.remaining])).toEqual([
      [true, 1],
      [true, 0],
      [false, 0],
    ]);
    expect(limiter.consume("b", 2, start)).toMatchObject({ allowed: true, remaining: 1 });
  });

  it("resets an hour after the window opened, and says when in Unix seconds", () => {
    const limiter = new RateLimiter();
    const first = limiter.consume("a", 1, start);
    expect(first.resetAtSeconds).toBe((start + ONE_HOUR_MS) / 1000);
    expect(limiter.consume("a", 1, start + ONE_HOUR_MS - 1).allowed).toBe(false);
    expect(limiter.consume("a", 1, start + ONE_HOUR_MS)).toMatchObject({
      allowed: true,
      remaining: 0,
      resetAtSeconds: (start + 2 * ONE_HOUR_MS) / 1000,
    });
  });

  it("peeks without spending, and forgets everything on reset", () => {
    const limiter = new RateLimiter();
    limiter.consume("a", 5, start);
    expect(limiter.peek("a", 5, start).remaining).toBe(4);
    expect(limiter.peek("a", 5, start).remaining).toBe(4);
    limiter.reset();
    expect(limiter.peek("a", 5, start).remaining).toBe(5);
  });
});

describe("rate limiting over HTTP", () => {
  let simulator: Simulator;
  let api: ApiClient;

  beforeAll(async () => {
    simulator = await startTestSimulator({ rateLimit: 3 });
    api = new ApiClient(simulator);
  });

  afterAll(async () => {
    await simulator.close();
  });

  const headersOf = (answer: Answer) => ({
    limit: Number(answer.headers.get("x-ratelimit-limit")),
    remaining: Number(answer.headers.get("x-ratelimit-remaining")),
    reset: Number(answer.headers.get("x-ratelimit-reset")),
  });

  it("puts the budget in every answer, counts it down, then answers 429", async () => {
    simulator.resetRateLimits();
    const before = Math.floor(Date.now() / 1000);
    const answers = [];
    for (let index = 0; index < 4; index++) answers.push(await api.get(certificatesPath()));
    // The window opens with the first request, somewhere between the two readings of the clock.
    const after = Math.ceil(Date.now() / 1000);

    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 429]);
    expect(answers.map((answer) => headersOf(answer).remaining)).toEqual([2, 1, 0, 0]);
    for (const answer of answers) {
      const { limit, reset } = headersOf(answer);
      expect(limit).toBe(3);
      expect(reset).toBeGreaterThanOrEqual(before + 3_599);
      expect(reset).toBeLessThanOrEqual(after + 3_600);
    }
    expect(answers[3]?.body).toMatchObject({ message: expect.stringMatching(/rate limit/) });
  });

  it("keeps a budget per token; errors carry the headers too", async () => {
    simulator.resetRateLimits();
    await api.get(certificatesPath());
    const stranger = await new ApiClient(simulator, "other-token").get(certificatesPath());
    expect(stranger.status).toBe(401);
    expect(headersOf(stranger)).toMatchObject({ limit: 3, remaining: 2 });
    expect(headersOf(await api.get(certificatesPath()))).toMatchObject({ remaining: 1 });
  });

  it("does not count admin requests", async () => {
    simulator.resetRateLimits();
    await api.get(certificatesPath());
    for (let index = 0; index < 5; index++) await fetch(`${simulator.url}/_sim/counts`);
    expect(headersOf(await api.get(certificatesPath())).remaining).toBe(1);
  });

  it("follows a new limit set at run time", async () => {
    simulator.resetRateLimits();
    simulator.updateSettings({ rateLimit: 10 });
    try {
      expect(headersOf(await api.get(certificatesPath()))).toMatchObject({
        limit: 10,
        remaining: 9,
      });
    } finally {
      simulator.updateSettings({ rateLimit: 3 });
    }
  });
});
