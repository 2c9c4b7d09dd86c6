// Following DNSimple's page-numbered lists to the end.
import type { Pagination } from "./types.ts";

export interface ListPage<T> {
  data: T[];
  pagination: Pagination;
}

/**
 * Fetches pages 1, 2, ... until the last one the answers report, and returns every item
 * once. Items added while paging shift later pages, so an item can show up on two pages:
 * the first occurrence is kept.
 */
export async function collectAllPages<T extends { id: number }>(
  fetchPage: (page: number) => Promise<ListPage<T>>,
): Promise<T[]> {
  const items: T[] = [];
  for (let page = 1; ; page++) {
    const answer = await fetchPage(page);
    appendNew(items, answer.data);
    if (isLastPage(answer, page)) break;
  }
  return items;
}

/**
 * Whether page `number` (from 1) is the last one. An empty page ends it too, whatever
 * total_pages claims: no endless loop on a pagination that does not add up.
 */
export function isLastPage(answer: ListPage<unknown>, number: number): boolean {
  return number >= answer.pagination.total_pages || answer.data.length === 0;
}

/** Appends the items not already there (by id): the first sighting of a shifted item wins. */
export function appendNew<T extends { id: number }>(items: T[], page: readonly T[]): void {
  const seen = new Set(items.map((item) => item.id));
  for (const item of page) {
    if (seen.has(item.id)) continue;
    seen.add(item.id);
    items.push(item);
  }
}
