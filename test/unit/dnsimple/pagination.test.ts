// Following pages to the end: every item once, and no endless loop on odd paginations.
import { describe, expect, it } from "vitest";
import { collectAllPages, type ListPage } from "../../../src/dnsimple/pagination.ts";

function page(current: number, totalPages: number, ids: number[]): ListPage<{ id: number }> {
  return {
    data: ids.map((id) => ({ id })),
    pagination: {
      current_page: current,
      per_page: 2,
      total_entries: totalPages * 2,
      total_pages: totalPages,
    },
  };
}

describe("collectAllPages", () => {
  it("fetches pages 1 to total_pages in order", async () => {
    const asked: number[] = [];
    const items = await collectAllPages(async (number) => {
      asked.push(number);
      return page(number, 3, [number * 10, number * 10 + 1]);
    });
    expect(asked).toEqual([1, 2, 3]);
    expect(items.map((item) => item.id)).toEqual([10, 11, 20, 21, 30, 31]);
  });

  it("keeps the first of an item that shifted onto the next page", async () => {
    const pages = [page(1, 2, [5, 4]), page(2, 2, [4, 3])];
    const items = await collectAllPages(async (number) => pages[number - 1] ?? page(number, 2, []));
    expect(items.map((item) => item.id)).toEqual([5, 4, 3]);
  });

  it("stops at an empty page whatever total_pages claims, and at an empty list", async () => {
    const asked: number[] = [];
    const items = await collectAllPages(async (number) => {
      asked.push(number);
      return number === 1 ? page(1, 99, [1, 2]) : page(number, 99, []);
    });
    expect(asked).toEqual([1, 2]);
    expect(items).toHaveLength(2);
    expect(await collectAllPages(async () => page(1, 0, []))).toEqual([]);
  });
});
