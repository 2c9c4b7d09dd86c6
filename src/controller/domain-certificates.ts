// DNSimple's list of a domain's certificates, shared by every resource of that (account,
// domain): looking for auto-renewals costs at most one list call per domain per interval (the
// `ttlMs`), not one per resource; a webhook hint asks for a list newer than itself. The list is read newest expiry first, one page of 100 at a time, and only as
// far as an asker needs: an auto-renewal expires after the certificate it replaces, so a
// resource needs the pages down to its own certificate's expiry. Concurrent askers share the
// calls; what was read is reused for `ttlMs`.
import type { DnsimpleClient } from "../dnsimple/client.ts";
import { MAX_PER_PAGE } from "../dnsimple/endpoints.ts";
import { appendNew, isLastPage } from "../dnsimple/pagination.ts";
import type { Certificate } from "../dnsimple/types.ts";

interface Listing {
  at: number;
  certificates: Certificate[];
  pagesRead: number;
  complete: boolean;
  /** The page being read, shared by everyone waiting for it. */
  reading?: Promise<void>;
}

/** DNSimple's certificate lists per (account, domain), read as far as needed, kept for `ttlMs`. */
export class DomainCertificates {
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #listings = new Map<string, Listing>();

  constructor(ttlMs: number, now: () => number = Date.now) {
    this.#ttlMs = ttlMs;
    this.#now = now;
  }

  /**
   * The domain's certificates, newest expiry first: at least every one that expires after
   * `expiringAfter` (every certificate when it is not given), from a list read after
   * `readAfter` when given (a webhook hint's time: what was read before it may be outdated).
   */
  async list(
    client: Pick<DnsimpleClient, "listCertificates">,
    accountId: number,
    domain: string,
    expiringAfter?: Date,
    readAfter?: Date,
  ): Promise<Certificate[]> {
    const key = `${accountId}/${domain}`;
    let listing = this.#listings.get(key);
    const stale = (l: Listing) =>
      this.#now() - l.at >= this.#ttlMs || (readAfter !== undefined && l.at < readAfter.getTime());
    if (!listing || stale(listing)) {
      listing = { at: this.#now(), certificates: [], pagesRead: 0, complete: false };
      this.#listings.set(key, listing);
    }
    while (!listing.complete && !reaches(listing.certificates, expiringAfter)) {
      listing.reading ??= this.#readNextPage(client, accountId, domain, key, listing);
      await listing.reading;
    }
    return listing.certificates;
  }

  async #readNextPage(
    client: Pick<DnsimpleClient, "listCertificates">,
    accountId: number,
    domain: string,
    key: string,
    listing: Listing,
  ): Promise<void> {
    try {
      const page = await client.listCertificates(accountId, domain, {
        sort: "expiration:desc",
        page: listing.pagesRead + 1,
        perPage: MAX_PER_PAGE,
      });
      // A certificate issued while paging shifts the later pages: keep the first sighting.
      appendNew(listing.certificates, page.data);
      listing.pagesRead += 1;
      listing.complete = isLastPage(page, listing.pagesRead);
    } catch (err) {
      // A failed call is not kept: the next asker starts the listing again.
      if (this.#listings.get(key) === listing) this.#listings.delete(key);
      throw err;
    } finally {
      listing.reading = undefined;
    }
  }
}

/**
 * Whether a list read newest expiry first has gone past `expiringAfter`. A certificate
 * without an expiry (not issued yet) says nothing: DNSimple may sort those first or last.
 */
function reaches(certificates: readonly Certificate[], expiringAfter: Date | undefined): boolean {
  if (!expiringAfter) return false;
  const last = certificates.at(-1)?.expires_at;
  return last !== undefined && last !== null && new Date(last) <= expiringAfter;
}
