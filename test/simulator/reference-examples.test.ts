// Each example response of DNSimple's Certificates API reference (copied into fixtures/),
// replayed: the simulator is driven into the same situation and its answer must have the
// same status, the same keys recursively, the same JSON types, and the same values where
// the situation determines them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Simulator } from "../../src/simulator/simulator.ts";
import {
  type Answer,
  API_TIMESTAMP,
  ApiClient,
  certificatesPath,
  type DataAnswer,
  DOMAIN,
  expectSameShape,
  type ListAnswer,
  readFixture,
  startTestSimulator,
} from "./helpers.ts";

type Fixture = DataAnswer<Record<string, unknown>>;

let simulator: Simulator;
let api: ApiClient;
let domainId: number;

beforeAll(async () => {
  simulator = await startTestSimulator();
  api = new ApiClient(simulator);
  domainId = simulator.domains.find((domain) => domain.name === DOMAIN)?.id ?? -1;
});

afterAll(async () => {
  await simulator.close();
});

// The fields whose values do not depend on ids or clocks.
const DETERMINED_CERTIFICATE_FIELDS = [
  "name",
  "years",
  "state",
  "auto_renew",
  "alternate_names",
  "authority_identifier",
] as const;

function expectFieldsLike(
  actual: Record<string, unknown>,
  expected: Record<string, unknown>,
  fields: readonly string[],
): void {
  for (const field of fields) expect(actual[field], field).toEqual(expected[field]);
}

function expectReplays(answer: Answer, fixture: unknown, status: number): void {
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  expectSameShape(answer.body, fixture);
}

