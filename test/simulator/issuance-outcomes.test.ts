// Issuances that end failed or cancelled: the rule queue, then the API showing them.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { InvalidInputError } from "../../src/simulator/errors.ts";
import { IssuanceOutcomes } from "../../src/simulator/issuance-outcomes.ts";
import type { Simulator } from "../../src/simulator/simulator.ts";
import {
  ApiClient,
  certificatesPath,
  type DataAnswer,
  DOMAIN,
  OTHER_DOMAIN,
  startTestSimulator,
} from "./helpers.ts";

describe("IssuanceOutcomes", () => {
  it("ends every issuance issued by default", () => {
    expect(new IssuanceOutcomes().take("example.com", "www")).toBe("issued");
  });

  it("applies rules in order, each for its count, filtered by domain and name", () => {
    const outcomes = new IssuanceOutcomes();
    outcomes.add({ outcome: "failed", count: 2, name: "api" });
    outcomes.add({ outcome: "cancelled", domain: "Bingo.Pizza" });
    expect(outcomes.take("example.com", "www")).toBe("issued");
    expect(outcomes.take("bingo.pizza", "www")).toBe("cancelled");
    expect(outcomes.take("bingo.pizza", "www")).toBe("issued");
    expect(outcomes.take("example.com", "api")).toBe("failed");
    expect(outcomes.pending()).toEqual([
      { outcome: "failed", remaining: 1, domain: null, name: "api" },
    ]);
    expect(outcomes.take("example.com", "api")).toBe("failed");
    expect(outcomes.take("example.com", "api")).toBe("issued");
  });

  it("refuses bad rules", () => {
    const outcomes = new IssuanceOutcomes();
    expect(() => outcomes.add({ outcome: "failed", count: 0 })).toThrow(InvalidInputError);
    expect(() => outcomes.add({ outcome: "issued" as "failed" })).toThrow(InvalidInputError);
  });
});

describe("failed and cancelled issuances over the API", () => {
  let simulator: Simulator;
  let api: ApiClient;

  beforeAll(async () => {
    simulator = await startTestSimulator();
    api = new ApiClient(simulator);
  });

  afterEach(() => {
    simulator.clearIssuanceOutcomes();
  });

  afterAll(async () => {
    await simulator.close();
  });

  it("ends failed: nothing to download, and it is recorded", async () => {
    simulator.addIssuanceOutcome({ outcome: "failed", name: "api" });
    const failed = await api.orderAndIssue({ name: "api" });
    const other = await api.orderAndIssue({ name: "www" });

    expect(failed).toMatchObject({ state: "failed", csr: null, expires_at: null });
    expect(other.state).toBe("issued");
    expect((await api.get(`${certificatesPath()}/${failed.id}/download`)).status).toBe(428);
    expect(simulator.issuances().find((i) => i.certificateId === failed.id)?.outcome).toBe(
      "failed",
    );
  });

  it("ends cancelled, for the domain the rule names", async () => {
    simulator.addIssuanceOutcome({ outcome: "cancelled", domain: OTHER_DOMAIN });
    const untouched = await api.orderAndIssue({}, DOMAIN);
    const cancelled = await api.orderAndIssue({}, OTHER_DOMAIN);
    expect(untouched.state).toBe("issued");
    expect(cancelled.state).toBe("cancelled");
    expect(
      (await api.get(`${certificatesPath(OTHER_DOMAIN)}/${cancelled.id}/private_key`)).status,
    ).toBe(428);
  });

  it("lets a failed renewal be followed by another renewal order", async () => {
    const original = await api.orderAndIssue();
    simulator.addIssuanceOutcome({ outcome: "failed" });
    const renewalPath = `${certificatesPath()}/letsencrypt/${original.id}/renewals`;
    const first =
      await api.post<DataAnswer<{ id: number; new_certificate_id: number }>>(renewalPath);
    await api.post(`${renewalPath}/${first.body.data.id}/issue`);
    expect((await api.waitUntilSettled(first.body.data.new_certificate_id)).state).toBe("failed");

    const second =
      await api.post<DataAnswer<{ id: number; new_certificate_id: number }>>(renewalPath);
    await api.post(`${renewalPath}/${second.body.data.id}/issue`);
    expect((await api.waitUntilSettled(second.body.data.new_certificate_id)).state).toBe("issued");
  });

  it("is set over the admin API too", async () => {
    const post = await fetch(`${simulator.url}/_sim/issuance-outcomes`, {
      method: "POST",
      body: JSON.stringify({ outcome: "cancelled", count: 1, name: "status" }),
    });
    expect(post.status).toBe(201);
    const pending = await (await fetch(`${simulator.url}/_sim/issuance-outcomes`)).json();
    expect(pending).toEqual({
      pending: [{ outcome: "cancelled", remaining: 1, domain: null, name: "status" }],
    });
    expect((await api.orderAndIssue({ name: "status" })).state).toBe("cancelled");

    const invalid = await fetch(`${simulator.url}/_sim/issuance-outcomes`, {
      method: "POST",
      body: JSON.stringify({ outcome: "exploded" }),
    });
    expect(invalid.status).toBe(400);
  });
});
