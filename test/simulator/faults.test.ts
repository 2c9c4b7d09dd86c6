// Fault injection: the decision logic on its own, then each fault kind over HTTP, among
// them "process then drop", where the purchase happens but the client sees a network error.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { InvalidInputError } from "../../src/simulator/errors.ts";
import { FaultInjector, pathPatternMatches } from "../../src/simulator/faults.ts";
import type { Simulator } from "../../src/simulator/simulator.ts";
import { ApiClient, certificatesPath, type ListAnswer, startTestSimulator } from "./helpers.ts";

const never = () => 0.99;
const always = () => 0;

describe("pathPatternMatches", () => {
  it.each([
    ["/v2/whoami", "/v2/whoami", true],
    ["/v2/*/domains/*/certificates", "/v2/1010/domains/example.com/certificates", true],
    ["/v2/*/certificates", "/v2/1010/domains/example.com/certificates", false],
    ["/v2/**/letsencrypt", "/v2/1010/domains/example.com/certificates/letsencrypt", true],
    ["/v2/**/issue", "/v2/1/domains/a.com/certificates/letsencrypt/5/renewals/6/issue", true],
    ["/v2/1010/domains/example.com", "/v2/1010/domains/exampleXcom", false],
  ])("%s matches %s: %s", (pattern, path, expected) => {
    expect(pathPatternMatches(pattern, path)).toBe(expected);
  });
});

describe("FaultInjector", () => {
  it("does nothing by default", () => {
    expect(new FaultInjector().decide("GET", "/v2/whoami", always)).toEqual({ kind: "none" });
  });

  it("drops or fails at the configured rates", () => {
    const drops = new FaultInjector({ errorRate: 0, latencyMs: 0, dropRate: 0.5 });
    expect(drops.decide("GET", "/", () => 0.4)).toEqual({ kind: "drop", cause: "drop-rate" });
    expect(drops.decide("GET", "/", () => 0.6)).toEqual({ kind: "none" });
    const errors = new FaultInjector({ errorRate: 0.5, latencyMs: 0, dropRate: 0 });
    expect(errors.decide("GET", "/", () => 0.4)).toMatchObject({
      kind: "respond",
      status: 500,
      cause: "error-rate",
    });
  });

  it("uses a one-shot fault for matching requests only, as many times as asked", () => {
    const faults = new FaultInjector();
    faults.addOneShot({ method: "post", path: "/v2/**/letsencrypt", action: "drop", times: 2 });
    expect(faults.decide("GET", "/v2/1/domains/a.com/certificates/letsencrypt", never).kind).toBe(
      "none",
    );
    const decide = () =>
      faults.decide("POST", "/v2/1/domains/a.com/certificates/letsencrypt", never);
    expect([decide().kind, decide().kind, decide().kind]).toEqual(["drop", "drop", "none"]);
    expect(faults.oneShots()).toEqual([]);
  });

  it("answers a one-shot status with a default or given body", () => {
    const faults = new FaultInjector();
    faults.addOneShot({ path: "/a", action: "status", status: 503 });
    faults.addOneShot({ path: "/a", action: "status", status: 502, body: { message: "nope" } });
    expect(faults.decide("GET", "/a", never)).toEqual({
      kind: "respond",
      status: 503,
      body: { message: "Simulated fault: HTTP 503" },
      cause: "one-shot",
    });
    expect(faults.decide("GET", "/a", never)).toMatchObject({ body: { message: "nope" } });
  });

  it("refuses bad settings", () => {
    const faults = new FaultInjector();
    expect(() => faults.updateRates({ errorRate: 2 })).toThrow(InvalidInputError);
    expect(() => faults.updateRates({ latencyMs: -1 })).toThrow(InvalidInputError);
    expect(() => faults.addOneShot({ path: "/a", action: "status" })).toThrow(/status/);
    expect(() => faults.addOneShot({ path: "a", action: "drop" })).toThrow(/path/);
    expect(() => faults.addOneShot({ path: "/a", action: "drop", times: 0 })).toThrow(/times/);
  });

  it("clears rates and one-shot faults", () => {
    const faults = new FaultInjector({ errorRate: 1, latencyMs: 5, dropRate: 1 });
    faults.addOneShot({ path: "/a", action: "drop" });
    faults.clear();
    expect(faults.rates()).toEqual({ errorRate: 0, latencyMs: 0, dropRate: 0 });
    expect(faults.oneShots()).toEqual([]);
  });
});

