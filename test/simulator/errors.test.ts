// Errors as DNSimple gives them: status code and `{"message", "errors"?}` body.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Simulator } from "../../src/simulator/simulator.ts";
import {
  ACCOUNT_ID,
  type Answer,
  ApiClient,
  certificatesPath,
  type DataAnswer,
  DOMAIN,
  type ErrorAnswer,
  OTHER_DOMAIN,
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

function expectError(answer: Answer, status: number, message?: RegExp): ErrorAnswer {
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  const body = answer.body as ErrorAnswer;
  expect(typeof body.message).toBe("string");
  if (message !== undefined) expect(body.message).toMatch(message);
  return body;
}

describe("401: bad or missing token", () => {
  it.each([
    ["no Authorization header", null],
    ["a wrong token", "not-the-token"],
    ["a prefix of the token", TOKEN.slice(0, -1)],
  ])("%s", async (_title, token) => {
    const client = new ApiClient(simulator, token);
    expectError(await client.get(certificatesPath()), 401, /Authentication failed/);
    expectError(await client.get("/v2/whoami"), 401);
  });

  it("a non-Bearer scheme", async () => {
    const response = await fetch(`${simulator.url}/v2/whoami`, {
      headers: { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString("base64")}` },
    });
    expect(response.status).toBe(401);
  });
});

describe("404: unknown account, domain, certificate", () => {
  it("an account that is not the token's", async () => {
    const body = expectError(await api.get(certificatesPath(DOMAIN, 9999)), 404);
    expect(body.message).toBe("Account `9999` not found");
  });

  it("a domain the account does not have", async () => {
    const body = expectError(await api.get(certificatesPath("unknown.org")), 404);
    expect(body.message).toBe("Domain `unknown.org` not found");
    expectError(await api.get(certificatesPath("999")), 404, /Domain/);
  });

  it("a certificate that does not exist, or belongs to another domain", async () => {
    expectError(await api.get(`${certificatesPath()}/424242`), 404, /Certificate `424242`/);
    expectError(await api.get(`${certificatesPath()}/not-a-number/download`), 404);
    const id = await api.order({}, OTHER_DOMAIN);
    expectError(await api.get(`${certificatesPath(DOMAIN)}/${id}`), 404, /Certificate/);
    expect((await api.get(`${certificatesPath(OTHER_DOMAIN)}/${id}`)).status).toBe(200);
  });

  it("a renewal that does not exist or is another certificate's", async () => {
    const first = await api.orderAndIssue();
    const second = await api.orderAndIssue();
    const renewal = await api.post<DataAnswer<{ id: number }>>(
      `${certificatesPath()}/letsencrypt/${first.id}/renewals`,
    );
    expectError(
      await api.post(`${certificatesPath()}/letsencrypt/${first.id}/renewals/1/issue`),
      404,
      /Certificate renewal `1` not found/,
    );
    expectError(
      await api.post(
        `${certificatesPath()}/letsencrypt/${second.id}/renewals/${renewal.body.data.id}/issue`,
      ),
      404,
    );
  });

  it("a path the API does not have; 405 for a known path with the wrong method", async () => {
    expectError(await api.get(`/v2/${ACCOUNT_ID}/domains/${DOMAIN}/zones`), 404);
    expectError(await api.post(`${certificatesPath()}/100001`), 405);
  });
});

describe("400: invalid input", () => {
  const order = (body: unknown) => api.post(`${certificatesPath()}/letsencrypt`, body);

  it.each([
    ["signature_algorithm", { signature_algorithm: "DSA" }],
    ["name", { name: "not a name" }],
    ["alternate_names", { alternate_names: ["bad_name!.example.com"] }],
    ["alternate_names", { alternate_names: ["docs.other.org"] }],
    ["alternate_names", { alternate_names: "docs.example.com" }],
    ["auto_renew", { auto_renew: "yes" }],
  ])("an invalid %s: %j", async (field, body) => {
    const answer = expectError(await order(body), 400, /Validation failed/);
    expect(Object.keys(answer.errors ?? {})).toEqual([field]);
  });

  it("a body that is not JSON", async () => {
    const response = await fetch(`${simulator.url}${certificatesPath()}/letsencrypt`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: "{not json",
    });
    expect(response.status).toBe(400);
  });

  it("nothing is purchased when the order is refused", async () => {
    const before = simulator.purchases().length;
    await order({ signature_algorithm: "DSA" });
    expect(simulator.purchases()).toHaveLength(before);
  });
});

describe("400: wrong state", () => {
  it("issuing twice, and issuing an issued certificate", async () => {
    const id = await api.order();
    await api.issue(id);
    expectError(
      await api.post(`${certificatesPath()}/letsencrypt/${id}/issue`),
      400,
      /state `requesting`/,
    );
    await api.waitUntilSettled(id);
    expectError(await api.post(`${certificatesPath()}/letsencrypt/${id}/issue`), 400, /`issued`/);
  });

  it("renewing a certificate that is not issued", async () => {
    const id = await api.order();
    expectError(await api.post(`${certificatesPath()}/letsencrypt/${id}/renewals`), 400, /`new`/);
  });

  it("renewing a certificate that has auto-renewal on", async () => {
    const certificate = await api.orderAndIssue({ auto_renew: true });
    expectError(
      await api.post(`${certificatesPath()}/letsencrypt/${certificate.id}/renewals`),
      400,
      /auto-renewal/,
    );
  });

  it("issuing a renewal twice", async () => {
    const certificate = await api.orderAndIssue();
    const renewal = await api.post<DataAnswer<{ id: number }>>(
      `${certificatesPath()}/letsencrypt/${certificate.id}/renewals`,
    );
    const issuePath = `${certificatesPath()}/letsencrypt/${certificate.id}/renewals/${renewal.body.data.id}/issue`;
    expect((await api.post(issuePath)).status).toBe(202);
    expectError(await api.post(issuePath), 400);
  });
});

describe("412: features a personal plan does not have", () => {
  let personal: Simulator;
  let client: ApiClient;

  beforeAll(async () => {
    personal = await startTestSimulator({ plan: "personal" });
    client = new ApiClient(personal);
  });

  afterAll(async () => {
    await personal.close();
  });

  it.each([
    ["a custom name", { name: "api" }, /custom name/],
    ["alternate names", { alternate_names: [`docs.${DOMAIN}`] }, /alternate names/],
    ["a wildcard", { name: "*" }, /wildcard/],
  ])("%s", async (_title, body, message) => {
    expectError(await client.post(`${certificatesPath()}/letsencrypt`, body), 412, message);
    expect(personal.purchases()).toHaveLength(0);
  });

  it("the default www certificate is fine", async () => {
    expect((await client.orderAndIssue()).state).toBe("issued");
  });

  it("issuing after a downgrade to personal", async () => {
    const id = await api.order({ name: "api" });
    simulator.updateSettings({ plan: "personal" });
    try {
      expectError(await api.post(`${certificatesPath()}/letsencrypt/${id}/issue`), 412);
    } finally {
      simulator.updateSettings({ plan: "professional" });
    }
  });
});

describe("428: nothing to download", () => {
  it("before issuance, and while requesting", async () => {
    const id = await api.order();
    expectError(await api.get(`${certificatesPath()}/${id}/download`), 428, /not issued yet/);
    expectError(await api.get(`${certificatesPath()}/${id}/private_key`), 428);
    await api.issue(id);
    expectError(await api.get(`${certificatesPath()}/${id}/download`), 428, /requesting/);
    expectError(await api.get(`${certificatesPath()}/${id}/private_key`), 428);
  });

  it("the private key after it was removed; the certificate still downloads", async () => {
    const certificate = await api.orderAndIssue();
    expect((await api.get(`${certificatesPath()}/${certificate.id}/private_key`)).status).toBe(200);
    simulator.removePrivateKey(certificate.id);
    expectError(
      await api.get(`${certificatesPath()}/${certificate.id}/private_key`),
      428,
      /removed/,
    );
    expect((await api.get(`${certificatesPath()}/${certificate.id}/download`)).status).toBe(200);
  });
});
