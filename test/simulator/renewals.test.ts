// Renewals end to end: manual renewal orders and issues, and DNSimple-side auto-renewal
// happening in real time with a short validity, announced by webhook.
import { X509Certificate } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CertificateJson } from "../../src/simulator/representations.ts";
import type { Simulator } from "../../src/simulator/simulator.ts";
import type { WebhookEvent } from "../../src/simulator/webhooks.ts";
import {
  ApiClient,
  certificatesPath,
  type DataAnswer,
  DOMAIN,
  type ListAnswer,
  startTestSimulator,
  WebhookReceiver,
  waitFor,
} from "./helpers.ts";

interface RenewalJson {
  id: number;
  old_certificate_id: number;
  new_certificate_id: number;
  state: string;
  auto_renew: boolean;
}

describe("a manual renewal", () => {
  let simulator: Simulator;
  let api: ApiClient;

  beforeAll(async () => {
    simulator = await startTestSimulator();
    api = new ApiClient(simulator);
  });

  afterAll(async () => {
    await simulator.close();
  });

  const serverPem = async (id: number) =>
    (await api.get<DataAnswer<{ server: string }>>(`${certificatesPath()}/${id}/download`)).body
      .data.server;

  it("orders a new certificate with the same names, issues it, and leaves the old one be", async () => {
    const alternateNames = [`docs.${DOMAIN}`];
    const original = await api.orderAndIssue({ name: "api", alternate_names: alternateNames });
    const renewalPath = `${certificatesPath()}/letsencrypt/${original.id}/renewals`;

    const ordered = await api.post<DataAnswer<RenewalJson>>(renewalPath, {
      signature_algorithm: "RSA",
    });
    expect(ordered.status).toBe(201);
    const renewal = ordered.body.data;
    expect(renewal).toMatchObject({ old_certificate_id: original.id, state: "new" });
    expect(renewal.new_certificate_id).toBeGreaterThan(original.id);
    expect(simulator.purchases().slice(-1)).toEqual([
      expect.objectContaining({
        kind: "renewal",
        certificateId: renewal.new_certificate_id,
        renewalId: renewal.id,
        oldCertificateId: original.id,
      }),
    ]);

    const pending = await api.certificate(renewal.new_certificate_id);
    expect(pending).toMatchObject({
      state: "new",
      name: "api",
      common_name: original.common_name,
      alternate_names: alternateNames,
    });

    const issuing = await api.post<DataAnswer<CertificateJson>>(
      `${renewalPath}/${renewal.id}/issue`,
    );
    expect(issuing.status).toBe(202);
    expect(issuing.body.data).toMatchObject({
      id: renewal.new_certificate_id,
      state: "requesting",
    });

    const renewed = await api.waitUntilSettled(renewal.new_certificate_id);
    expect(renewed.state).toBe("issued");
    const renewedLeaf = new X509Certificate(await serverPem(renewed.id));
    const originalLeaf = new X509Certificate(await serverPem(original.id));
    expect(renewedLeaf.serialNumber).not.toBe(originalLeaf.serialNumber);
    expect(renewedLeaf.subjectAltName).toBe(originalLeaf.subjectAltName);
    expect(renewedLeaf.publicKey.asymmetricKeyType).toBe("rsa");

    // The old certificate is still there, still issued, untouched.
    expect(await api.certificate(original.id)).toEqual(original);
  });

  it("can be ordered with auto-renewal on", async () => {
    const original = await api.orderAndIssue();
    const ordered = await api.post<DataAnswer<RenewalJson>>(
      `${certificatesPath()}/letsencrypt/${original.id}/renewals`,
      { auto_renew: true },
    );
    expect(ordered.body.data.auto_renew).toBe(true);
    expect((await api.certificate(ordered.body.data.new_certificate_id)).auto_renew).toBe(true);
  });
});

describe("auto-renewal", () => {
  let simulator: Simulator;
  let api: ApiClient;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    // Renewal is due when a third of the lifetime is left: about 1.4 s after issuance.
    simulator = await startTestSimulator({ validityMs: 2_000, webhookUrl: receiver.url });
    api = new ApiClient(simulator);
  });

  afterAll(async () => {
    await simulator.close();
    await receiver.close();
  });

  it("issues a new certificate (new id, same names) before expiry and fires the webhook", async () => {
    const original = await api.orderAndIssue({ auto_renew: true, name: "shop" });
    expect(original.state).toBe("issued");

    const renewed = await waitFor(
      "the auto-renewed certificate to be issued",
      async () => {
        const list = await api.get<ListAnswer>(certificatesPath());
        return list.body.data.find(
          (certificate) =>
            certificate.id !== original.id &&
            certificate.name === "shop" &&
            certificate.state === "issued",
        );
      },
      8_000,
    );
    expect(renewed.id).toBeGreaterThan(original.id);
    expect(renewed).toMatchObject({
      common_name: original.common_name,
      alternate_names: original.alternate_names,
      auto_renew: true,
    });
    expect(Date.parse(renewed.expires_at ?? "")).toBeGreaterThan(
      Date.parse(original.expires_at ?? ""),
    );
    // Nothing in the old record points at the new one.
    expect(await api.certificate(original.id)).toEqual(original);
    expect(simulator.purchases().map((purchase) => purchase.kind)).toContain("auto_renewal");

    const event = await waitFor("the certificate.issue webhook for the renewal", () =>
      (receiver.events as WebhookEvent[]).find(
        (candidate) =>
          candidate.name === "certificate.issue" && candidate.data.certificate.id === renewed.id,
      ),
    );
    expect(event.actor).toEqual({
      id: "system",
      entity: "dnsimple",
      pretty: "support@dnsimple.com",
    });
    expect(event.data.certificate.state).toBe("issued");
  });
});
