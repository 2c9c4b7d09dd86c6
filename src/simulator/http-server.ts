// The simulator's HTTP server. Requests under /_sim/ go to the admin handler (no token,
// no rate limit, no faults, not logged). Everything else is the DNSimple API:
//
//   added latency -> fault decision -> rate limit -> ApiHandler -> answer (or drop)
//
// and is recorded in the call log. Every API answer carries the X-RateLimit-* headers;
// injected answers show the budget without spending it.
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import type { AdminHandler } from "./admin-handler.ts";
import { type ApiHandler, type ApiResponse, bearerToken, type RequestBody } from "./api-handler.ts";
import { matchApiRoute } from "./api-routes.ts";
import { type CallLog, redact } from "./call-log.ts";
import { rateLimited } from "./errors.ts";
import type { FaultCause, FaultInjector } from "./faults.ts";
import type { RateLimiter, RateLimitStatus } from "./rate-limiter.ts";
import { errorJson } from "./representations.ts";

export interface HttpServerDependencies {
  api: ApiHandler;
  admin: AdminHandler;
  faults: FaultInjector;
  rateLimiter: RateLimiter;
  rateLimit: () => number;
  callLog: CallLog;
  /** Scrubbed from the call log should a client put it in a URL. */
  token: string;
  random: () => number;
  log: (line: string) => void;
}

const MAX_BODY_BYTES = 1024 * 1024;
const ADMIN_PREFIX = "/_sim";

export function createHttpServer(dependencies: HttpServerDependencies): Server {
  const { log } = dependencies;
  return createServer((request, response) => {
    handleRequest(dependencies, request, response).catch((error: unknown) => {
      // A simulator bug must not take the simulator down: answer 500 and carry on.
      log(`internal error on ${request.method} ${request.url}: ${String(error)}`);
      if (response.headersSent) response.destroy();
      else sendJson(response, 500, { message: "Internal simulator error" }, {});
    });
  });
}

async function handleRequest(
  dependencies: HttpServerDependencies,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const url = new URL(request.url ?? "/", "http://simulator.invalid");
  const raw = await readBody(request);
  if (raw === "too-large") {
    sendJson(response, 413, { message: "Request body too large" }, {});
    return;
  }
  const body = parseBody(raw);
  if (url.pathname === ADMIN_PREFIX || url.pathname.startsWith(`${ADMIN_PREFIX}/`)) {
    const answer = await dependencies.admin.handle(request.method ?? "GET", url.pathname, body);
    if (answer.body === undefined) response.writeHead(answer.status).end();
    else if (typeof answer.body === "string") sendText(response, answer.status, answer.body);
    else sendJson(response, answer.status, answer.body, {});
    return;
  }
  await handleApiRequest(dependencies, request, response, url, body);
}

async function handleApiRequest(
  dependencies: HttpServerDependencies,
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  body: RequestBody,
): Promise<void> {
  const { faults, rateLimiter, callLog, token, log } = dependencies;
  const startedAt = Date.now();
  const method = request.method ?? "GET";
  const route = matchApiRoute(method, url.pathname);
  const record = (status: number | null, fault: FaultCause | null): void => {
    const call = {
      time: new Date(startedAt).toISOString(),
      method,
      path: redact(url.pathname, token),
      pathWithQuery: redact(`${url.pathname}${url.search}`, token),
      operation: route.kind === "found" ? route.operation : null,
      status,
      fault,
      durationMs: Date.now() - startedAt,
    };
    callLog.record(call);
    const outcome = status === null ? "connection dropped" : String(status);
    log(`${method} ${call.pathWithQuery} -> ${outcome}${fault === null ? "" : ` (${fault})`}`);
  };

  const { latencyMs } = faults.rates();
  if (latencyMs > 0) await sleep(latencyMs);
  const decision = faults.decide(method, url.pathname, dependencies.random);
  if (decision.kind === "drop") {
    record(null, decision.cause);
    request.socket.destroy();
    return;
  }

  const budgetKey = bearerToken(request.headers.authorization) ?? "";
  const limit = dependencies.rateLimit();
  if (decision.kind === "respond") {
    const budget = rateLimiter.peek(budgetKey, limit, Date.now());
    sendJson(response, decision.status, decision.body, rateLimitHeaders(budget));
    record(decision.status, decision.cause);
    return;
  }

  const budget = rateLimiter.consume(budgetKey, limit, Date.now());
  let answer: ApiResponse;
  if (!budget.allowed) {
    answer = { status: 429, body: errorJson(rateLimited()) };
  } else {
    try {
      answer = dependencies.api.handle(route, {
        query: url.searchParams,
        authorization: request.headers.authorization,
        body,
      });
    } catch (error) {
      // A simulator bug: answer like a failing server, keep the call in the log.
      log(`internal error on ${method} ${url.pathname}: ${String(error)}`);
      answer = { status: 500, body: { message: "Internal simulator error" } };
    }
  }

  if (decision.kind === "process-then-drop") {
    record(null, decision.cause);
    request.socket.destroy();
    return;
  }
  sendJson(response, answer.status, answer.body, rateLimitHeaders(budget));
  record(answer.status, null);
}

function rateLimitHeaders(budget: RateLimitStatus): Record<string, string> {
  return {
    "x-ratelimit-limit": String(budget.limit),
    "x-ratelimit-remaining": String(budget.remaining),
    "x-ratelimit-reset": String(budget.resetAtSeconds),
  };
}

function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string>,
): void {
  response.writeHead(status, {
    ...headers,
    "content-type": "application/json; charset=utf-8",
    "x-request-id": randomUUID(),
  });
  response.end(JSON.stringify(body));
}

function sendText(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { "content-type": "text/plain; charset=utf-8" });
  response.end(text);
}

async function readBody(request: IncomingMessage): Promise<Buffer | "too-large"> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) return "too-large";
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

function parseBody(raw: Buffer): RequestBody {
  const text = raw.toString("utf8");
  if (text.trim() === "") return { kind: "none" };
  try {
    return { kind: "json", value: JSON.parse(text) };
  } catch {
    return { kind: "invalid" };
  }
}
