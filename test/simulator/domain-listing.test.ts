// GET /v2/:account/domains: the reference example's shape, the name_like and registrant_id
// filters, every sort, pagination, the 400s, and the same token, account, rate-limit,
// fault and call-log handling as every other endpoint.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DOMAIN_LIST } from "../../src/simulator/domain-listing.ts";
import { InvalidInputError } from "../../src/simulator/errors.ts";
import { parseListQuery } from "../../src/simulator/listing.ts";
import { resolveOptions } from "../../src/simulator/options.ts";
import type { DomainJson } from "../../src/simulator/representations.ts";
import type { Simulator } from "../../src/simulator/simulator.ts";
import {
  ACCOUNT_ID,
  ApiClient,
  domainsPath,
  type ErrorAnswer,
  expectSameShape,
  type ListAnswer,
  readFixture,
  startTestSimulator,
  TOKEN,
} from "./helpers.ts";

type DomainList = ListAnswer<DomainJson>;

// Ids follow this order: example-beta.com is 1, ..., zulu.example is 5.
const DOMAINS = [
  "example-beta.com",
  "bingo.pizza",
  "Example-Alpha.com",
  "xn--bcher-kva.ch",
  "zulu.example",
];
const REGISTRANT = 2715;

let simulator: Simulator;
let api: ApiClient;

beforeAll(async () => {
  simulator = await startTestSimulator({
    domains: DOMAINS,
    registrations: [
      { domain: "example-alpha.com", registrantId: REGISTRANT, expiresAt: utc("2031-06-05T02:15") },
      { domain: "bingo.pizza", registrantId: REGISTRANT, expiresAt: utc("2030-01-10T00:00") },
      { domain: "zulu.example", registrantId: 99, expiresAt: utc("2032-03-01T12:00") },
    ],
  });
  api = new ApiClient(simulator);
});

afterAll(async () => {
  await simulator.close();
});

afterEach(() => {
  simulator.clearFaults();
  simulator.resetCalls();
});

function utc(minute: string): Date {
  return new Date(`${minute}:00Z`);
}

async function list(query = ""): Promise<DomainList> {
  const answer = await api.get<DomainList>(`${domainsPath()}?${query}`);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body;
}

async function listIds(query = ""): Promise<number[]> {
  return (await list(query)).data.map((domain) => domain.id);
}

async function refusal(path: string, token: string | null = TOKEN) {
  const answer = await new ApiClient(simulator, token).get<ErrorAnswer>(path);
  return { status: answer.status, message: answer.body.message };
}

describe("the reference example", () => {
  it("has the same shape: one registered and one hosted domain, in name order", async () => {
    const fixture = readFixture<DomainList>("list-domains");
    const answer = await list("name_like=example-");

    expectSameShape(answer, fixture);
    expect(answer.pagination).toEqual(fixture.pagination);
    expect(answer.data).toEqual([
      {
        id: 3,
        account_id: ACCOUNT_ID,
        registrant_id: REGISTRANT,
        name: "example-alpha.com",
        unicode_name: "example-alpha.com",
        state: "registered",
        auto_renew: false,
        private_whois: false,
        expires_on: "2031-06-05",
        expires_at: "2031-06-05T02:15:00Z",
        created_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/),
        updated_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/),
      },
      expect.objectContaining({
        id: 1,
        registrant_id: null,
        name: "example-beta.com",
        state: "hosted",
        expires_on: null,
        expires_at: null,
      }),
    ]);
    // The fields in the reference's order, as DNSimple writes them.
    expect(Object.keys(answer.data[0] ?? {})).toEqual(Object.keys(fixture.data[0] ?? {}));
  });

  it("shows an internationalized name in Unicode too", async () => {
    const [domain] = (await list("name_like=xn--")).data;
    expect(domain).toMatchObject({ name: "xn--bcher-kva.ch", unicode_name: "bücher.ch" });
  });
});

describe("filters", () => {
  it("name_like keeps the names containing the text, in any case", async () => {
    expect(await listIds("name_like=EXAMPLE")).toEqual([3, 1, 5]);
    expect(await listIds("name_like=pizza")).toEqual([2]);
    expect(await listIds("name_like=")).toEqual([2, 3, 1, 4, 5]);
  });

  it("answers an empty page with zero pages when nothing matches", async () => {
    expect(await list("name_like=nothing")).toEqual({
      data: [],
      pagination: { current_page: 1, per_page: 30, total_entries: 0, total_pages: 0 },
    });
  });

  it("registrant_id keeps that registrant's domains (hosted ones have none)", async () => {
    expect(await listIds(`registrant_id=${REGISTRANT}`)).toEqual([2, 3]);
    expect(await listIds("registrant_id=99&name_like=zulu")).toEqual([5]);
    expect(await listIds("registrant_id=1")).toEqual([]);
  });
});

describe("sorting", () => {
  it("defaults to the name ascending, as DNSimple documents", async () => {
    expect(parseListQuery(new URLSearchParams(), DOMAIN_LIST).sort).toEqual([
      { field: "name", direction: "asc" },
    ]);
    expect(await listIds()).toEqual([2, 3, 1, 4, 5]);
  });

  it.each([
    ["id:asc", [1, 2, 3, 4, 5]],
    ["id", [1, 2, 3, 4, 5]],
    ["id:desc", [5, 4, 3, 2, 1]],
    ["name:asc", [2, 3, 1, 4, 5]],
    ["name:desc", [5, 4, 1, 3, 2]],
    // Hosted domains have no expiry: last ascending, first descending, by id among them.
    ["expiration:asc", [2, 3, 5, 1, 4]],
    ["expiration:desc", [1, 4, 5, 3, 2]],
    ["expiration:asc,name:desc", [2, 3, 5, 4, 1]],
  ])("sort=%s", async (sort, expected) => {
    expect(await listIds(`sort=${sort}`)).toEqual(expected);
  });

  it.each(["common_name:asc", "expires_on:asc", "name:sideways", "id:asc:desc"])(
    "answers 400 to sort=%s",
    async (sort) => {
      const answer = await api.get<ErrorAnswer>(`${domainsPath()}?sort=${sort}`);
      expect(answer.status).toBe(400);
      expect(answer.body.message).toBe(
        `Invalid sort \`${sort}\`: sort by id, name or expiration, optionally with :asc or :desc`,
      );
    },
  );
});

