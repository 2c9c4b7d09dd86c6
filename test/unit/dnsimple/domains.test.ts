// The domain list against the simulator: typed domains, name_like, sort and paging as
// asked (and as sent on the wire), every page collected, arguments refused before
// anything is sent, and GET retries.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { MalformedAnswerError, readDomainPage } from "../../../src/dnsimple/answers.ts";
import type { DnsimpleClient } from "../../../src/dnsimple/client.ts";
import type { Simulator } from "../../../src/simulator/simulator.ts";
import { ACCOUNT_ID, callsTo, rejectionOf, startTestSimulator, testClient } from "./helpers.ts";

const DOMAINS_PATH = `/v2/${ACCOUNT_ID}/domains`;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

// Ids 1, 2, 3 in this order.
const NAMES = ["charlie.com", "alpha.example", "bravo.com"];
const EXPIRES_AT = new Date("2031-06-05T02:15:00Z");

let simulator: Simulator;
let client: DnsimpleClient;

beforeAll(async () => {
  simulator = await startTestSimulator({
    domains: NAMES,
    registrations: [{ domain: "bravo.com", registrantId: 2715, expiresAt: EXPIRES_AT }],
  });
  client = testClient(simulator.url);
});

afterAll(async () => {
  await simulator.close();
});

afterEach(() => {
  simulator.clearFaults();
  simulator.resetCalls();
});

function queriesSent(): string[] {
  return callsTo(simulator, "GET", DOMAINS_PATH).map((call) =>
    call.pathWithQuery.slice(DOMAINS_PATH.length),
  );
}

describe("listDomains", () => {
  it("answers typed domains in DNSimple's default order (by name), with the pagination", async () => {
    const page = await client.listDomains(ACCOUNT_ID);
    expect(page.data.map((domain) => domain.name)).toEqual([
      "alpha.example",
      "bravo.com",
      "charlie.com",
    ]);
    expect(page.pagination).toEqual({
      current_page: 1,
      per_page: 30,
      total_entries: 3,
      total_pages: 1,
    });
    expect(page.data[1]).toEqual({
      id: 3,
      account_id: ACCOUNT_ID,
      registrant_id: 2715,
      name: "bravo.com",
      unicode_name: "bravo.com",
      state: "registered",
      auto_renew: false,
      private_whois: false,
      expires_on: "2031-06-05",
      expires_at: "2031-06-05T02:15:00Z",
      created_at: expect.stringMatching(TIMESTAMP),
      updated_at: expect.stringMatching(TIMESTAMP),
    });
    expect(page.data[0]).toMatchObject({ registrant_id: null, state: "hosted", expires_at: null });
    expect(queriesSent()).toEqual([""]);
  });

  it("filters, sorts and pages as asked, with DNSimple's parameter names", async () => {
    const page = await client.listDomains(ACCOUNT_ID, {
      nameLike: ".com",
      sort: "id:desc",
      page: 2,
      perPage: 1,
    });
    expect(page.data.map((domain) => domain.name)).toEqual(["charlie.com"]);
    expect(page.pagination).toEqual({
      current_page: 2,
      per_page: 1,
      total_entries: 2,
      total_pages: 2,
    });
    const byExpiration = await client.listDomains(ACCOUNT_ID, {
      sort: ["expiration:asc", "name:desc"],
    });
    expect(byExpiration.data.map((domain) => domain.name)).toEqual([
      "bravo.com",
      "charlie.com",
      "alpha.example",
    ]);
    expect(queriesSent()).toEqual([
      "?name_like=.com&page=2&per_page=1&sort=id:desc",
      "?sort=expiration:asc,name:desc",
    ]);
  });

  it("refuses arguments that cannot be sent, without sending anything", () => {
    expect(() => client.listDomains(ACCOUNT_ID, { perPage: 101 })).toThrow(RangeError);
    expect(() => client.listDomains(ACCOUNT_ID, { page: 0 })).toThrow(RangeError);
    expect(() => client.listDomains(0)).toThrow(/account id/);
    expect(simulator.calls()).toEqual([]);
  });

  it("is retried like every GET: a one-shot 500, then the answer", async () => {
    simulator.addOneShotFault({ method: "GET", path: DOMAINS_PATH, action: "status", status: 500 });
    const page = await client.listDomains(ACCOUNT_ID);
    expect(page.data).toHaveLength(3);
    expect(callsTo(simulator, "GET", DOMAINS_PATH).map((call) => call.status)).toEqual([500, 200]);
  });

  it("gets DNSimple's 404 for an account the token does not reach, not retried", async () => {
    const error = await rejectionOf(client.listDomains(2020));
    expect(error).toMatchObject({ status: 404 });
    expect(callsTo(simulator, "GET", "/v2/2020/domains")).toHaveLength(1);
  });
});

describe("allDomains", () => {
  it("collects every page of 100 by ascending id (250 domains)", async () => {
    const names = Array.from({ length: 250 }, (_, index) => `host${index}.example`);
    const many = await startTestSimulator({ domains: names });
    try {
      const all = await testClient(many.url).allDomains(ACCOUNT_ID);
      expect(all.map((domain) => domain.id)).toEqual(names.map((_, index) => index + 1));
      expect(many.calls().map((call) => call.pathWithQuery)).toEqual(
        [1, 2, 3].map((page) => `${DOMAINS_PATH}?page=${page}&per_page=100&sort=id:asc`),
      );
    } finally {
      await many.close();
    }
  });

  it("keeps to nameLike, and answers [] when nothing matches", async () => {
    const matching = await client.allDomains(ACCOUNT_ID, { nameLike: "ALPHA" });
    expect(matching.map((domain) => domain.name)).toEqual(["alpha.example"]);
    expect(await client.allDomains(ACCOUNT_ID, { nameLike: "nothing" })).toEqual([]);
  });
});

describe("readDomainPage", () => {
  const domain = {
    id: 1,
    account_id: 1010,
    registrant_id: null,
    name: "example.com",
    unicode_name: "example.com",
    state: "hosted",
    auto_renew: false,
    private_whois: false,
    expires_on: null,
    expires_at: null,
    created_at: "2020-06-04T19:47:05Z",
    updated_at: "2020-06-04T19:47:05Z",
  };
  const pagination = { current_page: 1, per_page: 30, total_entries: 1, total_pages: 1 };

  it("keeps a state it does not know (DNSimple may add some)", () => {
    const page = readDomainPage({ data: [{ ...domain, state: "transferring" }], pagination });
    expect(page.data[0]?.state).toBe("transferring");
  });

  it("names the field of the wrong type", () => {
    expect(() =>
      readDomainPage({ data: [{ ...domain, registrant_id: "21" }], pagination }),
    ).toThrow(
      new MalformedAnswerError("answer.data[0].registrant_id: expected an integer, got a string"),
    );
    expect(() => readDomainPage({ data: [domain] })).toThrow(
      "answer.pagination: expected an object, got nothing",
    );
  });
});