describe("the reference examples, replayed", () => {
  it("Let's Encrypt: order a certificate (201)", async () => {
    const fixture = readFixture<Fixture>("purchase-letsencrypt-certificate");
    const answer = await api.post<Fixture>(`${certificatesPath()}/letsencrypt`, {});

    expectReplays(answer, fixture, 201);
    const data = answer.body.data;
    expectFieldsLike(data, fixture.data, ["state", "auto_renew"]);
    expect(data.certificate_id).toBe(data.id);
    expect(data.created_at).toMatch(API_TIMESTAMP);
  });

  it("Let's Encrypt: issue a certificate (202, csr and expiry still null)", async () => {
    const fixture = readFixture<Fixture>("issue-letsencrypt-certificate");
    const id = await api.order();
    const answer = await api.post<Fixture>(`${certificatesPath()}/letsencrypt/${id}/issue`);

    expectReplays(answer, fixture, 202);
    const data = answer.body.data;
    expectFieldsLike(data, fixture.data, [
      ...DETERMINED_CERTIFICATE_FIELDS,
      "csr",
      "expires_at",
      "expires_on",
    ]);
    expect(data).toMatchObject({ id, domain_id: domainId, common_name: `www.${DOMAIN}` });
  });

  it("retrieve a certificate once issued (200)", async () => {
    const fixture = readFixture<Fixture>("get-certificate");
    const issued = await api.orderAndIssue();
    const answer = await api.get<Fixture>(`${certificatesPath()}/${issued.id}`);

    expectReplays(answer, fixture, 200);
    const data = answer.body.data;
    expectFieldsLike(data, fixture.data, DETERMINED_CERTIFICATE_FIELDS);
    expect(data.common_name).toBe(`www.${DOMAIN}`);
    expect(data.csr).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----\n[\s\S]+-----\n$/);
    expect(data.expires_at).toMatch(API_TIMESTAMP);
    expect(data.expires_on).toBe(String(data.expires_at).slice(0, 10));
  });

  it("list certificates: two issued certificates, newest first (200)", async () => {
    const fixture = readFixture<ListAnswer>("list-certificates");
    const lister = await startTestSimulator();
    try {
      const client = new ApiClient(lister);
      await client.orderAndIssue({ name: "www" });
      await client.orderAndIssue({ name: "www2" });
      const answer = await client.get<ListAnswer>(certificatesPath());

      expectReplays(answer, fixture, 200);
      expect(answer.body.pagination).toEqual(fixture.pagination);
      answer.body.data.forEach((certificate, index) => {
        const expected = fixture.data[index] as unknown as Record<string, unknown>;
        expectFieldsLike({ ...certificate }, expected, DETERMINED_CERTIFICATE_FIELDS);
      });
      expect(answer.body.data.map((certificate) => certificate.common_name)).toEqual([
        `www2.${DOMAIN}`,
        `www.${DOMAIN}`,
      ]);
    } finally {
      await lister.close();
    }
  });

  it("download a certificate: server, root null, chain without final newline (200)", async () => {
    const fixture = readFixture<Fixture>("download-certificate");
    const issued = await api.orderAndIssue();
    const answer = await api.get<DataAnswer<{ server: string; root: null; chain: string[] }>>(
      `${certificatesPath()}/${issued.id}/download`,
    );

    expectReplays(answer, fixture, 200);
    const { server, root, chain } = answer.body.data;
    expect(root).toBeNull();
    expect(server).toMatch(/^-----BEGIN CERTIFICATE-----\n[\s\S]+\n-----END CERTIFICATE-----\n$/);
    expect(chain[0]).toMatch(/^-----BEGIN CERTIFICATE-----\n[\s\S]+\n-----END CERTIFICATE-----$/);
    expect(chain[0]).toBe(simulator.intermediatePem);
  });

  it("retrieve a certificate private key: RSA as PKCS#1 (200)", async () => {
    const fixture = readFixture<DataAnswer<{ private_key: string }>>("get-certificate-private-key");
    const issued = await api.orderAndIssue({ signature_algorithm: "RSA" });
    const answer = await api.get<DataAnswer<{ private_key: string }>>(
      `${certificatesPath()}/${issued.id}/private_key`,
    );

    expectReplays(answer, fixture, 200);
    const header = (pem: string) => pem.split("\n")[0];
    expect(header(answer.body.data.private_key)).toBe(header(fixture.data.private_key));
    expect(answer.body.data.private_key).toMatch(/-----END RSA PRIVATE KEY-----\n$/);
  });

  it("Let's Encrypt: order a certificate renewal (201)", async () => {
    const fixture = readFixture<Fixture>("purchase-renewal-letsencrypt-certificate");
    const issued = await api.orderAndIssue();
    const answer = await api.post<Fixture>(
      `${certificatesPath()}/letsencrypt/${issued.id}/renewals`,
      {},
    );

    expectReplays(answer, fixture, 201);
    const data = answer.body.data;
    expectFieldsLike(data, fixture.data, ["state", "auto_renew"]);
    expect(data.old_certificate_id).toBe(issued.id);
    expect(data.new_certificate_id).not.toBe(issued.id);
    expect((await api.certificate(Number(data.new_certificate_id))).state).toBe("new");
  });

  it("Let's Encrypt: issue a certificate renewal, answering the NEW certificate (202)", async () => {
    const fixture = readFixture<Fixture>("issue-renewal-letsencrypt-certificate");
    const issued = await api.orderAndIssue();
    const renewal = await api.post<DataAnswer<{ id: number; new_certificate_id: number }>>(
      `${certificatesPath()}/letsencrypt/${issued.id}/renewals`,
      {},
    );
    const { id: renewalId, new_certificate_id: newId } = renewal.body.data;
    const answer = await api.post<Fixture>(
      `${certificatesPath()}/letsencrypt/${issued.id}/renewals/${renewalId}/issue`,
    );

    expectReplays(answer, fixture, 202);
    const data = answer.body.data;
    expectFieldsLike(data, fixture.data, [
      ...DETERMINED_CERTIFICATE_FIELDS,
      "csr",
      "expires_at",
      "expires_on",
    ]);
    expect(data).toMatchObject({ id: newId, common_name: issued.common_name });
  });
});

describe("whoami", () => {
  it("answers the token's account and no user", async () => {
    const answer =
      await api.get<DataAnswer<{ user: null; account: Record<string, unknown> }>>("/v2/whoami");

    expect(answer.status).toBe(200);
    expectSameShape(answer.body, {
      data: {
        user: null,
        account: { id: 1, email: "", plan_identifier: "", created_at: "", updated_at: "" },
      },
    });
    expect(answer.body.data.account).toMatchObject({
      id: simulator.accountId,
      plan_identifier: "dnsimple-professional",
    });
    expect(answer.body.data.account.created_at).toMatch(API_TIMESTAMP);
  });
});
