// The DNSimple requests the operator has already promised, per token: every certificate bought
// and not yet downloaded still needs its issue, a poll, the download and the key, and a purchase
// that spends the budget those need would leave certificates paid for and undelivered until the
// next window (the first window of a burst under a tight budget went on purchases alone). With
// them, the orders waiting for budget, in the order they will be admitted: due renewals first,
// then new certificates, each in arrival order. Kept in memory: after a restart the first passes
// over the resources in flight promise their requests again before any order is admitted.
import type { DnsimpleCertificate } from "../api/v1alpha1.ts";
import type { FinalAction } from "./actions.ts";

/** The queues of orders waiting for budget: renewals are admitted before new certificates. */
export type OrderLane = "renewal" | "new";

/** The requests a certificate costs from its order to its Secret: order, issue, poll, download, key. */
export const ORDER_REQUESTS = 5;

/** What a token's budget has promised and queued, as a pass sees it. */
export interface CommittedView {
  /** Requests promised to other resources' certificates in flight. */
  committed: number;
  /** Orders queued before this resource's in each lane (all of them when it is not queued). */
  ahead: Record<OrderLane, number>;
}

/** Promised requests and queued orders of every token, by the token's budget key. */
export class RequestCommitments {
  readonly #promised = new Map<string, { budget: string; requests: number }>();
  readonly #totals = new Map<string, number>();
  /** Per budget, the queued keys in the order they queued, with their lane. */
  readonly #queues = new Map<string, Map<string, OrderLane>>();

  /** `key` still needs `requests` of `budget`'s (0: none; replaces what it promised before). */
  promise(key: string, budget: string, requests: number): void {
    this.release(key);
    if (requests <= 0) return;
    this.#promised.set(key, { budget, requests });
    this.#totals.set(budget, (this.#totals.get(budget) ?? 0) + requests);
  }

  /** `key` needs nothing more (delivered, failed for good, deleted). */
  release(key: string): void {
    const held = this.#promised.get(key);
    if (!held) return;
    this.#promised.delete(key);
    const left = (this.#totals.get(held.budget) ?? 0) - held.requests;
    if (left > 0) this.#totals.set(held.budget, left);
    else this.#totals.delete(held.budget);
  }

  /** What `budget` has promised to others than `key`, and the orders queued before it. */
  viewFor(key: string, budget: string): CommittedView {
    const own = this.#promised.get(key);
    const total = this.#totals.get(budget) ?? 0;
    const committed = own?.budget === budget ? total - own.requests : total;
    const ahead: Record<OrderLane, number> = { renewal: 0, new: 0 };
    const queue = this.#queues.get(budget);
    const mine = queue?.get(key);
    let passedMine = false;
    for (const [other, lane] of queue ?? []) {
      if (other === key) {
        passedMine = true;
        continue;
      }
      // Queued later in the same lane: after this one. (A renewal queued later still goes
      // before a new order: the gate counts every renewal ahead of one.)
      if (passedMine && lane === mine) continue;
      ahead[lane] += 1;
    }
    return { committed, ahead };
  }

  /** `key`'s order waits for `budget` in `lane` (kept in its place when already queued). */
  enqueue(key: string, budget: string, lane: OrderLane): void {
    let queue = this.#queues.get(budget);
    if (!queue) {
      queue = new Map();
      this.#queues.set(budget, queue);
    }
    if (queue.get(key) !== lane) {
      queue.delete(key);
      queue.set(key, lane);
    }
  }

  /** `key` waits no longer (ordered, or no order wanted any more). */
  dequeue(key: string): void {
    for (const [budget, queue] of this.#queues) {
      if (!queue.delete(key)) continue;
      if (queue.size === 0) this.#queues.delete(budget);
    }
  }

  /** `key` is gone. */
  forget(key: string): void {
    this.release(key);
    this.dequeue(key);
  }

  /** Orders waiting for budget, by lane, over every token (for the metrics). */
  queued(): Record<OrderLane, number> {
    const counts: Record<OrderLane, number> = { renewal: 0, new: 0 };
    for (const queue of this.#queues.values()) for (const lane of queue.values()) counts[lane] += 1;
    return counts;
  }

  /** Requests promised over every token (for the metrics). */
  get promised(): number {
    let sum = 0;
    for (const total of this.#totals.values()) sum += total;
    return sum;
  }
}

/**
 * The requests a resource still needs before its certificate in flight is in the Secret, as the
 * pass left it: none once Ready (or before anything is bought), the order's five while an intent
 * may or may not have gone through, the rest of the way for a certificate bought.
 */
export function requestsToFinish(resource: DnsimpleCertificate, action: FinalAction): number {
  if (action.kind === "ready" || action.kind === "queued") return 0;
  const status = resource.status ?? {};
  if (status.pendingOrder) return ORDER_REQUESTS;
  const renewing = status.renewalId !== undefined || status.renewedCertificateId !== undefined;
  const ready = status.conditions?.some((c) => c.type === "Ready" && c.status === "True");
  const bought = renewing || (status.certificateId !== undefined && !ready);
  if (!bought) return 0;
  // Issue (while DNSimple has not been asked yet), one poll, the download and the key.
  return status.state === "new" ? 4 : 3;
}