describe("faults over HTTP", () => {
  let simulator: Simulator;
  let api: ApiClient;
  const orderPath = `${certificatesPath()}/letsencrypt`;

  beforeAll(async () => {
    simulator = await startTestSimulator();
    api = new ApiClient(simulator);
  });

  afterEach(() => {
    simulator.clearFaults();
  });

  afterAll(async () => {
    await simulator.close();
  });

  const lastCall = () => simulator.calls().at(-1);

  it("answers 500 at the error rate, with the rate-limit headers, without processing", async () => {
    simulator.setFaults({ errorRate: 1 });
    const purchases = simulator.purchases().length;
    const answer = await api.post(orderPath, {});
    expect(answer.status).toBe(500);
    expect(answer.headers.get("x-ratelimit-remaining")).not.toBeNull();
    expect(simulator.purchases()).toHaveLength(purchases);
    expect(lastCall()).toMatchObject({ status: 500, fault: "error-rate" });

    simulator.setFaults({ errorRate: 0 });
    expect((await api.post(orderPath, {})).status).toBe(201);
  });

  it("adds latency", async () => {
    simulator.setFaults({ latencyMs: 150 });
    const started = Date.now();
    expect((await api.get("/v2/whoami")).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it("drops connections at the drop rate", async () => {
    simulator.setFaults({ dropRate: 1 });
    await expect(api.get("/v2/whoami")).rejects.toThrow(TypeError);
    expect(lastCall()).toMatchObject({ status: null, fault: "drop-rate" });
  });

  it("answers a one-shot fault's status once, then serves normally", async () => {
    simulator.addOneShotFault({
      method: "POST",
      path: "/v2/*/domains/*/certificates/letsencrypt",
      action: "status",
      status: 503,
    });
    const purchases = simulator.purchases().length;
    expect((await api.post(orderPath, {})).status).toBe(503);
    expect(simulator.purchases()).toHaveLength(purchases);
    expect((await api.post(orderPath, {})).status).toBe(201);
    expect(simulator.purchases()).toHaveLength(purchases + 1);
  });

  it("drops a request before processing it with a one-shot drop", async () => {
    simulator.addOneShotFault({ method: "POST", path: "/v2/**/letsencrypt", action: "drop" });
    const purchases = simulator.purchases().length;
    await expect(api.post(orderPath, {})).rejects.toThrow(TypeError);
    expect(simulator.purchases()).toHaveLength(purchases);
  });

  it("processes then drops: the purchase happened although the client got a socket error", async () => {
    simulator.addOneShotFault({
      method: "POST",
      path: "/v2/**/letsencrypt",
      action: "process-then-drop",
    });
    const purchases = simulator.purchases().length;
    const certificates = (await api.get<ListAnswer>(certificatesPath())).body.pagination
      .total_entries;

    await expect(api.post(orderPath, { name: "lost-answer" })).rejects.toThrow(TypeError);

    expect(simulator.purchases()).toHaveLength(purchases + 1);
    expect(simulator.purchases().at(-1)).toMatchObject({
      kind: "certificate",
      name: "lost-answer",
    });
    expect(lastCall()).toMatchObject({ status: null, fault: "one-shot", method: "POST" });
    // What a careful client does next: list, and find the order it did not hear about.
    const list = await api.get<ListAnswer>(certificatesPath());
    expect(list.body.pagination.total_entries).toBe(certificates + 1);
    expect(list.body.data[0]).toMatchObject({ name: "lost-answer", state: "new" });
  });

  it("never applies faults to the admin API", async () => {
    simulator.setFaults({ errorRate: 1, dropRate: 1 });
    const response = await fetch(`${simulator.url}/_sim/faults`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ errorRate: 1, dropRate: 1 });
  });

  it("is set over the admin API too", async () => {
    const patch = await fetch(`${simulator.url}/_sim/faults`, {
      method: "PATCH",
      body: JSON.stringify({ errorRate: 1 }),
    });
    expect(await patch.json()).toMatchObject({ errorRate: 1, latencyMs: 0, dropRate: 0 });
    expect((await api.get("/v2/whoami")).status).toBe(500);

    await fetch(`${simulator.url}/_sim/faults`, { method: "DELETE" });
    const oneShot = await fetch(`${simulator.url}/_sim/faults/one-shot`, {
      method: "POST",
      body: JSON.stringify({ method: "GET", path: "/v2/whoami", action: "status", status: 429 }),
    });
    expect(oneShot.status).toBe(201);
    expect((await api.get("/v2/whoami")).status).toBe(429);
    expect((await api.get("/v2/whoami")).status).toBe(200);

    const invalid = await fetch(`${simulator.url}/_sim/faults`, {
      method: "PATCH",
      body: JSON.stringify({ errorRate: "high" }),
    });
    expect(invalid.status).toBe(400);
  });
});
