// No error the client throws holds the token (or the request body): not in its message,
// not in any property however deep (cause included), not in JSON.stringify or inspect.
import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DnsimpleError } from "../../../src/dnsimple/errors.ts";
import { RateLimitBudget } from "../../../src/dnsimple/rate-limit.ts";
import type { Simulator } from "../../../src/simulator/simulator.ts";
import {
  ACCOUNT_ID,
  DOMAIN,
  rejectionOf,
  ScriptedServer,
  startTestSimulator,
  TOKEN,
  testClient,
} from "./helpers.ts";

const WRONG_TOKEN = "wrong-Secr3t-token-9d8c7b6a5f4e";
const BODY_MARKER = "bodymarker";

let simulator: Simulator;
let echo: ScriptedServer;

beforeAll(async () => {
  simulator = await startTestSimulator({ rateLimit: 1_000 });
  // A server that repeats the token back in its error message.
  echo = await ScriptedServer.start((_index, request) => {
    const token = (request.headers.authorization ?? "").replace(/^Bearer /, "");
    return { status: 400, body: { message: `refused ${token}`, errors: { token: [token] } } };
  });
});

afterAll(async () => {
  await echo.close();
  await simulator.close();
});

// Every string reachable from the value through own properties (enumerable or not,
// string or symbol keys), with where it was found.
function reachableStrings(value: unknown, where = "error", seen = new Set<object>()): string[][] {
  if (typeof value === "string") return [[where, value]];
  if ((typeof value !== "object" && typeof value !== "function") || value === null) return [];
  if (seen.has(value)) return [];
  seen.add(value);
  const found: string[][] = [];
  for (const key of Reflect.ownKeys(value)) {
    found.push(...reachableStrings(Reflect.get(value, key), `${where}.${String(key)}`, seen));
  }
  return found;
}

async function scenarioErrors(): Promise<Array<[string, unknown]>> {
  const client = testClient(simulator.url);
  const { id } = await client.orderLetsencrypt(ACCOUNT_ID, DOMAIN);
  const scenarios: Array<[string, () => Promise<unknown>]> = [
    ["401", () => testClient(simulator.url, { token: WRONG_TOKEN }).whoami()],
    ["404", () => client.listCertificates(ACCOUNT_ID, "unknown.org")],
    ["400", () => client.orderLetsencrypt(ACCOUNT_ID, DOMAIN, { name: `${BODY_MARKER}!` })],
    ["428", () => client.getPrivateKey(ACCOUNT_ID, DOMAIN, id)],
    [
      "412",
      async () => {
        simulator.updateSettings({ plan: "personal" });
        try {
          return await client.orderLetsencrypt(ACCOUNT_ID, DOMAIN, { name: BODY_MARKER });
        } finally {
          simulator.updateSettings({ plan: "professional" });
        }
      },
    ],
    [
      "500 on an order",
      () => {
        simulator.addOneShotFault({ path: "/v2/**/letsencrypt", action: "status", status: 500 });
        return client.orderLetsencrypt(ACCOUNT_ID, DOMAIN, { name: BODY_MARKER });
      },
    ],
    [
      "process-then-drop on an order",
      () => {
        simulator.addOneShotFault({ path: "/v2/**/letsencrypt", action: "process-then-drop" });
        return client.orderLetsencrypt(ACCOUNT_ID, DOMAIN, { name: BODY_MARKER });
      },
    ],
    [
      "timeout",
      async () => {
        simulator.setFaults({ latencyMs: 200 });
        try {
          return await testClient(simulator.url, { timeoutMs: 50 }).orderLetsencrypt(
            ACCOUNT_ID,
            DOMAIN,
            { name: BODY_MARKER },
          );
        } finally {
          simulator.setFaults({ latencyMs: 0 });
        }
      },
    ],
    ["connection refused", () => testClient("http://127.0.0.1:1").whoami()],
    [
      "local rate-limit refusal",
      async () => {
        const budget = new RateLimitBudget({ reserve: 10_000 });
        const limited = testClient(simulator.url, { budget });
        await limited.whoami();
        return limited.whoami();
      },
    ],
    ["a server repeating the token", () => testClient(echo.url).whoami()],
  ];
  const errors: Array<[string, unknown]> = [];
  for (const [name, run] of scenarios) errors.push([name, await rejectionOf(run())]);
  return errors;
}

describe("errors never carry the token", () => {
  it("in any scenario, however the error is looked at; nor the request body", async () => {
    const errors = await scenarioErrors();
    expect(errors.map(([, error]) => (error as DnsimpleError).reason)).toEqual([
      "Unauthorized",
      "NotFound",
      "Rejected",
      "NotReady",
      "NotAllowed",
      "ApiUnavailable",
      "ApiUnavailable",
      "ApiUnavailable",
      "ApiUnavailable",
      "RateLimited",
      "Rejected",
    ]);
    for (const [name, error] of errors) {
      expect(error, name).toBeInstanceOf(DnsimpleError);
      const views = [
        ...reachableStrings(error).map(([where, text]) => `${where}: ${text}`),
        JSON.stringify(error),
        String(error),
        inspect(error, { showHidden: true, depth: Number.POSITIVE_INFINITY }),
      ];
      for (const view of views) {
        expect(view, name).not.toContain(TOKEN);
        expect(view, name).not.toContain(WRONG_TOKEN);
        expect(view.toLowerCase(), name).not.toContain("bearer");
        // Only DNSimple's own words may name a field it refused (the 400).
        if (name !== "400") expect(view, name).not.toContain(BODY_MARKER);
      }
    }
    // The server that repeated the token is heard, redacted.
    const [, echoed] = errors[errors.length - 1] ?? [];
    expect(echoed).toMatchObject({
      apiMessage: "refused [REDACTED]",
      errors: { token: ["[REDACTED]"] },
    });
  });
});
