// Sorting and pagination of the certificate list, as pure functions.
//
// `sort` takes comma-separated criteria `field[:asc|:desc]` over id, common_name and
// expiration (default `id:desc`). Certificates without an expiry sort as if they expired
// last (PostgreSQL's NULLS LAST/FIRST), ties fall back to ascending id. `page` starts at 1;
// `per_page` defaults to 30 and is capped at 100.
import { badRequest } from "./errors.ts";

export type SortField = "id" | "common_name" | "expiration";
export type SortDirection = "asc" | "desc";

export interface SortCriterion {
  field: SortField;
  direction: SortDirection;
}

export interface ListQuery {
  sort: SortCriterion[];
  page: number;
  perPage: number;
}

export const DEFAULT_SORT: readonly SortCriterion[] = [{ field: "id", direction: "desc" }];
export const DEFAULT_PER_PAGE = 30;
export const MAX_PER_PAGE = 100;

const SORT_FIELDS: readonly SortField[] = ["id", "common_name", "expiration"];
const SORT_DIRECTIONS: readonly SortDirection[] = ["asc", "desc"];

export function parseListQuery(query: URLSearchParams): ListQuery {
  const sort = query.get("sort");
  return {
    sort: sort === null || sort === "" ? [...DEFAULT_SORT] : parseSort(sort),
    page: parsePositiveInteger(query.get("page"), "page") ?? 1,
    perPage: Math.min(
      parsePositiveInteger(query.get("per_page"), "per_page") ?? DEFAULT_PER_PAGE,
      MAX_PER_PAGE,
    ),
  };
}

function parseSort(text: string): SortCriterion[] {
  return text.split(",").map((criterion) => {
    const [fieldText, directionText = "asc", ...rest] = criterion.trim().split(":");
    const field = SORT_FIELDS.find((known) => known === fieldText);
    const direction = SORT_DIRECTIONS.find((known) => known === directionText);
    if (field === undefined || direction === undefined || rest.length > 0) {
      throw badRequest(
        `Invalid sort \`${criterion}\`: sort by id, common_name or expiration, optionally with :asc or :desc`,
      );
    }
    return { field, direction };
  });
}

function parsePositiveInteger(text: string | null, parameter: string): number | undefined {
  if (text === null) return undefined;
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw badRequest(`Invalid ${parameter} \`${text}\`: it must be a positive integer`);
  }
  return value;
}

export interface SortKeys {
  id: number;
  commonName: string;
  expiresAt: Date | null;
}

export function sortItems<T>(
  items: readonly T[],
  criteria: readonly SortCriterion[],
  keysOf: (item: T) => SortKeys,
): T[] {
  return [...items].sort((left, right) => {
    const a = keysOf(left);
    const b = keysOf(right);
    for (const { field, direction } of criteria) {
      const order = compareField(a, b, field);
      if (order !== 0) return direction === "asc" ? order : -order;
    }
    return a.id - b.id;
  });
}

function compareField(a: SortKeys, b: SortKeys, field: SortField): number {
  switch (field) {
    case "id":
      return a.id - b.id;
    case "common_name":
      return a.commonName < b.commonName ? -1 : a.commonName > b.commonName ? 1 : 0;
    case "expiration":
      return expiryForSorting(a) - expiryForSorting(b);
  }
}

function expiryForSorting(keys: SortKeys): number {
  return keys.expiresAt === null ? Number.POSITIVE_INFINITY : keys.expiresAt.getTime();
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
