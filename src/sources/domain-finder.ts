// The DNSimple domains that may hold a source's hosts, from the account's domain list
// (GET /v2/:account/domains?name_like=...). One list per distinct registrable-looking suffix of
// the hosts (their last two labels: every candidate domain contains it), shared by every source
// that asks within a few minutes and by callers that ask at once: a hundred Ingresses of one
// domain cost one call, not a hundred. Only asked when neither the domain annotation nor an
// existing generated resource says the domain (a restart costs nothing).
import type { DnsimpleClient } from "../dnsimple/client.ts";
import { lastTwoLabels } from "./host-names.ts";

/** How long an answer is reused: long enough to share a burst, short enough to see a new domain. */
const ANSWER_TTL_MS = 5 * 60_000;
/** Bound on remembered answers: one per (account, suffix). */
const MAX_ANSWERS = 1_000;

interface Answer {
  at: number;
  names: Promise<string[]>;
}

export class DomainFinder {
  readonly #answers = new Map<string, Answer>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** The names of the account's domains that could hold any of `hosts`. */
  async candidates(client: DnsimpleClient, accountId: string, hosts: readonly string[]) {
    const suffixes = [...new Set(hosts.map(lastTwoLabels))];
    const lists = await Promise.all(suffixes.map((s) => this.#list(client, accountId, s)));
    return [...new Set(lists.flat())];
  }

  #list(client: DnsimpleClient, accountId: string, nameLike: string): Promise<string[]> {
    const key = `${accountId}/${nameLike}`;
    const now = this.#now();
    const cached = this.#answers.get(key);
    if (cached && now - cached.at < ANSWER_TTL_MS) return cached.names;
    const names = client
      .allDomains(Number(accountId), { nameLike })
      .then((domains) => domains.map((d) => d.name.toLowerCase()));
    // A failed list is forgotten at once (unless a newer one replaced it): the next pass asks again.
    names.catch(() => {
      if (this.#answers.get(key)?.names === names) this.#answers.delete(key);
    });
    this.#answers.delete(key);
    this.#answers.set(key, { at: now, names });
    for (const [k, v] of this.#answers) {
      if (this.#answers.size <= MAX_ANSWERS && now - v.at < ANSWER_TTL_MS) break;
      this.#answers.delete(k);
    }
    return names;
  }
}
