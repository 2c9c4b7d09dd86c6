// The admin API under /_sim/: the Simulator's admin operations over HTTP, for people with
// curl and for tests in other processes. No token, no rate limit, no faults, not logged.
// Bodies are JSON; unknown fields are refused so that a typo does not pass silently.
import type { RequestBody } from "./api-handler.ts";
import { ApiError, InvalidInputError } from "./errors.ts";
import { ONE_SHOT_ACTIONS, type OneShotAction } from "./faults.ts";
import { FAILING_OUTCOMES, type FailingOutcome } from "./issuance-outcomes.ts";
import { PLANS, PRIVATE_KEY_FORMATS } from "./model.ts";
import { errorJson } from "./representations.ts";
import type { Simulator } from "./simulator.ts";

export interface AdminResponse {
  status: number;
  /** A string is sent as text (the PEM endpoints); undefined means no content (204). */
  body: unknown;
}

type Fields = Record<string, unknown>;

interface AdminRoute {
  method: string;
  // Segments; `:id` stands for a certificate id.
  path: string;
  summary: string;
  run: (fields: Fields, id: number) => Promise<AdminResponse> | AdminResponse;
}

export class AdminHandler {
  readonly #routes: readonly AdminRoute[];

  constructor(simulator: Simulator) {
    this.#routes = adminRoutes(simulator);
  }

