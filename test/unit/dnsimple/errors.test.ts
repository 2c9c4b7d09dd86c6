// Each error class from a real answer: the simulator's 401, 404, 400, 412, 428 and 429,
// and from a scripted server the answers the client cannot read.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { DnsimpleClient } from "../../../src/dnsimple/client.ts";
import {
  DnsimpleError,
  DnsimpleNotAllowedError,
  DnsimpleNotFoundError,
  DnsimpleNotReadyError,
  DnsimpleProtocolError,
  DnsimpleRateLimitedError,
  DnsimpleRejectedError,
  DnsimpleUnauthorizedError,
  DnsimpleUnavailableError,
} from "../../../src/dnsimple/errors.ts";
import type { Simulator } from "../../../src/simulator/simulator.ts";
import {
  ACCOUNT_ID,
  callsTo,
  certificatesPath,
  DOMAIN,
  rejectionOf,
  type ScriptedAnswer,
  ScriptedServer,
  startTestSimulator,
  testClient,
} from "./helpers.ts";

let simulator: Simulator;
let client: DnsimpleClient;

beforeAll(async () => {
  simulator = await startTestSimulator();
  client = testClient(simulator.url);
});

afterAll(async () => {
  await simulator.close();
});

describe("answers from the simulator", () => {
  it("401: a bad token is Unauthorized, not retried", async () => {
    const stranger = testClient(simulator.url, { token: "not-the-token" });
    simulator.resetCalls();
    const error = await rejectionOf(stranger.getCertificate(ACCOUNT_ID, DOMAIN, 100001));
    expect(error).toBeInstanceOf(DnsimpleUnauthorizedError);
    expect(error).toMatchObject({
      reason: "Unauthorized",
      status: 401,
      retryable: false,
      outcomeUnknown: false,
      method: "GET",
      path: `${certificatesPath()}/100001`,
      endpoint: "GET /v2/:account/domains/:domain/certificates/:certificate",
      apiMessage: "Authentication failed",
      message: `DNSimple answered 401 Unauthorized for GET ${certificatesPath()}/100001: Authentication failed`,
    });
    expect(simulator.calls()).toHaveLength(1);
  });

  it("404: says which resource is missing", async () => {
    const domain = await rejectionOf(client.listCertificates(ACCOUNT_ID, "unknown.org"));
    expect(domain).toBeInstanceOf(DnsimpleNotFoundError);
    expect(domain).toMatchObject({
      reason: "NotFound",
      status: 404,
      resource: "domain",
      retryable: false,
      path: "/v2/1010/domains/unknown.org/certificates",
    });
    expect((domain as Error).message).toBe(
      "DNSimple answered 404 Not Found for GET /v2/1010/domains/unknown.org/certificates: Domain `unknown.org` not found",
    );

    const account = await rejectionOf(client.listCertificates(9999, DOMAIN));
    expect(account).toMatchObject({ reason: "NotFound", resource: "account" });

    const certificate = await rejectionOf(client.getCertificate(ACCOUNT_ID, DOMAIN, 424242));
    expect(certificate).toMatchObject({ reason: "NotFound", resource: "certificate" });

    const { id } = await client.orderLetsencrypt(ACCOUNT_ID, DOMAIN);
    const renewal = await rejectionOf(client.issueRenewal(ACCOUNT_ID, DOMAIN, id, 424242));
    expect(renewal).toMatchObject({ reason: "NotFound", resource: "renewal", method: "POST" });
    // A 404 to a POST is an answer: the outcome is known (nothing was done).
    expect(renewal).toMatchObject({ outcomeUnknown: false });
  });

  it("400: Rejected, with DNSimple's errors by field", async () => {
    const error = await rejectionOf(
      client.orderLetsencrypt(ACCOUNT_ID, DOMAIN, {
        name: "not a name!",
        alternate_names: ["docs.other.org"],
      }),
    );
    expect(error).toBeInstanceOf(DnsimpleRejectedError);
    const rejected = error as DnsimpleRejectedError;
    expect(rejected).toMatchObject({ reason: "Rejected", status: 400, retryable: false });
    expect(rejected.apiMessage).toBe("Validation failed");
    expect(Object.keys(rejected.errors).sort()).toEqual(["alternate_names", "name"]);
    expect(rejected.errors.alternate_names?.[0]).toContain("does not belong to the domain");
    expect(rejected.message).toMatch(
      /^DNSimple answered 400 Bad Request for POST \/v2\/1010\/domains\/example.com\/certificates\/letsencrypt: Validation failed \(.*name: .*not a valid certificate name/,
    );
    expect(simulator.purchases().filter((purchase) => purchase.name === "not a name!")).toEqual([]);
  });

  it("400 for a request in the wrong state (issuing twice) is Rejected without errors", async () => {
    const { id } = await client.orderLetsencrypt(ACCOUNT_ID, DOMAIN);
    await client.issueLetsencrypt(ACCOUNT_ID, DOMAIN, id);
    const error = await rejectionOf(client.issueLetsencrypt(ACCOUNT_ID, DOMAIN, id));
    expect(error).toBeInstanceOf(DnsimpleRejectedError);
    expect(error).toMatchObject({ status: 400, errors: {}, outcomeUnknown: false });
  });

  it("412: a wildcard on a personal plan is NotAllowed", async () => {
    simulator.updateSettings({ plan: "personal" });
    try {
      const error = await rejectionOf(client.orderLetsencrypt(ACCOUNT_ID, DOMAIN, { name: "*" }));
      expect(error).toBeInstanceOf(DnsimpleNotAllowedError);
      expect(error).toMatchObject({ reason: "NotAllowed", status: 412, retryable: false });
      expect((error as Error).message).toContain("require a Professional or Enterprise plan");
    } finally {
      simulator.updateSettings({ plan: "professional" });
    }
  });

  it("428: download and private key before issuance are NotReady, not retried", async () => {
    const { id } = await client.orderLetsencrypt(ACCOUNT_ID, DOMAIN);
    simulator.resetCalls();
    const download = await rejectionOf(client.downloadCertificate(ACCOUNT_ID, DOMAIN, id));
    expect(download).toBeInstanceOf(DnsimpleNotReadyError);
    expect(download).toMatchObject({ reason: "NotReady", status: 428, retryable: true });
    const privateKey = await rejectionOf(client.getPrivateKey(ACCOUNT_ID, DOMAIN, id));
    expect(privateKey).toBeInstanceOf(DnsimpleNotReadyError);
    expect(simulator.calls().map((call) => call.status)).toEqual([428, 428]);
  });

  it("429: an exhausted budget is RateLimited with the reset as retryAt, not waited for", async () => {
    const limited = await startTestSimulator({ rateLimit: 1 });
    try {
      await testClient(limited.url).whoami();
      // A fresh budget knows nothing yet, so the request goes out and meets the 429.
      const error = await rejectionOf(testClient(limited.url).whoami());
      expect(error).toBeInstanceOf(DnsimpleRateLimitedError);
      const rateLimited = error as DnsimpleRateLimitedError;
      expect(rateLimited).toMatchObject({
        reason: "RateLimited",
        status: 429,
        retryable: true,
        refusedLocally: false,
        limit: 1,
        remaining: 0,
      });
      // The simulator's window is an hour: far beyond the wait the client does in place.
      expect(rateLimited.retryAt.getTime()).toBeGreaterThan(Date.now() + 3_500_000);
      expect(rateLimited.message).toContain(
        `; the rate limit resets at ${rateLimited.retryAt.toISOString()}`,
      );
      expect(callsTo(limited, "GET", "/v2/whoami").map((call) => call.status)).toEqual([200, 429]);
    } finally {
      await limited.close();
    }
  });

  it("5xx: ApiUnavailable after the GET retries are spent", async () => {
    simulator.addOneShotFault({
      method: "GET",
      path: "/v2/whoami",
      action: "status",
      status: 503,
      times: 3,
    });
    simulator.resetCalls();
    const error = await rejectionOf(client.whoami());
    expect(error).toBeInstanceOf(DnsimpleUnavailableError);
    expect(error).toMatchObject({
      reason: "ApiUnavailable",
      failure: "server-error",
      status: 503,
      retryable: true,
      outcomeUnknown: false,
    });
    expect(simulator.calls()).toHaveLength(3);
  });
});

describe("answers the client cannot read", () => {
  let server: ScriptedServer | undefined;

  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function failureFor(
    answer: ScriptedAnswer,
    call: (client: DnsimpleClient) => Promise<unknown>,
  ) {
    server = await ScriptedServer.start(() => answer);
    return rejectionOf(call(testClient(server.url)));
  }

  const certificate = {
    id: 1,
    domain_id: 1,
    contact_id: 1,
    name: "www",
    common_name: "www.example.com",
    years: 1,
    csr: null,
    state: "issued",
    auto_renew: false,
    alternate_names: [],
    authority_identifier: "letsencrypt",
    created_at: "2020-06-18T18:54:17Z",
    updated_at: "2020-06-18T18:54:17Z",
    expires_at: null,
    expires_on: null,
  };

  it("a field of the wrong type is a ProtocolError naming the field", async () => {
    const error = await failureFor(
      { status: 200, body: { data: { ...certificate, alternate_names: "docs.example.com" } } },
      (client) => client.getCertificate(ACCOUNT_ID, DOMAIN, 1),
    );
    expect(error).toBeInstanceOf(DnsimpleProtocolError);
    expect(error).toMatchObject({ reason: "ProtocolError", status: 200, outcomeUnknown: false });
    expect((error as Error).message).toContain(
      "data.alternate_names: expected an array, got a string",
    );
  });

  it("an unknown certificate state is a ProtocolError", async () => {
    const error = await failureFor(
      { status: 200, body: { data: [{ ...certificate, state: "exploded" }], pagination: {} } },
      (client) => client.listCertificates(ACCOUNT_ID, DOMAIN),
    );
    expect((error as Error).message).toContain("data[0].state: expected one of new, purchased");
  });

  it("a private key of the wrong type is named, never shown", async () => {
    const error = await failureFor({ status: 200, body: { data: { private_key: 42 } } }, (client) =>
      client.getPrivateKey(ACCOUNT_ID, DOMAIN, 1),
    );
    expect((error as Error).message).toContain("data.private_key: expected a string, got a number");
    expect((error as Error).message).not.toContain("42");
  });

  it("an order answered with something unreadable leaves the outcome unknown", async () => {
    const error = await failureFor({ status: 201, body: "<html>Created</html>" }, (client) =>
      client.orderLetsencrypt(ACCOUNT_ID, DOMAIN),
    );
    expect(error).toBeInstanceOf(DnsimpleProtocolError);
    expect(error).toMatchObject({ status: 201, outcomeUnknown: true });
    expect((error as Error).message).toContain("the answer is not JSON");
    expect((error as Error).message).toContain("DNSimple may have processed the request");
  });

  it("a status the API does not use (a redirect) is a ProtocolError, not followed", async () => {
    const error = await failureFor(
      { status: 302, headers: { location: "http://elsewhere.invalid/" } },
      (client) => client.whoami(),
    );
    expect(error).toBeInstanceOf(DnsimpleProtocolError);
    expect(error).toMatchObject({ status: 302 });
    expect(server?.requests).toHaveLength(1);
  });

  it("every error is a DnsimpleError with a reason", async () => {
    const error = await failureFor(
      { status: 403, body: { message: "Permission denied" } },
      (client) => client.whoami(),
    );
    expect(error).toBeInstanceOf(DnsimpleError);
    expect(error).toMatchObject({
      reason: "Unauthorized",
      status: 403,
      name: "DnsimpleUnauthorizedError",
    });
  });
});
