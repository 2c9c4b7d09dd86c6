// DNSimple's list of a domain's certificates, shared by every resource of that (account,
// domain): looking for auto-renewals costs one list call per domain per resync, not one per
// resource. Concurrent askers wait for the same call; an answer is reused for `ttlMs`.
import type { DnsimpleClient } from "../dnsimple/client.ts";
import type { Certificate } from "../dnsimple/types.ts";

export class DomainCertificates {
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, { at: number; answer: Promise<Certificate[]> }>();

  constructor(ttlMs: number, now: () => number = Date.now) {
    this.#ttlMs = ttlMs;
    this.#now = now;
  }

  /** The domain's certificates, newest expiry first (the first page: 100 is plenty). */
  list(client: DnsimpleClient, accountId: number, domain: string): Promise<Certificate[]> {
    const key = `${accountId}/${domain}`;
    const cached = this.#entries.get(key);
    if (cached && this.#now() - cached.at < this.#ttlMs) return cached.answer;
    const answer = client
      .listCertificates(accountId, domain, { sort: "expiration:desc", perPage: 100 })
      .then((page) => page.data);
    // A failed call is not cached: the next asker tries again.
    answer.catch(() => this.#entries.delete(key));
    this.#entries.set(key, { at: this.#now(), answer });
    return answer;
  }
}