  async handle(method: string, path: string, body: RequestBody): Promise<AdminResponse> {
    const normalizedPath = path.replace(/\/+$/, "");
    try {
      for (const route of this.#routes) {
        const id = matchAdminPath(route.path, normalizedPath);
        if (id === undefined || route.method !== method) continue;
        return await route.run(bodyFields(body), id);
      }
      if (normalizedPath === "/_sim") return ok(this.#index());
      return {
        status: 404,
        body: { message: `No admin endpoint ${method} ${path}`, ...this.#index() },
      };
    } catch (error) {
      if (error instanceof InvalidInputError)
        return { status: 400, body: { message: error.message } };
      if (error instanceof ApiError) return { status: error.status, body: errorJson(error) };
      throw error;
    }
  }

  #index(): { endpoints: string[] } {
    return {
      endpoints: this.#routes.map((route) => `${route.method} ${route.path}: ${route.summary}`),
    };
  }
}

function adminRoutes(simulator: Simulator): AdminRoute[] {
  const certificateById = (id: number) => ({
    certificate: simulator.certificates().find((certificate) => certificate.id === id),
  });
  return [
    {
      method: "GET",
      path: "/_sim/calls",
      summary: "API calls received (method, path, status, time; never the token)",
      run: () => ok({ calls: simulator.calls() }),
    },
    {
      method: "DELETE",
      path: "/_sim/calls",
      summary: "reset the call log",
      run: () => {
        simulator.resetCalls();
        return noContent();
      },
    },
    {
      method: "GET",
      path: "/_sim/purchases",
      summary: "purchases: orders, renewal orders, auto-renewals",
      run: () => ok({ purchases: simulator.purchases() }),
    },
    {
      method: "GET",
      path: "/_sim/issuances",
      summary: "issuances that ended, with their outcome",
      run: () => ok({ issuances: simulator.issuances() }),
    },
    {
      method: "GET",
      path: "/_sim/counts",
      summary: "counts of calls, purchases, certificates, issuances, webhooks",
      run: () => ok(simulator.counts()),
    },
    {
      method: "GET",
      path: "/_sim/certificates",
      summary: "every certificate with what the API hides (origin, serial, key status)",
      run: () => ok({ certificates: simulator.certificates() }),
    },
    {
      method: "POST",
      path: "/_sim/certificates/:id/remove-private-key",
      summary: "remove a certificate's private key (then 428; fires the webhook)",
      run: (fields, id) => {
        noFields(fields);
        simulator.removePrivateKey(id);
        return ok(certificateById(id));
      },
    },
    {
      method: "POST",
      path: "/_sim/certificates/:id/mismatching-private-key",
      summary: "serve a private key that does not match the certificate",
      run: async (fields, id) => {
        noFields(fields);
        await simulator.serveMismatchingPrivateKey(id);
        return ok(certificateById(id));
      },
    },
    {
      method: "GET",
      path: "/_sim/webhooks",
      summary: "webhook deliveries and their results",
      run: () => ok({ deliveries: simulator.webhookDeliveries() }),
    },
    {
      method: "GET",
      path: "/_sim/ca",
      summary: "the root and intermediate PEMs",
      run: () => ok({ root: simulator.rootPem, intermediate: simulator.intermediatePem }),
    },
    {
      method: "GET",
      path: "/_sim/ca/root.pem",
      summary: "the root PEM, as text",
      run: () => ({ status: 200, body: `${simulator.rootPem}\n` }),
    },
    {
      method: "GET",
      path: "/_sim/ca/intermediate.pem",
      summary: "the intermediate PEM, as text",
      run: () => ({ status: 200, body: `${simulator.intermediatePem}\n` }),
    },
    {
      method: "GET",
      path: "/_sim/settings",
      summary: "plan, issue delay, validity, rate limit, root, key format, webhook URL",
      run: () => ok(simulator.settings()),
    },
    {
      method: "PATCH",
      path: "/_sim/settings",
      summary: 'change settings, e.g. {"plan":"personal","issueDelayMs":100}',
      run: (fields) => {
        allowOnly(fields, [
          "plan",
          "issueDelayMs",
          "validityMs",
          "rateLimit",
          "includeRoot",
          "privateKeyFormat",
          "webhookUrl",
        ]);
        return ok(
          simulator.updateSettings({
            plan: field(fields, "plan", isOneOf(PLANS), `one of ${PLANS.join(", ")}`),
            issueDelayMs: field(fields, "issueDelayMs", isNumber, "a number"),
            validityMs: field(fields, "validityMs", isNumber, "a number"),
            rateLimit: field(fields, "rateLimit", isNumber, "a number"),
            includeRoot: field(fields, "includeRoot", isBoolean, "true or false"),
            privateKeyFormat: field(
              fields,
              "privateKeyFormat",
              isOneOf(PRIVATE_KEY_FORMATS),
              `one of ${PRIVATE_KEY_FORMATS.join(", ")}`,
            ),
            webhookUrl: field(fields, "webhookUrl", isStringOrNull, "a URL or null"),
          }),
        );
      },
    },
    {
      method: "GET",
      path: "/_sim/faults",
      summary: "fault rates and pending one-shot faults",
      run: () => ok(simulator.faults()),
    },
    {
      method: "PATCH",
      path: "/_sim/faults",
      summary: 'change fault rates: {"errorRate":0.1,"latencyMs":200,"dropRate":0.05}',
      run: (fields) => {
        allowOnly(fields, ["errorRate", "latencyMs", "dropRate"]);
        return ok(
          simulator.setFaults({
            errorRate: field(fields, "errorRate", isNumber, "a number"),
            latencyMs: field(fields, "latencyMs", isNumber, "a number"),
            dropRate: field(fields, "dropRate", isNumber, "a number"),
          }),
        );
      },
    },
    {
      method: "POST",
      path: "/_sim/faults/one-shot",
      summary:
        "add a one-shot fault: {method, path, action: status|drop|process-then-drop, status?, body?, times?}",
      run: (fields) => {
        allowOnly(fields, ["method", "path", "action", "status", "body", "times"]);
        const fault = simulator.addOneShotFault({
          method: field(fields, "method", isString, "a string"),
          path: required(field(fields, "path", isString, "a string"), "path"),
          action: required(
            field(fields, "action", isOneOf<OneShotAction>(ONE_SHOT_ACTIONS), "an action"),
            "action",
          ),
          status: field(fields, "status", isNumber, "a number"),
          body: fields.body,
          times: field(fields, "times", isNumber, "a number"),
        });
        return { status: 201, body: { fault } };
      },
    },
    {
      method: "DELETE",
      path: "/_sim/faults",
      summary: "no faults: rates to 0, one-shot faults removed",
      run: () => {
        simulator.clearFaults();
        return noContent();
      },
    },
    {
      method: "GET",
      path: "/_sim/issuance-outcomes",
      summary: "pending rules for how issuances end",
      run: () => ok({ pending: simulator.pendingIssuanceOutcomes() }),
    },
    {
      method: "POST",
      path: "/_sim/issuance-outcomes",
      summary: "the next issuances end failed or cancelled: {outcome, count?, domain?, name?}",
      run: (fields) => {
        allowOnly(fields, ["outcome", "count", "domain", "name"]);
        const rule = simulator.addIssuanceOutcome({
          outcome: required(
            field(
              fields,
              "outcome",
              isOneOf<FailingOutcome>(FAILING_OUTCOMES),
              "failed or cancelled",
            ),
            "outcome",
          ),
          count: field(fields, "count", isNumber, "a number"),
          domain: field(fields, "domain", isString, "a string"),
          name: field(fields, "name", isString, "a string"),
        });
        return { status: 201, body: { rule } };
      },
    },
    {
      method: "DELETE",
      path: "/_sim/issuance-outcomes",
      summary: "remove pending issuance outcome rules",
      run: () => {
        simulator.clearIssuanceOutcomes();
        return noContent();
      },
    },
    {
      method: "DELETE",
      path: "/_sim/rate-limits",
      summary: "give every token its full hourly budget again",
      run: () => {
        simulator.resetRateLimits();
        return noContent();
      },
    },
  ];
}

// The certificate id when the path matches the pattern (0 when the pattern has none).
function matchAdminPath(pattern: string, path: string): number | undefined {
  const expected = pattern.split("/");
  const actual = path.split("/");
  if (expected.length !== actual.length) return undefined;
  let id = 0;
  for (const [index, segment] of expected.entries()) {
    const given = actual[index] ?? "";
    if (segment === ":id" && /^\d+$/.test(given)) id = Number(given);
    else if (segment !== given) return undefined;
  }
  return id;
}

function ok(body: unknown): AdminResponse {
  return { status: 200, body };
}

function noContent(): AdminResponse {
  return { status: 204, body: undefined };
}

function bodyFields(body: RequestBody): Fields {
  if (body.kind === "none") return {};
  if (body.kind === "invalid") throw new InvalidInputError("the request body is not valid JSON");
  const value = body.value;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InvalidInputError("the request body must be a JSON object");
  }
  return value as Fields;
}

