// The purchase budget by table: budgetUsage (purchases in the last 24 hours, each certificate
// once, orders in flight each counted, and when the oldest leaves the window) and PurchaseLedger
// (this process's slots: reserve refuses at the limit counting the claimed purchases and its own,
// release gives a slot back, settle lets the claim of the same certificate count once, own()
// forgets what left the window). The budget is what stops a tenant buying certificates without
// end through a shared token, so a slot counted twice or not at all is a bug. No I/O.
import { describe, expect, it } from "vitest";
import {
  BUDGET_WINDOW_MS,
  type BudgetUsage,
  budgetUsage,
  combinedUsage,
  type Purchase,
  PurchaseLedger,
  type Reservation,
} from "../../../src/issuers/purchase-ledger.ts";
import { NO_CLAIMED_PURCHASES, PurchaseTimeline } from "../../../src/issuers/purchase-timeline.ts";
import { now } from "../controller/fixtures.ts";

const hour = 3_600_000;
const at = (offsetMs: number) => new Date(now.getTime() + offsetMs);
/** A claimed purchase of certificate `id`, `hoursAgo` before now. */
const bought = (id: number, hoursAgo: number): Purchase => ({
  certificateId: id,
  at: at(-hoursAgo * hour),
});
/** An order in flight (no certificate yet), `hoursAgo` before now. */
const inFlight = (hoursAgo: number): Purchase => ({ at: at(-hoursAgo * hour) });

describe("budgetUsage", () => {
  const rows: [string, Purchase[], BudgetUsage][] = [
    ["no purchases: none used, nothing to free", [], { used: 0 }],
    [
      "one an hour ago: it frees its slot in 23h",
      [bought(1, 1)],
      { used: 1, freesAt: at(23 * hour) },
    ],
    ["one exactly 24h ago has left the window", [bought(1, 24)], { used: 0 }],
    [
      "one a millisecond inside the window counts",
      [{ certificateId: 1, at: at(1 - BUDGET_WINDOW_MS) }],
      { used: 1, freesAt: at(1) },
    ],
    [
      "one 25h ago does not count",
      [bought(1, 25), bought(2, 2)],
      { used: 1, freesAt: at(22 * hour) },
    ],
    [
      "freesAt is the oldest counted purchase plus 24h, whatever the order",
      [bought(1, 2), bought(2, 10), bought(3, 5)],
      { used: 3, freesAt: at(14 * hour) },
    ],
    [
      "the same certificate twice counts once",
      [bought(7, 3), bought(7, 3)],
      { used: 1, freesAt: at(21 * hour) },
    ],
    [
      "the same certificate outside and inside the window: the one inside counts",
      [bought(7, 30), bought(7, 3)],
      { used: 1, freesAt: at(21 * hour) },
    ],
    [
      "orders in flight each count",
      [inFlight(0), inFlight(1)],
      { used: 2, freesAt: at(23 * hour) },
    ],
    [
      "in flight and bought together",
      [inFlight(0), bought(1, 4), bought(1, 4), bought(2, 6)],
      { used: 3, freesAt: at(18 * hour) },
    ],
    ["an order in flight from before the window does not count", [inFlight(24)], { used: 0 }],
  ];
  it.each(rows)("%s", (_why, purchases, expected) => {
    expect(budgetUsage(purchases, now)).toEqual(expected);
  });
});

/** A step against one fresh ledger. `nth` names the nth reserve of the row (from 0). */
type Step =
  | { reserve: string; limit: number; claimed?: Purchase[]; atMs?: number }
  | { settle: number; id: number }
  | { release: number };

/** Runs the steps; each reserve's outcome in order (true: a slot was taken). */
function run(ledger: PurchaseLedger, steps: readonly Step[]): boolean[] {
  const reservations: (Reservation | undefined)[] = [];
  for (const step of steps) {
    if ("reserve" in step) {
      reservations.push(
        ledger.reserve(
          step.reserve,
          step.limit,
          PurchaseTimeline.of(step.claimed ?? []),
          at(step.atMs ?? 0),
        ),
      );
    } else {
      const nth = "settle" in step ? step.settle : step.release;
      const reservation = reservations[nth];
      if (!reservation) throw new Error(`reserve ${nth} took no slot`);
      if ("settle" in step) reservation.settle(step.id);
      else reservation.release();
    }
  }
  return reservations.map((r) => r !== undefined);
}

