// Following DNSimple's page-numbered lists to the end.
import type { Pagination } from "./types.ts";

export interface ListPage<T> {
  data: T[];
  pagination: Pagination;
}

// Fetches pages 1, 2, ... until the last one the answers report, and returns every item
// once. Items added while paging shift later pages, so an item can show up on two pages:
// the first occurrence is kept.
export async function collectAllPages<T extends { id: number }>(
  fetchPage: (page: number) => Promise<ListPage<T>>,
): Promise<T[]> {
  const items = new Map<number, T>();
  for (let page = 1; ; page++) {
    const answer = await fetchPage(page);
    for (const item of answer.data) if (!items.has(item.id)) items.set(item.id, item);
    // An empty page ends it too, whatever total_pages claims: no endless loop on a
    // pagination that does not add up.
    if (page >= answer.pagination.total_pages || answer.data.length === 0) break;
  }
  return [...items.values()];
}
