// The admin view, in process and over HTTP under /_sim/: the call log (never the token),
// purchases, counts, CA, settings, and the operations tests use to steer the simulator.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiCall } from "../../src/simulator/call-log.ts";
import type { Simulator } from "../../src/simulator/simulator.ts";
import {
  ApiClient,
  certificatesPath,
  type DataAnswer,
  startTestSimulator,
  TOKEN,
} from "./helpers.ts";

let simulator: Simulator;
let api: ApiClient;

beforeAll(async () => {
  simulator = await startTestSimulator();
  api = new ApiClient(simulator);
});

afterAll(async () => {
  await simulator.close();
});

async function admin<T = unknown>(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T; text: string }> {
  const response = await fetch(`${simulator.url}/_sim${path}`, {
    method,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const json = response.headers.get("content-type")?.startsWith("application/json");
  return { status: response.status, body: (json ? JSON.parse(text) : text) as T, text };
}

describe("the call log", () => {
  it("records method, paths, operation, status and time", async () => {
    simulator.resetCalls();
    await api.get(`${certificatesPath()}?page=1&per_page=5`);
    await api.get("/v2/nowhere");

    const [list, unknown] = simulator.calls();
    expect(list).toMatchObject({
      method: "GET",
      path: certificatesPath(),
      pathWithQuery: `${certificatesPath()}?page=1&per_page=5`,
      operation: "listCertificates",
      status: 200,
      fault: null,
    });
    expect(Date.parse(list?.time ?? "")).toBeGreaterThan(Date.now() - 10_000);
    expect(unknown).toMatchObject({ operation: null, status: 404 });
  });

  it("never contains the token, even one put in a URL", async () => {
    await api.get(`${certificatesPath()}?access_token=${TOKEN}`);
    await new ApiClient(simulator, "wrong-token").get("/v2/whoami");

    const served = await admin<{ calls: ApiCall[] }>("GET", "/calls");
    expect(served.body.calls.length).toBeGreaterThan(0);
    expect(served.text).not.toContain(TOKEN);
    expect(JSON.stringify(simulator.calls())).not.toContain(TOKEN);
    expect(served.text).toContain("[REDACTED]");
  });

  it("is reset in process and over HTTP, and does not log admin requests", async () => {
    simulator.resetCalls();
    expect(simulator.calls()).toEqual([]);
    await api.get("/v2/whoami");
    expect(await admin("DELETE", "/calls")).toMatchObject({ status: 204 });
    await admin("GET", "/counts");
    expect(simulator.calls()).toEqual([]);
  });
});

describe("purchases and counts", () => {
  it("lists orders and renewal orders with their certificate ids, and counts them", async () => {
    const fresh = await startTestSimulator();
    try {
      const client = new ApiClient(fresh);
      const certificate = await client.orderAndIssue();
      const renewal = await client.post<DataAnswer<{ id: number; new_certificate_id: number }>>(
        `${certificatesPath()}/letsencrypt/${certificate.id}/renewals`,
      );
      expect(fresh.purchases()).toEqual([
        expect.objectContaining({ kind: "certificate", certificateId: certificate.id }),
        expect.objectContaining({
          kind: "renewal",
          certificateId: renewal.body.data.new_certificate_id,
          renewalId: renewal.body.data.id,
          oldCertificateId: certificate.id,
        }),
      ]);
      const response = await fetch(`${fresh.url}/_sim/counts`);
      expect(await response.json()).toMatchObject({
        purchases: 2,
        purchasesByKind: { certificate: 1, renewal: 1, auto_renewal: 0 },
        certificates: 2,
        certificatesByState: { issued: 1, new: 1 },
        issuances: 1,
        callsByOperation: {
          purchaseLetsencryptCertificate: 1,
          issueLetsencryptCertificate: 1,
          purchaseRenewalLetsencryptCertificate: 1,
        },
      });
      const served = await fetch(`${fresh.url}/_sim/purchases`);
      expect(await served.json()).toEqual({ purchases: fresh.purchases() });
    } finally {
      await fresh.close();
    }
  });
});

describe("admin endpoints", () => {
  it("lists its endpoints at /_sim", async () => {
    const index = await admin<{ endpoints: string[] }>("GET", "");
    expect(index.status).toBe(200);
    expect(index.body.endpoints).toContain(
      "POST /_sim/certificates/:id/remove-private-key: remove a certificate's private key (then 428; fires the webhook)",
    );
    expect((await admin("GET", "/nothing-here")).status).toBe(404);
  });

  it("serves the CA PEMs as JSON and as text", async () => {
    expect((await admin("GET", "/ca")).body).toEqual({
      root: simulator.rootPem,
      intermediate: simulator.intermediatePem,
    });
    expect((await admin("GET", "/ca/root.pem")).text).toBe(`${simulator.rootPem}\n`);
    expect((await admin("GET", "/ca/intermediate.pem")).text).toBe(
      `${simulator.intermediatePem}\n`,
    );
  });

  it("removes a private key and serves a mismatching one", async () => {
    const first = await api.orderAndIssue();
    const removed = await admin<{ certificate: { privateKeyRemoved: boolean } }>(
      "POST",
      `/certificates/${first.id}/remove-private-key`,
    );
    expect(removed.body.certificate.privateKeyRemoved).toBe(true);
    expect((await api.get(`${certificatesPath()}/${first.id}/private_key`)).status).toBe(428);

    const second = await api.orderAndIssue();
    const mismatched = await admin<{ certificate: { servesMismatchingPrivateKey: boolean } }>(
      "POST",
      `/certificates/${second.id}/mismatching-private-key`,
    );
    expect(mismatched.body.certificate.servesMismatchingPrivateKey).toBe(true);

    expect((await admin("POST", "/certificates/999/remove-private-key")).status).toBe(404);
    const pending = await api.order();
    expect((await admin("POST", `/certificates/${pending}/remove-private-key`)).status).toBe(400);
  });

  it("shows what the API hides: an auto-renewal's origin, serials, key status", async () => {
    const certificate = await api.orderAndIssue();
    const views = await admin<{ certificates: Array<Record<string, unknown>> }>(
      "GET",
      "/certificates",
    );
    expect(views.body.certificates.find((view) => view.id === certificate.id)).toMatchObject({
      domain: "example.com",
      state: "issued",
      origin: { kind: "order" },
      signatureAlgorithm: "ECDSA",
      serialNumber: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
  });

  it("serves the issuances and webhook deliveries it keeps in process", async () => {
    await api.orderAndIssue();
    expect((await admin("GET", "/issuances")).body).toEqual({ issuances: simulator.issuances() });
    expect((await admin("GET", "/webhooks")).body).toEqual({
      deliveries: simulator.webhookDeliveries(),
    });
    expect(simulator.issuances().at(-1)).toMatchObject({ outcome: "issued", name: "www" });
  });

  it("reads and changes settings, refusing bad values and unknown fields", async () => {
    const changed = await admin("PATCH", "/settings", { plan: "enterprise", issueDelayMs: 10 });
    expect(changed.body).toMatchObject({ plan: "enterprise", issueDelayMs: 10 });
    expect(simulator.settings()).toMatchObject({ plan: "enterprise", issueDelayMs: 10 });

    expect((await admin("PATCH", "/settings", { plan: "gold" })).status).toBe(400);
    expect((await admin("PATCH", "/settings", { validityMs: 10 })).status).toBe(400);
    expect((await admin("PATCH", "/settings", { issueDelay: 10 })).status).toBe(400);
    expect((await admin("PATCH", "/settings", { webhookUrl: "ftp://x" })).status).toBe(400);
    simulator.updateSettings({ plan: "professional", issueDelayMs: 50 });
  });

  it("resets rate limits", async () => {
    simulator.updateSettings({ rateLimit: 1 });
    try {
      await api.get("/v2/whoami");
      expect((await api.get("/v2/whoami")).status).toBe(429);
      expect((await admin("DELETE", "/rate-limits")).status).toBe(204);
      expect((await api.get("/v2/whoami")).status).toBe(200);
    } finally {
      simulator.updateSettings({ rateLimit: 2400 });
    }
  });
});
