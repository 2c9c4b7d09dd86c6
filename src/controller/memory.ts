// What the reconciler keeps in memory between passes, because writing it to status would cost a
// Kubernetes write per look or hold key material: when each resource last looked for a DNSimple
// auto-renewal (after a restart, one inside DNSimple's renewal window waits an interval before
// looking), the last webhook hint that DNSimple may have renewed it, and a downloaded
// certificate whose private key could not be fetched yet (the next attempt does not download it
// again). Losing any of them costs at most one extra DNSimple call, or a look one interval
// later. And the DNSimple requests promised to the certificates in flight, with the orders
// queued for budget (request-commitments.ts).
import type { CertificateBundle } from "../dnsimple/types.ts";
import { RequestCommitments } from "./request-commitments.ts";

/** What the reconciler keeps per resource between passes, in memory only (see above). */
export class ReconcilerMemory {
  readonly #startedAt: Date;
  readonly #autoRenewChecks = new Map<string, Date>();
  readonly #autoRenewalHints = new Map<string, Date>();
  readonly #downloads = new Map<string, { certificateId: number; bundle: CertificateBundle }>();
  /** Requests promised and orders queued, per token (request-commitments.ts). */
  readonly commitments = new RequestCommitments();

  constructor(startedAt: Date) {
    this.#startedAt = startedAt;
  }

  /** When the process started (what a first look for an auto-renewal waits from). */
  get startedAt(): Date {
    return this.#startedAt;
  }

  /** When `key` last looked for an auto-renewal in this process; undefined: not yet. */
  lastAutoRenewCheck(key: string): Date | undefined {
    return this.#autoRenewChecks.get(key);
  }

  /** Records that `key` looked for an auto-renewal at `at`. */
  autoRenewChecked(key: string, at: Date): void {
    this.#autoRenewChecks.set(key, at);
  }

  /** The last webhook hint that DNSimple may have renewed `key`'s certificate. */
  autoRenewalHint(key: string): Date | undefined {
    return this.#autoRenewalHints.get(key);
  }

  /** Records a webhook hint for `key` (a look is then due: see decide/auto-renewal-pickup.ts). */
  hintAutoRenewal(key: string, at: Date): void {
    this.#autoRenewalHints.set(key, at);
  }

  /** The download kept for `key`, when it is of `certificateId`. */
  keptDownload(key: string, certificateId: number): CertificateBundle | undefined {
    const kept = this.#downloads.get(key);
    return kept?.certificateId === certificateId ? kept.bundle : undefined;
  }

  /** Keeps a downloaded certificate whose private key is still to be fetched. */
  keepDownload(key: string, certificateId: number, bundle: CertificateBundle): void {
    this.#downloads.set(key, { certificateId, bundle });
  }

  /** Drops the download kept for `key` (its private key was fetched). */
  dropDownload(key: string): void {
    this.#downloads.delete(key);
  }

  /** Drops everything kept about `key` (the resource is gone). */
  forget(key: string): void {
    this.#autoRenewChecks.delete(key);
    this.#autoRenewalHints.delete(key);
    this.#downloads.delete(key);
    this.commitments.forget(key);
  }
}
