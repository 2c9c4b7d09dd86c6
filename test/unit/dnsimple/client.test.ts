// Every client method against the simulator: typed answers with the right values, from
// ordering through issuance to download and private key, renewals, whoami, and lists.
import { createPrivateKey, X509Certificate } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DnsimpleClient } from "../../../src/dnsimple/client.ts";
import type { Certificate } from "../../../src/dnsimple/types.ts";
import type { Simulator } from "../../../src/simulator/simulator.ts";
import {
  ACCOUNT_ID,
  DOMAIN,
  OTHER_DOMAIN,
  startTestSimulator,
  testClient,
  waitFor,
} from "./helpers.ts";

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

let simulator: Simulator;
let client: DnsimpleClient;

beforeAll(async () => {
  simulator = await startTestSimulator();
  client = testClient(simulator.url);
});

afterAll(async () => {
  await simulator.close();
});

function waitUntilIssued(domain: string, id: number): Promise<Certificate> {
  return waitFor(`certificate ${id} to be issued`, async () => {
    const certificate = await client.getCertificate(ACCOUNT_ID, domain, id);
    return certificate.state === "issued" ? certificate : undefined;
  });
}

describe("whoami", () => {
  it("answers the token's account", async () => {
    const whoami = await client.whoami();
    expect(whoami.user).toBeNull();
    expect(whoami.account).toMatchObject({
      id: ACCOUNT_ID,
      plan_identifier: "dnsimple-professional",
    });
    expect(whoami.account?.email).toContain("@");
    expect(whoami.account?.created_at).toMatch(TIMESTAMP);
  });
});

describe("a certificate's life: order, issue, issued, download, private key", () => {
  it("works end to end with typed, correct answers (ECDSA)", async () => {
    const purchase = await client.orderLetsencrypt(ACCOUNT_ID, DOMAIN, {
      name: "www",
      alternate_names: ["docs.example.com"],
      auto_renew: false,
      signature_algorithm: "ECDSA",
    });
    expect(purchase).toMatchObject({ state: "new", auto_renew: false });
    expect(purchase.certificate_id).toBe(purchase.id);
    expect(purchase.created_at).toMatch(TIMESTAMP);

    const ordered = await client.getCertificate(ACCOUNT_ID, DOMAIN, purchase.id);
    expect(ordered).toMatchObject({
      id: purchase.id,
      state: "new",
      name: "www",
      common_name: "www.example.com",
      alternate_names: ["docs.example.com"],
      authority_identifier: "letsencrypt",
      csr: null,
      expires_at: null,
      expires_on: null,
    });

    const requesting = await client.issueLetsencrypt(ACCOUNT_ID, DOMAIN, purchase.id);
    expect(requesting).toMatchObject({ id: purchase.id, state: "requesting" });

    const issued = await waitUntilIssued(DOMAIN, purchase.id);
    expect(issued.expires_at).toMatch(TIMESTAMP);
    expect(issued.expires_on).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(issued.csr).toContain("BEGIN CERTIFICATE REQUEST");

    const bundle = await client.downloadCertificate(ACCOUNT_ID, DOMAIN, purchase.id);
    expect(bundle.root).toBeNull();
    expect(bundle.chain).toHaveLength(1);
    const server = new X509Certificate(bundle.server);
    expect(server.subjectAltName).toContain("DNS:docs.example.com");
    expect(server.subjectAltName).toContain("DNS:www.example.com");
    expect(server.checkIssued(new X509Certificate(bundle.chain[0] ?? ""))).toBe(true);

    const privateKey = await client.getPrivateKey(ACCOUNT_ID, DOMAIN, purchase.id);
    expect(privateKey).toMatch(/^-----BEGIN EC PRIVATE KEY-----\n/);
    expect(server.checkPrivateKey(createPrivateKey(privateKey))).toBe(true);
  });

  it("orders RSA when asked, with DNSimple's defaults otherwise", async () => {
    const purchase = await client.orderLetsencrypt(ACCOUNT_ID, OTHER_DOMAIN, {
      signature_algorithm: "RSA",
    });
    await client.issueLetsencrypt(ACCOUNT_ID, OTHER_DOMAIN, purchase.id);
    const issued = await waitUntilIssued(OTHER_DOMAIN, purchase.id);
    expect(issued).toMatchObject({
      name: "www",
      common_name: "www.bingo.pizza",
      alternate_names: [],
    });
    const privateKey = await client.getPrivateKey(ACCOUNT_ID, OTHER_DOMAIN, purchase.id);
    expect(privateKey).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
  });

  it("addresses a domain by its numeric id too", async () => {
    const byName = await client.listCertificates(ACCOUNT_ID, DOMAIN);
    const byId = await client.listCertificates(ACCOUNT_ID, 1);
    expect(byId.data.map((certificate) => certificate.id)).toEqual(
      byName.data.map((certificate) => certificate.id),
    );
  });
});