describe("pagination", () => {
  it("pages with per_page, the last page short and one past the end empty", async () => {
    const pages = await Promise.all(
      [1, 2, 3, 4].map((page) => list(`sort=id:asc&per_page=2&page=${page}`)),
    );
    expect(pages.map((page) => page.data.map((domain) => domain.id))).toEqual([
      [1, 2],
      [3, 4],
      [5],
      [],
    ]);
    expect(pages.map((page) => page.pagination)).toEqual(
      [1, 2, 3, 4].map((page) => ({
        current_page: page,
        per_page: 2,
        total_entries: 5,
        total_pages: 3,
      })),
    );
  });

  it("pages what the filter kept", async () => {
    const answer = await list("name_like=example&per_page=2&page=2");
    expect(answer.data.map((domain) => domain.name)).toEqual(["zulu.example"]);
    expect(answer.pagination).toMatchObject({ total_entries: 3, total_pages: 2 });
  });

  it("caps per_page at 100", async () => {
    const answer = await list("per_page=500");
    expect(answer.pagination.per_page).toBe(100);
    expect(answer.data).toHaveLength(5);
  });

  it.each(["page=0", "per_page=0", "per_page=ten", "registrant_id=abc"])(
    "answers 400 to %s",
    async (query) => {
      const answer = await api.get<ErrorAnswer>(`${domainsPath()}?${query}`);
      expect(answer.status).toBe(400);
      expect(answer.body.message).toMatch(/must be a positive integer/);
    },
  );
});

describe("like every endpoint", () => {
  it("refuses a missing token and another account's token with 401", async () => {
    const refused = { status: 401, message: "Authentication failed" };
    expect(await refusal(domainsPath(), null)).toEqual(refused);
    expect(await refusal(domainsPath(), "token-of-another-account")).toEqual(refused);
  });

  it("answers 404 for an account the token does not reach", async () => {
    expect(await refusal(domainsPath(2020))).toEqual({
      status: 404,
      message: "Account `2020` not found",
    });
  });

  it("answers 405 to a method the simulator does not serve there", async () => {
    expect((await api.post(domainsPath(), { name: "new.example" })).status).toBe(405);
  });

  it("is in the call log and the counts as listDomains", async () => {
    await list("name_like=pizza");
    expect(simulator.calls()).toEqual([
      expect.objectContaining({
        method: "GET",
        path: domainsPath(),
        pathWithQuery: `${domainsPath()}?name_like=pizza`,
        operation: "listDomains",
        status: 200,
        fault: null,
      }),
    ]);
    expect(simulator.counts().callsByOperation).toMatchObject({ listDomains: 1 });
  });

  it("spends the rate-limit budget and answers 429 past it", async () => {
    simulator.resetRateLimits();
    const limit = simulator.settings().rateLimit;
    simulator.updateSettings({ rateLimit: 1 });
    try {
      const first = await api.get(domainsPath());
      expect(first.headers.get("x-ratelimit-limit")).toBe("1");
      expect(first.headers.get("x-ratelimit-remaining")).toBe("0");
      expect((await api.get(domainsPath())).status).toBe(429);
    } finally {
      simulator.updateSettings({ rateLimit: limit });
      simulator.resetRateLimits();
    }
  });

  it("answers an injected fault aimed at its path", async () => {
    simulator.addOneShotFault({
      method: "GET",
      path: "/v2/*/domains",
      action: "status",
      status: 503,
    });
    expect((await api.get(domainsPath())).status).toBe(503);
    expect((await api.get(domainsPath())).status).toBe(200);
    expect(simulator.calls().map((call) => [call.operation, call.status, call.fault])).toEqual([
      ["listDomains", 503, "one-shot"],
      ["listDomains", 200, null],
    ]);
  });
});

describe("the registrations option", () => {
  const at = utc("2030-01-01T00:00");

  it("names the domains case-insensitively, like the domains option", () => {
    const options = resolveOptions({
      domains: ["Example.com"],
      registrations: [{ domain: "EXAMPLE.com", registrantId: 1, expiresAt: at }],
    });
    expect(options.registrations).toEqual([
      { domain: "example.com", registrantId: 1, expiresAt: at },
    ]);
  });

  it.each([
    [
      "a domain that is not one of the domains",
      { domain: "other.com", registrantId: 1, expiresAt: at },
    ],
    [
      "a registrant that is not a positive integer",
      { domain: "example.com", registrantId: 0, expiresAt: at },
    ],
    [
      "an invalid expiry",
      { domain: "example.com", registrantId: 1, expiresAt: new Date(Number.NaN) },
    ],
  ])("refuses %s", (_, registration) => {
    expect(() =>
      resolveOptions({ domains: ["example.com"], registrations: [registration] }),
    ).toThrow(InvalidInputError);
  });

  it("refuses a domain registered twice", () => {
    const registration = { domain: "example.com", registrantId: 1, expiresAt: at };
    expect(() =>
      resolveOptions({ domains: ["example.com"], registrations: [registration, registration] }),
    ).toThrow("a domain is registered once");
  });
});
