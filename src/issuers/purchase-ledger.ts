// The purchase budget of an issuer's policy: orders per namespace in any 24 hours. Purchases
// are counted from the claims (DnsimpleCertificateClaim, via Order or Renewal: they survive a
// restart and no tenant can write them) and from this process's orders in flight or whose claim
// the cache does not show yet, so two workers of one namespace cannot both take the last one.

import type { ClaimedPurchases } from "./purchase-timeline.ts";

/** The budget's window. */
export const BUDGET_WINDOW_MS = 24 * 3_600_000;

/**
 * The budget's scope: the issuer (kind, name, a DnsimpleIssuer's namespace) and the namespace
 * that buys. One spelling for the grant, the claims' index and the ledger.
 */
export function purchaseScope(
  issuer: { kind: string; name: string; namespace?: string | undefined },
  namespace: string,
): string {
  return `${issuer.kind}/${issuer.namespace ?? ""}/${issuer.name}|${namespace}`;
}

/** A purchase counted against a scope (an issuer and a namespace). */
export interface Purchase {
  /** The certificate bought; undefined while the order is in flight. */
  certificateId?: number;
  at: Date;
}

/** How much of a scope's budget the last 24 hours used, and when the oldest purchase leaves it. */
export interface BudgetUsage {
  used: number;
  /** When the window frees its first slot (the oldest purchase's time plus 24 hours). */
  freesAt?: Date;
}

/** Purchases within the window, each certificate once. Pure. */
export function budgetUsage(purchases: readonly Purchase[], now: Date): BudgetUsage {
  const since = now.getTime() - BUDGET_WINDOW_MS;
  const seen = new Set<number>();
  const counted = purchases.filter((p) => {
    if (p.at.getTime() <= since) return false;
    if (p.certificateId === undefined) return true;
    if (seen.has(p.certificateId)) return false;
    seen.add(p.certificateId);
    return true;
  });
  if (counted.length === 0) return { used: 0 };
  const oldest = Math.min(...counted.map((p) => p.at.getTime()));
  return { used: counted.length, freesAt: new Date(oldest + BUDGET_WINDOW_MS) };
}

/** Two disjoint sets of purchases' use together. Pure. */
export function combinedUsage(a: BudgetUsage, b: BudgetUsage): BudgetUsage {
  const frees = [a.freesAt, b.freesAt].filter((d): d is Date => d !== undefined);
  if (frees.length === 0) return { used: a.used + b.used };
  return { used: a.used + b.used, freesAt: new Date(Math.min(...frees.map((d) => d.getTime()))) };
}

/** A slot taken by an order of this process; settled with the certificate, or given back. */
export interface Reservation {
  readonly scope: string;
  settle(certificateId: number): void;
  /** The order was refused (nothing was bought): the slot is free again. */
  release(): void;
}

/** This process's recent orders per scope, kept for the budget's window. */
export class PurchaseLedger {
  readonly #recent = new Map<string, Purchase[]>();

  /**
   * Takes a slot of the scope's budget if one is free, counting `claimed` (the scope's claimed
   * purchases) and this process's own; undefined when the budget is spent. Synchronous, so two
   * workers cannot both take the last slot.
   */
  reserve(
    scope: string,
    limit: number,
    claimed: ClaimedPurchases,
    now: Date,
  ): Reservation | undefined {
    if (this.usage(scope, claimed, now).used >= limit) return undefined;
    const own = this.#recent.get(scope) ?? [];
    const purchase: Purchase = { at: now };
    own.push(purchase);
    this.#recent.set(scope, own);
    return {
      scope,
      settle: (certificateId) => {
        purchase.certificateId = certificateId;
      },
      release: () => {
        const list = this.#recent.get(scope) ?? [];
        this.#recent.set(
          scope,
          list.filter((p) => p !== purchase),
        );
      },
    };
  }

  /** The scope's budget used: its claimed purchases, and this process's not claimed yet. */
  usage(scope: string, claimed: ClaimedPurchases, now: Date): BudgetUsage {
    return combinedUsage(claimed.usage(now), budgetUsage(this.own(scope, now, claimed), now));
  }

  /**
   * This process's purchases of the scope still within the window whose claim `claimed` does
   * not show yet (once it does, the claim counts the purchase: the ledger lets it go, and
   * stays as small as the orders in flight).
   */
  own(scope: string, now: Date, claimed?: ClaimedPurchases): readonly Purchase[] {
    const since = now.getTime() - BUDGET_WINDOW_MS;
    const kept = (this.#recent.get(scope) ?? []).filter(
      (p) =>
        p.at.getTime() > since && (p.certificateId === undefined || !claimed?.has(p.certificateId)),
    );
    if (kept.length === 0) this.#recent.delete(scope);
    else this.#recent.set(scope, kept);
    return kept;
  }
}
