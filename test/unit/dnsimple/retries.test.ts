// What the client tries again and what it never does: GETs are retried after 5xx, dropped
// connections and timeouts; POSTs never are (a retried order is a second purchase); 4xx
// answers go straight to the caller.
import { createServer as createHttpServer } from "node:http";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { DnsimpleClient } from "../../../src/dnsimple/client.ts";
import { DnsimpleUnavailableError } from "../../../src/dnsimple/errors.ts";
import { freePort } from "../../../src/localcluster/processes.ts";
import type { Simulator } from "../../../src/simulator/simulator.ts";
import {
  ACCOUNT_ID,
  callsTo,
  certificatesPath,
  DOMAIN,
  rejectionOf,
  startTestSimulator,
  testClient,
  waitFor,
} from "./helpers.ts";

const ORDER_PATH = `${certificatesPath()}/letsencrypt`;

let simulator: Simulator;
let client: DnsimpleClient;

beforeAll(async () => {
  simulator = await startTestSimulator();
  client = testClient(simulator.url);
});

afterAll(async () => {
  await simulator.close();
});

afterEach(() => {
  simulator.clearFaults();
  simulator.resetCalls();
});

describe("GETs", () => {
  it("a one-shot 500 is retried and succeeds; the call log shows both attempts", async () => {
    simulator.addOneShotFault({ method: "GET", path: "/v2/whoami", action: "status", status: 500 });
    const whoami = await client.whoami();
    expect(whoami.account?.id).toBe(ACCOUNT_ID);
    expect(
      callsTo(simulator, "GET", "/v2/whoami").map((call) => [call.status, call.fault]),
    ).toEqual([
      [500, "one-shot"],
      [200, null],
    ]);
  });

  it("a dropped connection is retried and succeeds", async () => {
    simulator.addOneShotFault({ method: "GET", path: certificatesPath(), action: "drop" });
    const page = await client.listCertificates(ACCOUNT_ID, DOMAIN);
    expect(page.pagination.current_page).toBe(1);
    expect(callsTo(simulator, "GET", certificatesPath()).map((call) => call.status)).toEqual([
      null,
      200,
    ]);
  });

  it("gives up after the configured retries with ApiUnavailable", async () => {
    simulator.addOneShotFault({ path: "/v2/whoami", action: "drop", times: 5 });
    const error = await rejectionOf(client.whoami());
    expect(error).toBeInstanceOf(DnsimpleUnavailableError);
    expect(error).toMatchObject({ failure: "network", status: undefined, outcomeUnknown: false });
    // The first attempt and two retries.
    expect(callsTo(simulator, "GET", "/v2/whoami")).toHaveLength(3);
  });

  it("404 and 428 are not retried", async () => {
    await rejectionOf(client.getCertificate(ACCOUNT_ID, DOMAIN, 424242));
    const { id } = await client.orderLetsencrypt(ACCOUNT_ID, DOMAIN);
    await rejectionOf(client.downloadCertificate(ACCOUNT_ID, DOMAIN, id));
    expect(simulator.calls().map((call) => call.status)).toEqual([404, 201, 428]);
  });

  it("a timeout (latency above the client's timeout) is retried, then ApiUnavailable", async () => {
    simulator.setFaults({ latencyMs: 300 });
    const impatient = testClient(simulator.url, {
      timeoutMs: 80,
      retry: { retries: 1, minTimeoutMs: 5, maxTimeoutMs: 5 },
    });
    const error = await rejectionOf(impatient.whoami());
    expect(error).toBeInstanceOf(DnsimpleUnavailableError);
    expect(error).toMatchObject({ failure: "timeout", retryable: true, outcomeUnknown: false });
    expect((error as Error).message).toBe("DNSimple did not answer GET /v2/whoami within 80 ms");
    // The simulator logs a call once its latency has passed.
    await waitFor("both attempts to reach the simulator", async () =>
      callsTo(simulator, "GET", "/v2/whoami").length === 2 ? true : undefined,
    );
  });
});

describe("timeouts", () => {
  it("bound the whole answer, not only the silence between its parts", async () => {
    // Headers at once, then a byte every 20 ms: never idle for long, never done.
    const trickle = createHttpServer((_request, response) => {
      response.writeHead(200, { "content-type": "application/json" });
      const timer = setInterval(() => response.write(" "), 20);
      response.on("close", () => clearInterval(timer));
    });
    await new Promise<void>((resolve) => trickle.listen(0, "127.0.0.1", resolve));
    try {
      const address = trickle.address();
      if (address === null || typeof address === "string") throw new Error("no address");
      const impatient = testClient(`http://127.0.0.1:${address.port}`, {
        timeoutMs: 150,
        retry: { retries: 0 },
      });
      const error = await rejectionOf(impatient.whoami());
      expect(error).toBeInstanceOf(DnsimpleUnavailableError);
      expect(error).toMatchObject({ failure: "timeout" });
    } finally {
      trickle.closeAllConnections();
      await new Promise<void>((resolve) => trickle.close(() => resolve()));
    }
  });
});