describe("PurchaseLedger.reserve", () => {
  const rows: [string, Step[], boolean[]][] = [
    ["under the limit: a slot", [{ reserve: "a", limit: 1 }], [true]],
    ["limit 0 refuses even with nothing bought", [{ reserve: "a", limit: 0 }], [false]],
    [
      "limit 0 refuses again and again",
      [
        { reserve: "a", limit: 0 },
        { reserve: "a", limit: 0, atMs: 2 * BUDGET_WINDOW_MS },
      ],
      [false, false],
    ],
    [
      "the claimed purchases alone reach the limit",
      [{ reserve: "a", limit: 2, claimed: [bought(1, 1), bought(2, 2)] }],
      [false],
    ],
    [
      "claimed purchases outside the window do not count",
      [{ reserve: "a", limit: 1, claimed: [bought(1, 24), bought(2, 30)] }],
      [true],
    ],
    [
      "its own reservations reach the limit",
      [
        { reserve: "a", limit: 2 },
        { reserve: "a", limit: 2 },
        { reserve: "a", limit: 2 },
      ],
      [true, true, false],
    ],
    [
      "claimed and own together reach the limit",
      [
        { reserve: "a", limit: 2, claimed: [bought(1, 1)] },
        { reserve: "a", limit: 2, claimed: [bought(1, 1)] },
      ],
      [true, false],
    ],
    [
      "two synchronous reserves at limit - 1: only the first",
      [
        { reserve: "a", limit: 3, claimed: [bought(1, 1), bought(2, 1)] },
        { reserve: "a", limit: 3, claimed: [bought(1, 1), bought(2, 1)] },
      ],
      [true, false],
    ],
    [
      "release gives the slot back",
      [{ reserve: "a", limit: 1 }, { release: 0 }, { reserve: "a", limit: 1 }],
      [true, true],
    ],
    [
      "release twice gives back one slot only",
      [
        { reserve: "a", limit: 2 },
        { reserve: "a", limit: 2 },
        { release: 0 },
        { release: 0 },
        { reserve: "a", limit: 2 },
        { reserve: "a", limit: 2 },
      ],
      [true, true, true, false],
    ],
    [
      "a settled purchase still counts until its claim shows",
      [
        { reserve: "a", limit: 1 },
        { settle: 0, id: 7 },
        { reserve: "a", limit: 1 },
      ],
      [true, false],
    ],
    [
      "settled, then claimed with the same id: counted once",
      [
        { reserve: "a", limit: 2 },
        { settle: 0, id: 7 },
        { reserve: "a", limit: 2, claimed: [bought(7, 0)] },
        { reserve: "a", limit: 2, claimed: [bought(7, 0)] },
      ],
      [true, true, false],
    ],
    [
      "settled, and another certificate claimed: both count",
      [
        { reserve: "a", limit: 2 },
        { settle: 0, id: 7 },
        { reserve: "a", limit: 2, claimed: [bought(8, 0)] },
      ],
      [true, false],
    ],
    [
      "a reservation leaves the window after 24h",
      [
        { reserve: "a", limit: 1 },
        { reserve: "a", limit: 1, atMs: BUDGET_WINDOW_MS - 1 },
        { reserve: "a", limit: 1, atMs: BUDGET_WINDOW_MS },
      ],
      [true, false, true],
    ],
    [
      "scopes are separate budgets",
      [
        { reserve: "a", limit: 1 },
        { reserve: "b", limit: 1 },
        { reserve: "a", limit: 1 },
      ],
      [true, true, false],
    ],
    [
      "release of one scope frees nothing in another",
      [
        { reserve: "a", limit: 1 },
        { reserve: "b", limit: 1 },
        { release: 0 },
        { reserve: "b", limit: 1 },
      ],
      [true, true, false],
    ],
    [
      "release after the reservation left the window: harmless",
      [
        { reserve: "a", limit: 1 },
        { reserve: "a", limit: 1, atMs: BUDGET_WINDOW_MS },
        { release: 0 },
        { reserve: "a", limit: 1, atMs: BUDGET_WINDOW_MS },
      ],
      [true, true, false],
    ],
  ];
  it.each(rows)("%s", (_why, steps, expected) => {
    expect(run(new PurchaseLedger(), steps)).toEqual(expected);
  });

  it("a reservation names its scope", () => {
    expect(new PurchaseLedger().reserve("a", 1, NO_CLAIMED_PURCHASES, now)?.scope).toBe("a");
  });
});