describe("renewals", () => {
  it("orders a renewal (a new certificate) and issues it", async () => {
    const purchase = await client.orderLetsencrypt(ACCOUNT_ID, DOMAIN, { name: "api" });
    await client.issueLetsencrypt(ACCOUNT_ID, DOMAIN, purchase.id);
    await waitUntilIssued(DOMAIN, purchase.id);

    const renewal = await client.orderRenewal(ACCOUNT_ID, DOMAIN, purchase.id, {
      auto_renew: false,
      signature_algorithm: "RSA",
    });
    expect(renewal).toMatchObject({
      old_certificate_id: purchase.id,
      state: "new",
      auto_renew: false,
    });
    expect(renewal.new_certificate_id).not.toBe(purchase.id);

    const renewed = await client.issueRenewal(ACCOUNT_ID, DOMAIN, purchase.id, renewal.id);
    expect(renewed).toMatchObject({
      id: renewal.new_certificate_id,
      state: "requesting",
      name: "api",
      common_name: "api.example.com",
    });
    await waitUntilIssued(DOMAIN, renewal.new_certificate_id);
    const privateKey = await client.getPrivateKey(ACCOUNT_ID, DOMAIN, renewal.new_certificate_id);
    expect(privateKey).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
  });
});

describe("lists", () => {
  let listSimulator: Simulator;
  let listClient: DnsimpleClient;
  const names = ["alpha", "bravo", "charlie", "delta", "echo"];
  const ids: number[] = [];

  beforeAll(async () => {
    listSimulator = await startTestSimulator();
    listClient = testClient(listSimulator.url);
    for (const name of names) {
      ids.push((await listClient.orderLetsencrypt(ACCOUNT_ID, DOMAIN, { name })).id);
    }
  });

  afterAll(async () => {
    await listSimulator.close();
  });

  it("lists newest first by default, with the pagination", async () => {
    const page = await listClient.listCertificates(ACCOUNT_ID, DOMAIN);
    expect(page.data.map((certificate) => certificate.id)).toEqual([...ids].reverse());
    expect(page.pagination).toEqual({
      current_page: 1,
      per_page: 30,
      total_entries: 5,
      total_pages: 1,
    });
  });

  it("sorts and pages as asked", async () => {
    const page = await listClient.listCertificates(ACCOUNT_ID, DOMAIN, {
      sort: "common_name:desc",
      page: 2,
      perPage: 2,
    });
    expect(page.data.map((certificate) => certificate.name)).toEqual(["charlie", "bravo"]);
    expect(page.pagination).toEqual({
      current_page: 2,
      per_page: 2,
      total_entries: 5,
      total_pages: 3,
    });
    const byIdAscending = await listClient.listCertificates(ACCOUNT_ID, DOMAIN, {
      sort: ["id:asc"],
    });
    expect(byIdAscending.data.map((certificate) => certificate.id)).toEqual(ids);
  });

  it("collects every certificate across pages of 100 (250 certificates)", async () => {
    const many = await startTestSimulator();
    try {
      const manyClient = testClient(many.url);
      for (let index = 0; index < 250; index++) {
        await manyClient.orderLetsencrypt(ACCOUNT_ID, DOMAIN, { name: `host${index}` });
      }
      many.resetCalls();
      const all = await manyClient.allCertificates(ACCOUNT_ID, DOMAIN, { sort: "id:asc" });
      expect(all).toHaveLength(250);
      const allIds = all.map((certificate) => certificate.id);
      expect(allIds).toEqual([...allIds].sort((a, b) => a - b));
      expect(new Set(allIds).size).toBe(250);
      expect(many.calls().map((call) => call.pathWithQuery)).toEqual(
        [1, 2, 3].map(
          (page) =>
            `/v2/${ACCOUNT_ID}/domains/${DOMAIN}/certificates?page=${page}&per_page=100&sort=id:asc`,
        ),
      );
    } finally {
      await many.close();
    }
  });

  it("collects with a smaller page size, and answers [] for a domain without certificates", async () => {
    const all = await listClient.allCertificates(ACCOUNT_ID, DOMAIN, { perPage: 2 });
    expect(all.map((certificate) => certificate.id)).toEqual([...ids].reverse());
    expect(await listClient.allCertificates(ACCOUNT_ID, OTHER_DOMAIN)).toEqual([]);
  });
});
