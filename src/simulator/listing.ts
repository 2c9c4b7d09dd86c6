// Sorting and pagination shared by every list endpoint, as pure functions. Each list names
// its own sort fields and default order in a ListSpec (certificates: id, common_name,
// expiration, default `id:desc`; domains: id, name, expiration, default `name:asc`), so
// the parsing, the ordering rules and the pagination object are written once.
//
// `sort` takes comma-separated criteria `field[:asc|:desc]`; an unknown field or direction
// is a 400. A missing value (an expiry not yet known) sorts as if it came last
// (PostgreSQL's NULLS LAST ascending, NULLS FIRST descending); ties fall back to ascending
// id. `page` starts at 1; `per_page` defaults to 30 and is capped at 100.
import { badRequest } from "./errors.ts";

export type SortDirection = "asc" | "desc";

export interface SortCriterion<F extends string> {
  field: F;
  direction: SortDirection;
}

/** The sort fields a list accepts and the order it answers without `sort`. */
export interface ListSpec<F extends string> {
  fields: readonly F[];
  defaultSort: readonly SortCriterion<F>[];
}

export interface ListQuery<F extends string> {
  sort: SortCriterion<F>[];
  page: number;
  perPage: number;
}

export const DEFAULT_PER_PAGE = 30;
export const MAX_PER_PAGE = 100;

const SORT_DIRECTIONS: readonly SortDirection[] = ["asc", "desc"];

export function parseListQuery<F extends string>(
  query: URLSearchParams,
  spec: ListSpec<F>,
): ListQuery<F> {
  const sort = query.get("sort");
  return {
    sort: sort === null || sort === "" ? [...spec.defaultSort] : parseSort(sort, spec.fields),
    page: parsePositiveInteger(query.get("page"), "page") ?? 1,
    perPage: Math.min(
      parsePositiveInteger(query.get("per_page"), "per_page") ?? DEFAULT_PER_PAGE,
      MAX_PER_PAGE,
    ),
  };
}

function parseSort<F extends string>(text: string, fields: readonly F[]): SortCriterion<F>[] {
  return text.split(",").map((criterion) => {
    const [fieldText, directionText = "asc", ...rest] = criterion.trim().split(":");
    const field = fields.find((known) => known === fieldText);
    const direction = SORT_DIRECTIONS.find((known) => known === directionText);
    if (field === undefined || direction === undefined || rest.length > 0) {
      throw badRequest(
        `Invalid sort \`${criterion}\`: sort by ${alternatives(fields)}, optionally with :asc or :desc`,
      );
    }
    return { field, direction };
  });
}

/** A query parameter that must be a positive integer when given (page, per_page, ids). */
export function parsePositiveInteger(text: string | null, parameter: string): number | undefined {
  if (text === null) return undefined;
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw badRequest(`Invalid ${parameter} \`${text}\`: it must be a positive integer`);
  }
  return value;
}

/** What an item is sorted by; null is a value not known yet (it sorts last ascending). */
export type SortValue = number | string | Date | null;

/** An item's value for each sort field, and its id for ties. */
export type SortKeys<F extends string> = Record<F, SortValue> & { id: number };

export function sortItems<T, F extends string>(
  items: readonly T[],
  criteria: readonly SortCriterion<F>[],
  keysOf: (item: T) => SortKeys<F>,
): T[] {
  const keyed = items.map((item) => ({ item, keys: keysOf(item) }));
  keyed.sort((left, right) => {
    for (const { field, direction } of criteria) {
      const order = compareValues(left.keys[field], right.keys[field]);
      if (order !== 0) return direction === "asc" ? order : -order;
    }
    return left.keys.id - right.keys.id;
  });
  return keyed.map(({ item }) => item);
}

function compareValues(a: SortValue, b: SortValue): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  if (a instanceof Date && b instanceof Date) return a.getTime() - b.getTime();
  if (typeof a === "number" && typeof b === "number") return a - b;
  const left = String(a);
  const right = String(b);
  return left < right ? -1 : left > right ? 1 : 0;
}

export interface Pagination {
  current_page: number;
  per_page: number;
  total_entries: number;
  total_pages: number;
}

export interface Page<T> {
  items: T[];
  pagination: Pagination;
}

export function paginate<T>(items: readonly T[], page: number, perPage: number): Page<T> {
  const start = (page - 1) * perPage;
  return {
    items: items.slice(start, start + perPage),
    pagination: {
      current_page: page,
      per_page: perPage,
      total_entries: items.length,
      total_pages: Math.ceil(items.length / perPage),
    },
  };
}

/** Sorts, then cuts out the page the query asks for: the whole of a list endpoint's answer. */
export function listPage<T, F extends string>(
  items: readonly T[],
  query: ListQuery<F>,
  keysOf: (item: T) => SortKeys<F>,
): Page<T> {
  return paginate(sortItems(items, query.sort, keysOf), query.page, query.perPage);
}

// "id, name or expiration"
function alternatives(words: readonly string[]): string {
  return words.length < 2
    ? words.join("")
    : `${words.slice(0, -1).join(", ")} or ${words[words.length - 1]}`;
}
