// What goes over the wire and to the metrics hook: headers (User-Agent with the
// operator's version, the Bearer token), JSON bodies, encoded paths, base URL forms, and
// one hook call per attempt with the endpoint's template.
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { DnsimpleClient } from "../../../src/dnsimple/client.ts";
import { RateLimitBudget } from "../../../src/dnsimple/rate-limit.ts";
import type { ResponseInfo } from "../../../src/dnsimple/transport.ts";
import { DEFAULT_USER_AGENT } from "../../../src/dnsimple/user-agent.ts";
import {
  ACCOUNT_ID,
  rejectionOf,
  type ScriptedAnswer,
  ScriptedServer,
  startTestSimulator,
  TOKEN,
  testClient,
} from "./helpers.ts";

const whoamiAnswer: ScriptedAnswer = {
  status: 200,
  body: { data: { user: null, account: null } },
};
const purchaseAnswer: ScriptedAnswer = {
  status: 201,
  body: {
    data: {
      id: 7,
      certificate_id: 7,
      state: "new",
      auto_renew: true,
      created_at: "2020-06-18T18:54:17Z",
      updated_at: "2020-06-18T18:54:17Z",
    },
  },
};

let server: ScriptedServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("headers and bodies", () => {
  it("names the operator and its version in the User-Agent, and sends the token as Bearer", async () => {
    server = await ScriptedServer.start(() => whoamiAnswer);
    const { version } = JSON.parse(
      readFileSync(new URL("../../../package.json", import.meta.url), "utf8"),
    ) as { version: string };
    expect(DEFAULT_USER_AGENT).toBe(`dnsimple-cert-operator/${version}`);

    await testClient(server.url).whoami();

    const [request] = server.requests;
    expect(request?.headers["user-agent"]).toBe(`dnsimple-cert-operator/${version}`);
    expect(request?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(request?.headers.accept).toContain("application/json");
    expect(request?.url).toBe("/v2/whoami");
  });

  it("takes another User-Agent when given one", async () => {
    server = await ScriptedServer.start(() => whoamiAnswer);
    await testClient(server.url, { userAgent: "custom/1.2" }).whoami();
    expect(server.requests[0]?.headers["user-agent"]).toBe("custom/1.2");
  });

  it("sends orders as JSON, issues without a body, and encodes the domain", async () => {
    server = await ScriptedServer.start((index) =>
      index === 0 ? purchaseAnswer : { status: 202, body: {} },
    );
    const client = testClient(server.url);
    const purchase = await client.orderLetsencrypt(ACCOUNT_ID, "exämple.com", {
      name: "*",
      auto_renew: true,
      signature_algorithm: "RSA",
    });
    expect(purchase).toMatchObject({ id: 7, auto_renew: true });
    await rejectionOf(client.issueLetsencrypt(ACCOUNT_ID, "exämple.com", 7));

    const [order, issue] = server.requests;
    expect(order).toMatchObject({
      method: "POST",
      url: "/v2/1010/domains/ex%C3%A4mple.com/certificates/letsencrypt",
    });
    expect(order?.headers["content-type"]).toContain("application/json");
    expect(JSON.parse(order?.body ?? "")).toEqual({
      name: "*",
      auto_renew: true,
      signature_algorithm: "RSA",
    });
    expect(issue).toMatchObject({
      method: "POST",
      url: "/v2/1010/domains/ex%C3%A4mple.com/certificates/letsencrypt/7/issue",
      body: "",
    });
  });

  it("accepts the base URL with a trailing slash or /v2", async () => {
    server = await ScriptedServer.start(() => whoamiAnswer);
    await testClient(`${server.url}/`).whoami();
    await testClient(`${server.url}/v2`).whoami();
    expect(server.requests.map((request) => request.url)).toEqual(["/v2/whoami", "/v2/whoami"]);
  });

  it("refuses what cannot be a request: a bad base URL, an empty token, bad ids", () => {
    const budget = new RateLimitBudget();
    expect(() => new DnsimpleClient({ baseUrl: "ftp://x", token: TOKEN, budget })).toThrow(
      RangeError,
    );
    expect(() => new DnsimpleClient({ baseUrl: "https://a.b", token: " ", budget })).toThrow(
      RangeError,
    );
    const client = new DnsimpleClient({ baseUrl: "https://a.invalid", token: TOKEN, budget });
    expect(() => client.getCertificate(ACCOUNT_ID, "example.com", 0)).toThrow(RangeError);
    expect(() => client.listCertificates(Number.NaN, "example.com")).toThrow(RangeError);
    expect(() => client.listCertificates(ACCOUNT_ID, "example.com", { perPage: 101 })).toThrow(
      /at most 100/,
    );
    expect(() => client.listCertificates(ACCOUNT_ID, "")).toThrow(/domain/);
  });
});

describe("the metrics hook", () => {
  it("hears every attempt with the endpoint's template, status and duration", async () => {
    const simulator = await startTestSimulator();
    try {
      const heard: ResponseInfo[] = [];
      const client = testClient(simulator.url, { onResponse: (info) => heard.push(info) });
      const { id } = await client.orderLetsencrypt(ACCOUNT_ID, "example.com");
      simulator.addOneShotFault({ path: "/v2/*/domains/*/certificates/*", action: "drop" });
      await client.getCertificate(ACCOUNT_ID, "example.com", id);
      await rejectionOf(client.downloadCertificate(ACCOUNT_ID, "example.com", id));

      expect(heard.map(({ method, endpoint, status }) => [method, endpoint, status])).toEqual([
        ["POST", "POST /v2/:account/domains/:domain/certificates/letsencrypt", 201],
        ["GET", "GET /v2/:account/domains/:domain/certificates/:certificate", "error"],
        ["GET", "GET /v2/:account/domains/:domain/certificates/:certificate", 200],
        ["GET", "GET /v2/:account/domains/:domain/certificates/:certificate/download", 428],
      ]);
      for (const info of heard) expect(info.durationMs).toBeGreaterThanOrEqual(0);
    } finally {
      await simulator.close();
    }
  });

  it("a hook that throws does not turn a purchase into a failure", async () => {
    server = await ScriptedServer.start(() => purchaseAnswer);
    const client = testClient(server.url, {
      onResponse: () => {
        throw new Error("metrics are broken");
      },
    });
    expect((await client.orderLetsencrypt(ACCOUNT_ID, "example.com")).id).toBe(7);
  });
});