function allowOnly(fields: Fields, allowed: readonly string[]): void {
  const unknown = Object.keys(fields).filter((name) => !allowed.includes(name));
  if (unknown.length > 0) {
    throw new InvalidInputError(
      `unknown field(s) ${unknown.join(", ")}; allowed: ${allowed.join(", ")}`,
    );
  }
}

function noFields(fields: Fields): void {
  allowOnly(fields, []);
}

function field<T>(
  fields: Fields,
  name: string,
  guard: (value: unknown) => value is T,
  expected: string,
): T | undefined {
  const value = fields[name];
  if (value === undefined) return undefined;
  if (!guard(value)) throw new InvalidInputError(`${name} must be ${expected}`);
  return value;
}

function required<T>(value: T | undefined, name: string): T {
  if (value === undefined) throw new InvalidInputError(`${name} is required`);
  return value;
}

function isNumber(value: unknown): value is number {
  return typeof value === "number";
}

function isString(value: unknown): value is string {
  return typeof value === "string";
}

function isBoolean(value: unknown): value is boolean {
  return typeof value === "boolean";
}

function isStringOrNull(value: unknown): value is string | null {
  return value === null || typeof value === "string";
}

function isOneOf<T extends string>(values: readonly T[]): (value: unknown) => value is T {
  return (value: unknown): value is T =>
    typeof value === "string" && (values as readonly string[]).includes(value);
}