describe("POSTs", () => {
  it("process-then-drop on the order: not retried, exactly one purchase, outcome unknown", async () => {
    simulator.addOneShotFault({ method: "POST", path: ORDER_PATH, action: "process-then-drop" });
    const purchasesBefore = simulator.purchases().length;

    const error = await rejectionOf(client.orderLetsencrypt(ACCOUNT_ID, DOMAIN, { name: "shop" }));

    expect(error).toBeInstanceOf(DnsimpleUnavailableError);
    expect(error).toMatchObject({
      reason: "ApiUnavailable",
      failure: "network",
      outcomeUnknown: true,
      retryable: true,
      method: "POST",
      path: ORDER_PATH,
    });
    expect((error as Error).message).toMatch(
      /^Could not reach DNSimple for POST \/v2\/1010\/domains\/example.com\/certificates\/letsencrypt: .*; DNSimple may have processed the request: look before sending it again$/,
    );
    expect(callsTo(simulator, "POST", ORDER_PATH)).toHaveLength(1);
    const purchases = simulator.purchases().slice(purchasesBefore);
    expect(purchases.map((purchase) => purchase.name)).toEqual(["shop"]);
    // What the caller does next: look, and find the order.
    const found = await client.allCertificates(ACCOUNT_ID, DOMAIN);
    expect(found.filter((certificate) => certificate.name === "shop")).toHaveLength(1);
  });

  it("a one-shot 500 on issue is not retried, and its outcome is unknown", async () => {
    const { id } = await client.orderLetsencrypt(ACCOUNT_ID, DOMAIN);
    const issuePath = `${ORDER_PATH}/${id}/issue`;
    simulator.addOneShotFault({ method: "POST", path: issuePath, action: "status", status: 500 });

    const error = await rejectionOf(client.issueLetsencrypt(ACCOUNT_ID, DOMAIN, id));

    expect(error).toBeInstanceOf(DnsimpleUnavailableError);
    expect(error).toMatchObject({ failure: "server-error", status: 500, outcomeUnknown: true });
    expect(callsTo(simulator, "POST", issuePath)).toHaveLength(1);
    expect((await client.getCertificate(ACCOUNT_ID, DOMAIN, id)).state).toBe("new");
  });

  it("a dropped renewal order is not retried", async () => {
    const { id } = await client.orderLetsencrypt(ACCOUNT_ID, DOMAIN);
    const renewalsPath = `${ORDER_PATH}/${id}/renewals`;
    simulator.addOneShotFault({ method: "POST", path: renewalsPath, action: "drop" });
    const error = await rejectionOf(client.orderRenewal(ACCOUNT_ID, DOMAIN, id));
    expect(error).toMatchObject({ reason: "ApiUnavailable", outcomeUnknown: true });
    expect(callsTo(simulator, "POST", renewalsPath)).toHaveLength(1);
  });

  it("a timed-out order is not retried and its outcome is unknown", async () => {
    simulator.setFaults({ latencyMs: 300 });
    const purchasesBefore = simulator.purchases().length;
    const impatient = testClient(simulator.url, { timeoutMs: 80 });
    const error = await rejectionOf(impatient.orderLetsencrypt(ACCOUNT_ID, DOMAIN));
    expect(error).toMatchObject({ failure: "timeout", outcomeUnknown: true });
    // The simulator processes requests after the same latency, in the order they came: once
    // a request sent after the error is answered, every attempt at the order has been seen.
    await client.whoami();
    expect(simulator.purchases().length).toBe(purchasesBefore + 1);
    expect(callsTo(simulator, "POST", ORDER_PATH)).toHaveLength(1);
  });

  it("a POST that never reached DNSimple (connection refused) has a known outcome", async () => {
    const closedPort = await freePort(); // bound, then released: nothing listens on it
    const unreachable = testClient(`http://127.0.0.1:${closedPort}`);
    const error = await rejectionOf(unreachable.orderLetsencrypt(ACCOUNT_ID, DOMAIN));
    expect(error).toBeInstanceOf(DnsimpleUnavailableError);
    expect(error).toMatchObject({ failure: "network", outcomeUnknown: false });
    expect((error as Error).message).toContain("ECONNREFUSED");
  });
});
