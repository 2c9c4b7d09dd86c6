// Shared by the simulator tests: an in-process simulator with short delays, a small API
// client, waiting for a condition with a deadline, JSON shape comparison, and a local
// webhook receiver.
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "vitest";
import type { CertificateJson } from "../../src/simulator/representations.ts";
import {
  type Simulator,
  type SimulatorOptions,
  startSimulator,
} from "../../src/simulator/simulator.ts";
import { waitInProcess as waitFor } from "../support/wait-for.ts";

export const TOKEN = "test-token-0123456789";
export const ACCOUNT_ID = 1010;
export const DOMAIN = "example.com";
export const OTHER_DOMAIN = "bingo.pizza";

export function startTestSimulator(overrides: Partial<SimulatorOptions> = {}): Promise<Simulator> {
  return startSimulator({
    token: TOKEN,
    accountId: ACCOUNT_ID,
    domains: [DOMAIN, OTHER_DOMAIN],
    issueDelayMs: 50,
    ...overrides,
  });
}

export interface Answer<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

export interface DataAnswer<T> {
  data: T;
}

export interface ListAnswer<T = CertificateJson> {
  data: T[];
  pagination: {
    current_page: number;
    per_page: number;
    total_entries: number;
    total_pages: number;
  };
}

export interface ErrorAnswer {
  message: string;
  errors?: Record<string, string[]>;
}

export class ApiClient {
  readonly #baseUrl: string;
  readonly #token: string | null;

  // token null sends no Authorization header.
  constructor(simulator: Simulator, token: string | null = TOKEN) {
    this.#baseUrl = simulator.url;
    this.#token = token;
  }

  async request<T = unknown>(method: string, path: string, body?: unknown): Promise<Answer<T>> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (this.#token !== null) headers.authorization = `Bearer ${this.#token}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    const response = await fetch(`${this.#baseUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: (text === "" ? undefined : JSON.parse(text)) as T,
    };
  }

  get<T = unknown>(path: string): Promise<Answer<T>> {
    return this.request<T>("GET", path);
  }

  post<T = unknown>(path: string, body?: unknown): Promise<Answer<T>> {
    return this.request<T>("POST", path, body);
  }

  // Orders a certificate, answering its id (the order must succeed).
  async order(body: unknown = {}, domain: string = DOMAIN): Promise<number> {
    const answer = await this.post<DataAnswer<{ id: number }>>(
      `${certificatesPath(domain)}/letsencrypt`,
      body,
    );
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    return answer.body.data.id;
  }

  async issue(id: number, domain: string = DOMAIN): Promise<CertificateJson> {
    const answer = await this.post<DataAnswer<CertificateJson>>(
      `${certificatesPath(domain)}/letsencrypt/${id}/issue`,
    );
    expect(answer.status, JSON.stringify(answer.body)).toBe(202);
    return answer.body.data;
  }

  async certificate(id: number, domain: string = DOMAIN): Promise<CertificateJson> {
    const answer = await this.get<DataAnswer<CertificateJson>>(`${certificatesPath(domain)}/${id}`);
    expect(answer.status).toBe(200);
    return answer.body.data;
  }

  // Waits until the certificate has left `requesting`, answering its record.
  waitUntilSettled(id: number, domain: string = DOMAIN): Promise<CertificateJson> {
    return waitFor(`certificate ${id} to leave requesting`, async () => {
      const certificate = await this.certificate(id, domain);
      return certificate.state === "requesting" ? undefined : certificate;
    });
  }

  // Order, issue, and wait for the outcome.
  async orderAndIssue(body: unknown = {}, domain: string = DOMAIN): Promise<CertificateJson> {
    const id = await this.order(body, domain);
    await this.issue(id, domain);
    return this.waitUntilSettled(id, domain);
  }
}

export function certificatesPath(domain: string = DOMAIN, account: number = ACCOUNT_ID): string {
  return `/v2/${account}/domains/${domain}/certificates`;
}

export function domainsPath(account: number = ACCOUNT_ID): string {
  return `/v2/${account}/domains`;
}

/** Polls every 20 ms for up to 5 s; a throw from the probe fails at once. */
export { waitFor };

export function readFixture<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), "utf8")) as T;
}

function jsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

// The same key sets, recursively, and the same JSON types (null where expected has null).
export function expectSameShape(actual: unknown, expected: unknown, path = "$"): void {
  expect(jsonType(actual), `JSON type at ${path}`).toBe(jsonType(expected));
  if (Array.isArray(expected) && Array.isArray(actual)) {
    expect(actual.length, `length at ${path}`).toBe(expected.length);
    expected.forEach((item, index) => {
      expectSameShape(actual[index], item, `${path}[${index}]`);
    });
  } else if (jsonType(expected) === "object") {
    const actualObject = actual as Record<string, unknown>;
    const expectedObject = expected as Record<string, unknown>;
    expect(Object.keys(actualObject).sort(), `keys at ${path}`).toEqual(
      Object.keys(expectedObject).sort(),
    );
    for (const key of Object.keys(expectedObject)) {
      expectSameShape(actualObject[key], expectedObject[key], `${path}.${key}`);
    }
  }
}

export const API_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

// A local HTTP server that records the JSON bodies POSTed to it.
export class WebhookReceiver {
  readonly events: unknown[] = [];
  readonly contentTypes: (string | undefined)[] = [];
  status = 200;
  readonly #server: Server;

  private constructor() {
    this.#server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        this.contentTypes.push(request.headers["content-type"]);
        this.events.push(JSON.parse(Buffer.concat(chunks).toString("utf8")));
        response.writeHead(this.status).end();
      });
    });
  }

  static async start(): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver();
    receiver.#server.listen(0, "127.0.0.1");
    await once(receiver.#server, "listening");
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/webhooks`;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
