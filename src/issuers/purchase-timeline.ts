// The claimed purchases of one budget scope, oldest first, so that the budget's use over the
// last 24 hours is a binary search, not a scan: every pass judges the budget, and a namespace
// with 10,000 claimed certificates made each pass count 10,000 purchases.
import { BUDGET_WINDOW_MS, type BudgetUsage, type Purchase } from "./purchase-ledger.ts";

/** What the ledger reads of a scope's claimed purchases. */
export interface ClaimedPurchases {
  /** The claimed purchases within the window at `now`, and when the oldest leaves it. */
  usage(now: Date): BudgetUsage;
  /** Whether `certificateId` is among them (its order is then counted here, not again). */
  has(certificateId: number): boolean;
}

export class PurchaseTimeline implements ClaimedPurchases {
  /** When each certificate was claimed (ms). */
  readonly #atById = new Map<number, number>();
  /** The same times, ascending (claims arrive nearly in order: inserts land at the end). */
  readonly #times: number[] = [];

  static of(purchases: readonly Purchase[]): PurchaseTimeline {
    const timeline = new PurchaseTimeline();
    for (const p of purchases)
      if (p.certificateId !== undefined) timeline.set(p.certificateId, p.at);
    return timeline;
  }

  /** Records (or moves) the claim of `certificateId` at `at`. */
  set(certificateId: number, at: Date): void {
    this.delete(certificateId);
    const ms = at.getTime();
    this.#atById.set(certificateId, ms);
    this.#times.splice(firstAfter(this.#times, ms), 0, ms);
  }

  delete(certificateId: number): void {
    const ms = this.#atById.get(certificateId);
    if (ms === undefined) return;
    this.#atById.delete(certificateId);
    this.#times.splice(firstAfter(this.#times, ms) - 1, 1);
  }

  has(certificateId: number): boolean {
    return this.#atById.has(certificateId);
  }

  usage(now: Date): BudgetUsage {
    const first = firstAfter(this.#times, now.getTime() - BUDGET_WINDOW_MS);
    const used = this.#times.length - first;
    const oldest = this.#times[first];
    return oldest === undefined
      ? { used: 0 }
      : { used, freesAt: new Date(oldest + BUDGET_WINDOW_MS) };
  }

  get size(): number {
    return this.#atById.size;
  }
}

/** No claimed purchase. */
export const NO_CLAIMED_PURCHASES: ClaimedPurchases = new PurchaseTimeline();

/** The index of the first time after `ms` in ascending `times` (its length when none is). */
function firstAfter(times: readonly number[], ms: number): number {
  let low = 0;
  let high = times.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((times[mid] ?? 0) <= ms) low = mid + 1;
    else high = mid;
  }
  return low;
}