describe("PurchaseLedger.own", () => {
  const rows: [string, Step[], number, Purchase[]][] = [
    ["nothing reserved: none", [], 0, []],
    ["a reservation in flight", [{ reserve: "a", limit: 5 }], 0, [{ at: now }]],
    [
      "a settled reservation carries its certificate",
      [
        { reserve: "a", limit: 5 },
        { settle: 0, id: 7 },
      ],
      0,
      [{ certificateId: 7, at: now }],
    ],
    ["a released reservation is gone", [{ reserve: "a", limit: 5 }, { release: 0 }], 0, []],
    ["a refused reserve adds nothing", [{ reserve: "a", limit: 0 }], 0, []],
    ["another scope's are not listed", [{ reserve: "b", limit: 5 }], 0, []],
    [
      "kept just inside the window",
      [{ reserve: "a", limit: 5 }],
      BUDGET_WINDOW_MS - 1,
      [{ at: now }],
    ],
    ["pruned once 24h old", [{ reserve: "a", limit: 5 }], BUDGET_WINDOW_MS, []],
    [
      "only the older one pruned",
      [
        { reserve: "a", limit: 5 },
        { reserve: "a", limit: 5, atMs: hour },
      ],
      BUDGET_WINDOW_MS,
      [{ at: at(hour) }],
    ],
  ];
  it.each(rows)("%s", (_why, steps, atMs, expected) => {
    const ledger = new PurchaseLedger();
    run(ledger, steps);
    expect(ledger.own("a", at(atMs))).toEqual(expected);
  });

  it("once pruned, a purchase stays gone when asked about an earlier time", () => {
    const ledger = new PurchaseLedger();
    ledger.reserve("a", 5, NO_CLAIMED_PURCHASES, now);
    expect(ledger.own("a", at(BUDGET_WINDOW_MS))).toEqual([]);
    expect(ledger.own("a", now)).toEqual([]);
  });
});

describe("PurchaseTimeline.usage: the claimed purchases, counted as budgetUsage counts them", () => {
  const rows: [string, Purchase[]][] = [
    ["none", []],
    ["one an hour ago", [bought(1, 1)]],
    ["one exactly 24h ago has left the window", [bought(1, 24)]],
    ["one a millisecond inside the window", [{ certificateId: 1, at: at(1 - BUDGET_WINDOW_MS) }]],
    [
      "out of order: the oldest inside the window frees first",
      [bought(1, 2), bought(2, 10), bought(3, 5)],
    ],
    ["some outside the window", [bought(1, 25), bought(2, 30), bought(3, 2), bought(4, 23)]],
    ["the same time twice", [bought(1, 3), bought(2, 3)]],
  ];
  it.each(rows)("%s", (_why, purchases) => {
    expect(PurchaseTimeline.of(purchases).usage(now)).toEqual(budgetUsage(purchases, now));
  });

  it("a certificate claimed again moves (counted once, at its new time)", () => {
    const timeline = PurchaseTimeline.of([bought(1, 30), bought(2, 5)]);
    timeline.set(1, at(-3 * hour));
    expect(timeline.usage(now)).toEqual({ used: 2, freesAt: at(19 * hour) });
    expect(timeline.size).toBe(2);
  });

  it("a deleted claim no longer counts, and only that one goes", () => {
    const timeline = PurchaseTimeline.of([bought(1, 3), bought(2, 3), bought(3, 8)]);
    timeline.delete(3);
    timeline.delete(99);
    expect(timeline.usage(now)).toEqual({ used: 2, freesAt: at(21 * hour) });
    expect([timeline.has(1), timeline.has(3)]).toEqual([true, false]);
  });
});

describe("PurchaseLedger.usage: claimed purchases and this process's own, each once", () => {
  it("an order in flight and the claims count together", () => {
    const ledger = new PurchaseLedger();
    ledger.reserve("a", 5, NO_CLAIMED_PURCHASES, at(-2 * hour));
    expect(ledger.usage("a", PurchaseTimeline.of([bought(1, 10)]), now)).toEqual({
      used: 2,
      freesAt: at(14 * hour),
    });
  });

  it("a settled order counts until its claim shows, then through the claim only", () => {
    const ledger = new PurchaseLedger();
    ledger.reserve("a", 5, NO_CLAIMED_PURCHASES, now)?.settle(7);
    expect(ledger.usage("a", NO_CLAIMED_PURCHASES, now).used).toBe(1);
    const claimed = PurchaseTimeline.of([{ certificateId: 7, at: now }]);
    expect(ledger.usage("a", claimed, now).used).toBe(1);
    // The ledger let it go: the claim alone counts it from now on.
    expect(ledger.own("a", now)).toEqual([]);
  });

  it("reserve refuses the slot the claims and the orders in flight fill", () => {
    const ledger = new PurchaseLedger();
    const claimed = PurchaseTimeline.of([bought(1, 1)]);
    expect(ledger.reserve("a", 2, claimed, now)).toBeDefined();
    expect(ledger.reserve("a", 2, claimed, now)).toBeUndefined();
  });
});

describe("combinedUsage", () => {
  const rows: [string, BudgetUsage, BudgetUsage, BudgetUsage][] = [
    ["both empty", { used: 0 }, { used: 0 }, { used: 0 }],
    ["one side empty", { used: 2, freesAt: at(hour) }, { used: 0 }, { used: 2, freesAt: at(hour) }],
    [
      "the earlier freesAt wins",
      { used: 1, freesAt: at(5 * hour) },
      { used: 3, freesAt: at(2 * hour) },
      { used: 4, freesAt: at(2 * hour) },
    ],
  ];
  it.each(rows)("%s", (_why, a, b, expected) => {
    expect(combinedUsage(a, b)).toEqual(expected);
  });
});
