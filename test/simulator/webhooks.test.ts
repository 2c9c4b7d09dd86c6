// Webhook events as DNSimple sends them, received by a local HTTP server; delivery is best
// effort and a failing receiver never hurts the simulator.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Simulator } from "../../src/simulator/simulator.ts";
import { buildWebhookEvent, type WebhookEvent } from "../../src/simulator/webhooks.ts";
import {
  ApiClient,
  certificatesPath,
  type DataAnswer,
  expectSameShape,
  readFixture,
  startTestSimulator,
  WebhookReceiver,
  waitFor,
} from "./helpers.ts";

const EVENT_SHAPE = {
  name: "",
  api_version: "",
  request_identifier: "",
  data: { certificate: readFixture<{ data: unknown }>("get-certificate").data },
  account: { id: 1, display: "", identifier: "" },
  actor: { id: "", entity: "", pretty: "" },
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe("buildWebhookEvent", () => {
  it("wraps a certificate in DNSimple's payload", () => {
    const certificate = readFixture<{ data: WebhookEvent["data"]["certificate"] }>(
      "get-certificate",
    ).data;
    const event = buildWebhookEvent(
      "certificate.issue",
      certificate,
      { id: 1010, display: "D", identifier: "d" },
      { id: "system", entity: "dnsimple", pretty: "support@dnsimple.com" },
      "2092d585-bd6c-40ba-b0ac-bd7ebab8b4b1",
    );
    expect(event).toEqual({
      name: "certificate.issue",
      api_version: "v2",
      request_identifier: "2092d585-bd6c-40ba-b0ac-bd7ebab8b4b1",
      data: { certificate },
      account: { id: 1010, display: "D", identifier: "d" },
      actor: { id: "system", entity: "dnsimple", pretty: "support@dnsimple.com" },
    });
  });
});

describe("webhook delivery", () => {
  let receiver: WebhookReceiver;
  let simulator: Simulator;
  let api: ApiClient;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    simulator = await startTestSimulator({ webhookUrl: receiver.url });
    api = new ApiClient(simulator);
  });

  afterAll(async () => {
    await simulator.close();
    await receiver.close();
  });

  const eventFor = (name: string, certificateId: number) =>
    waitFor(`${name} for certificate ${certificateId}`, () =>
      (receiver.events as WebhookEvent[]).find(
        (event) => event.name === name && event.data.certificate.id === certificateId,
      ),
    );

  it("POSTs certificate.issue when a certificate becomes issued", async () => {
    const certificate = await api.orderAndIssue();
    const event = await eventFor("certificate.issue", certificate.id);

    expectSameShape(event, EVENT_SHAPE);
    expect(event).toMatchObject({
      api_version: "v2",
      account: { id: simulator.accountId },
      actor: { id: "system", entity: "dnsimple" },
    });
    expect(event.request_identifier).toMatch(UUID);
    expect(event.data.certificate).toEqual(await api.certificate(certificate.id));
    expect(receiver.contentTypes).toContain("application/json");
  });

  it("POSTs certificate.remove_private_key when the key is removed", async () => {
    const certificate = await api.orderAndIssue();
    simulator.removePrivateKey(certificate.id);
    const event = await eventFor("certificate.remove_private_key", certificate.id);
    expectSameShape(event, EVENT_SHAPE);
    expect(event.actor).toMatchObject({ id: String(simulator.accountId), entity: "account" });
  });

  it("POSTs certificate.issue for the new certificate of a manual renewal", async () => {
    const original = await api.orderAndIssue();
    const renewalPath = `${certificatesPath()}/letsencrypt/${original.id}/renewals`;
    const renewal =
      await api.post<DataAnswer<{ id: number; new_certificate_id: number }>>(renewalPath);
    await api.post(`${renewalPath}/${renewal.body.data.id}/issue`);
    const event = await eventFor("certificate.issue", renewal.body.data.new_certificate_id);
    expect(event.data.certificate).toMatchObject({ state: "issued", name: original.name });
  });

  it("fires no event for a certificate that does not end issued", async () => {
    simulator.addIssuanceOutcome({ outcome: "failed", name: "broken" });
    const failed = await api.orderAndIssue({ name: "broken" });
    const next = await api.orderAndIssue();
    await eventFor("certificate.issue", next.id);
    expect(
      (receiver.events as WebhookEvent[]).some((event) => event.data.certificate.id === failed.id),
    ).toBe(false);
  });

  it("records deliveries, including failed ones, and keeps serving", async () => {
    receiver.status = 500;
    try {
      const rejected = await api.orderAndIssue();
      const delivery = await waitFor("the failed delivery", () =>
        simulator.webhookDeliveries().find((d) => d.certificateId === rejected.id),
      );
      expect(delivery).toMatchObject({ name: "certificate.issue", status: 500 });
      expect(delivery.error).toMatch(/500/);
    } finally {
      receiver.status = 200;
    }

    simulator.updateSettings({ webhookUrl: "http://127.0.0.1:9/unreachable" });
    try {
      const unreachable = await api.orderAndIssue();
      const delivery = await waitFor("the unreachable delivery", () =>
        simulator.webhookDeliveries().find((d) => d.certificateId === unreachable.id),
      );
      expect(delivery).toMatchObject({ status: null });
      expect(delivery.error).not.toBeNull();
      expect((await api.get("/v2/whoami")).status).toBe(200);
    } finally {
      simulator.updateSettings({ webhookUrl: receiver.url });
    }
  });

  it("sends nothing without a webhook URL", async () => {
    simulator.updateSettings({ webhookUrl: null });
    try {
      const deliveries = simulator.webhookDeliveries().length;
      const certificate = await api.orderAndIssue();
      expect(certificate.state).toBe("issued");
      expect(simulator.webhookDeliveries()).toHaveLength(deliveries);
    } finally {
      simulator.updateSettings({ webhookUrl: receiver.url });
    }
  });
});
