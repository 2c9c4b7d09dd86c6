// Shared by the DNSimple client tests: an in-process simulator with short delays, clients
// with fast retries, catching a rejection, waiting for a condition, and a tiny scripted
// HTTP server for answers the simulator cannot give (a near rate-limit reset, garbage).
import { once } from "node:events";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "vitest";
import { DnsimpleClient, type DnsimpleClientOptions } from "../../../src/dnsimple/client.ts";
import { RateLimitBudget } from "../../../src/dnsimple/rate-limit.ts";
import {
  type Simulator,
  type SimulatorOptions,
  startSimulator,
} from "../../../src/simulator/simulator.ts";

// Distinctive, so a leak is found by a plain substring search.
export const TOKEN = "tkn-Secr3t-5f0c9a1e7b2d4c6e8a0b";
export const ACCOUNT_ID = 1010;
export const DOMAIN = "example.com";
export const OTHER_DOMAIN = "bingo.pizza";

export function startTestSimulator(overrides: Partial<SimulatorOptions> = {}): Promise<Simulator> {
  return startSimulator({
    token: TOKEN,
    accountId: ACCOUNT_ID,
    domains: [DOMAIN, OTHER_DOMAIN],
    issueDelayMs: 30,
    ...overrides,
  });
}

// A client with its own budget (no reserve) and retries fast enough for tests.
export function testClient(
  baseUrl: string,
  overrides: Partial<DnsimpleClientOptions> = {},
): DnsimpleClient {
  return new DnsimpleClient({
    baseUrl,
    token: TOKEN,
    budget: new RateLimitBudget({ reserve: 0 }),
    timeoutMs: 5_000,
    retry: { retries: 2, minTimeoutMs: 5, maxTimeoutMs: 20 },
    ...overrides,
  });
}

// The rejection of a promise that must reject.
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  expect.fail("expected the call to fail, but it succeeded");
}

/** Polls every 20 ms for up to 5 s; a throw from the probe fails at once. */
export { waitInProcess as waitFor } from "../../support/wait-for.ts";

// The simulator's log of calls to one path (without the query).
export function callsTo(simulator: Simulator, method: string, path: string) {
  return simulator.calls().filter((call) => call.method === method && call.path === path);
}

export function certificatesPath(domain = DOMAIN): string {
  return `/v2/${ACCOUNT_ID}/domains/${domain}/certificates`;
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  receivedAtMs: number;
}

// `body` is sent as JSON unless it is a string (sent as is).
export type ScriptedAnswer =
  | { status: number; body?: unknown; headers?: Record<string, string> }
  | { drop: true };

// A local HTTP server answering each request as the script says (by request number).
export class ScriptedServer {
  readonly requests: RecordedRequest[] = [];
  readonly #server: Server;

  private constructor(script: (index: number, request: RecordedRequest) => ScriptedAnswer) {
    this.#server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const recorded = {
          method: request.method ?? "",
          url: request.url ?? "",
          headers: request.headers,
          body: Buffer.concat(chunks).toString("utf8"),
          receivedAtMs: Date.now(),
        };
        this.requests.push(recorded);
        const answer = script(this.requests.length - 1, recorded);
        if ("drop" in answer) {
          request.socket.destroy();
          return;
        }
        const text =
          typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body ?? {});
        response.writeHead(answer.status, {
          "content-type": "application/json",
          ...answer.headers,
        });
        response.end(text);
      });
    });
  }

  static async start(
    script: (index: number, request: RecordedRequest) => ScriptedAnswer,
  ): Promise<ScriptedServer> {
    const server = new ScriptedServer(script);
    server.#server.listen(0, "127.0.0.1");
    await once(server.#server, "listening");
    return server;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

// Rate-limit headers as DNSimple sends them.
export function rateLimitHeaders(
  limit: number,
  remaining: number,
  resetAtMs: number,
): Record<string, string> {
  return {
    "x-ratelimit-limit": String(limit),
    "x-ratelimit-remaining": String(remaining),
    "x-ratelimit-reset": String(Math.ceil(resetAtMs / 1000)),
  };
}
