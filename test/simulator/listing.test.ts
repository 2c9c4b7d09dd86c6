// Sorting and pagination: the pure functions (with the certificate list's spec; the
// domain list's is in domain-listing.test.ts), then the certificate list endpoint.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CERTIFICATE_LIST } from "../../src/simulator/certificate-service.ts";
import { ApiError } from "../../src/simulator/errors.ts";
import { paginate, parseListQuery, type SortKeys, sortItems } from "../../src/simulator/listing.ts";
import type { Simulator } from "../../src/simulator/simulator.ts";
import {
  ApiClient,
  certificatesPath,
  type ErrorAnswer,
  type ListAnswer,
  startTestSimulator,
} from "./helpers.ts";

describe("parseListQuery", () => {
  it("defaults to descending id, page 1, 30 per page", () => {
    expect(parseListQuery(new URLSearchParams(), CERTIFICATE_LIST)).toEqual({
      sort: [{ field: "id", direction: "desc" }],
      page: 1,
      perPage: 30,
    });
  });

  it("reads sort criteria (direction defaults to asc), page and per_page (capped at 100)", () => {
    expect(
      parseListQuery(
        new URLSearchParams("sort=expiration:desc,common_name&page=3&per_page=500"),
        CERTIFICATE_LIST,
      ),
    ).toEqual({
      sort: [
        { field: "expiration", direction: "desc" },
        { field: "common_name", direction: "asc" },
      ],
      page: 3,
      perPage: 100,
    });
  });

  it.each([
    "sort=name:asc",
    "sort=id:up",
    "sort=id:asc:desc",
    "sort=,",
    "page=0",
    "page=-1",
    "page=two",
    "per_page=0",
    "per_page=1.5",
  ])("refuses %s with a 400", (query) => {
    expect(() => parseListQuery(new URLSearchParams(query), CERTIFICATE_LIST)).toThrow(ApiError);
  });
});

describe("sortItems", () => {
  const at = (day: number) => new Date(Date.UTC(2030, 0, day));
  type Keys = SortKeys<"id" | "common_name" | "expiration">;
  const items: Keys[] = [
    { id: 1, common_name: "b.example.com", expiration: at(20) },
    { id: 2, common_name: "a.example.com", expiration: null },
    { id: 3, common_name: "c.example.com", expiration: at(10) },
    { id: 4, common_name: "a.example.com", expiration: at(10) },
    { id: 5, common_name: "d.example.com", expiration: null },
  ];
  const ids = (sorted: Keys[]) => sorted.map((item) => item.id);
  const sortBy = (text: string) =>
    ids(
      sortItems(
        items,
        parseListQuery(new URLSearchParams(`sort=${text}`), CERTIFICATE_LIST).sort,
        (item) => item,
      ),
    );

  it.each([
    ["id:asc", [1, 2, 3, 4, 5]],
    ["id:desc", [5, 4, 3, 2, 1]],
    // Ties fall back to ascending id.
    ["common_name:asc", [2, 4, 1, 3, 5]],
    ["common_name:desc", [5, 3, 1, 2, 4]],
    // No expiry sorts last ascending and first descending, as PostgreSQL does; two
    // without one tie, and fall back to ascending id either way.
    ["expiration:asc", [3, 4, 1, 2, 5]],
    ["expiration:desc", [2, 5, 1, 3, 4]],
    ["expiration:asc,id:desc", [4, 3, 1, 5, 2]],
  ])("%s", (sort, expected) => {
    expect(sortBy(sort)).toEqual(expected);
  });

  it("does not change its input", () => {
    sortBy("id:desc");
    expect(ids(items)).toEqual([1, 2, 3, 4, 5]);
  });
});

describe("paginate", () => {
  const letters = ["a", "b", "c", "d", "e"];

  it("answers the page and DNSimple's pagination object", () => {
    expect(paginate(letters, 2, 2)).toEqual({
      items: ["c", "d"],
      pagination: { current_page: 2, per_page: 2, total_entries: 5, total_pages: 3 },
    });
    expect(paginate(letters, 3, 2).items).toEqual(["e"]);
  });

  it("answers an empty page past the end, and zero pages for nothing", () => {
    expect(paginate(letters, 9, 2).items).toEqual([]);
    expect(paginate([], 1, 30).pagination).toEqual({
      current_page: 1,
      per_page: 30,
      total_entries: 0,
      total_pages: 0,
    });
  });
});

describe("the list endpoint", () => {
  let simulator: Simulator;
  let api: ApiClient;
  const names = ["delta", "alpha", "echo", "charlie", "bravo"];
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    simulator = await startTestSimulator();
    api = new ApiClient(simulator);
    for (const name of names) ids[name] = await api.order({ name });
    // Two issued certificates with different lifetimes, to sort by expiration.
    simulator.updateSettings({ validityMs: 2 * 86_400_000 });
    await api.issue(ids.echo ?? 0);
    await api.waitUntilSettled(ids.echo ?? 0);
    simulator.updateSettings({ validityMs: 86_400_000 });
    await api.issue(ids.alpha ?? 0);
    await api.waitUntilSettled(ids.alpha ?? 0);
  });

  afterAll(async () => {
    await simulator.close();
  });

  const listNames = async (query: string) => {
    const answer = await api.get<ListAnswer>(`${certificatesPath()}?${query}`);
    expect(answer.status).toBe(200);
    return answer.body.data.map((certificate) => certificate.name);
  };

  it("lists by descending id by default", async () => {
    expect(await listNames("")).toEqual([...names].reverse());
  });

  it("sorts by common name and by expiration", async () => {
    expect(await listNames("sort=common_name:asc")).toEqual([
      "alpha",
      "bravo",
      "charlie",
      "delta",
      "echo",
    ]);
    expect((await listNames("sort=expiration:asc")).slice(0, 2)).toEqual(["alpha", "echo"]);
    expect((await listNames("sort=expiration:desc")).slice(-2)).toEqual(["echo", "alpha"]);
  });

  it("pages with per_page and page", async () => {
    const answer = await api.get<ListAnswer>(`${certificatesPath()}?sort=id:asc&per_page=2&page=2`);
    expect(answer.body.data.map((certificate) => certificate.name)).toEqual(["echo", "charlie"]);
    expect(answer.body.pagination).toEqual({
      current_page: 2,
      per_page: 2,
      total_entries: 5,
      total_pages: 3,
    });
  });

  it("answers 400 to an invalid sort", async () => {
    const answer = await api.get<ErrorAnswer>(`${certificatesPath()}?sort=name:asc`);
    expect(answer.status).toBe(400);
    expect(answer.body.message).toMatch(/Invalid sort/);
  });
});
