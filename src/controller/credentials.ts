// Which DNSimple token and account a resource uses: its issuer's token Secret (a
// DnsimpleIssuer's in its namespace, a ClusterDnsimpleIssuer's in the operator's namespace, or
// the operator's own token for a ClusterDnsimpleIssuer without one), else its same-namespace
// credentialsRef Secret (keys `token`, optional `accountId`). Which issuer, and whether it
// serves the resource at all, was judged before (issuers/policy.ts): this only reads the token.
// Without an account id, `whoami` finds it once per token. One client per token, all sharing the
// rate-limit budget registry. The API base URL is operator configuration only: a tenant
// cannot point the operator, and its token, elsewhere.
import type { DnsimpleCertificate } from "../api/v1alpha1.ts";
import { DnsimpleClient, type DnsimpleClientOptions } from "../dnsimple/client.ts";
import { tokenDigest } from "../dnsimple/rate-limit.ts";
import type { Whoami } from "../dnsimple/types.ts";
import type { IssuerGrant } from "../issuers/policy.ts";
import { secretStrings } from "../kube/secrets.ts";
import { failureFromError } from "./failures.ts";
import type { Failure } from "./observation.ts";
import type { SecretLookup } from "./ports.ts";

/** The operator's own token and account (flags), for ClusterDnsimpleIssuers without a Secret. */
export interface DefaultCredentials {
  /** `--dnsimple-token`. */
  token?: string;
  /** `--dnsimple-account-id`; absent: found with whoami. */
  accountId?: string;
}

/** A resource's DNSimple client and account, or why they could not be had. */
export type ResolvedCredentials =
  | { kind: "ok"; accountId: string; client: DnsimpleClient }
  | { kind: "failed"; failure: Failure };

/** The client options every token's client shares: all but the token. */
export type ClientSettings = Omit<DnsimpleClientOptions, "token">;

/** Finds each resource's token and account; one cached client per token. */
export class CredentialsResolver {
  readonly #secrets: SecretLookup;
  readonly #defaults: DefaultCredentials;
  readonly #settings: ClientSettings;
  readonly #now: () => number;
  readonly #clients = new Map<string, DnsimpleClient>();
  /** Account id per token: the answer, or the whoami call in flight (one per token). */
  readonly #accounts = new Map<string, Promise<Whoami>>();
  /** When each token was last resolved (see forgetIdle). */
  readonly #lastUsed = new Map<string, number>();

  /** `secrets` reads credentialsRef Secrets (a direct read: they are not cached). */
  constructor(
    secrets: SecretLookup,
    defaults: DefaultCredentials,
    settings: ClientSettings,
    now: () => number = Date.now,
  ) {
    this.#secrets = secrets;
    this.#defaults = defaults;
    this.#settings = settings;
    this.#now = now;
  }

  /**
   * Forgets the tokens no resource has resolved for `idleMs` (their Secret or their resources
   * are gone, or they serve and need no call): client, account and rate-limit budget. The
   * default token is kept. Returns the fingerprints forgotten (for their metric series); a
   * token used again costs one whoami (without an account id) and learns its budget anew.
   */
  forgetIdle(idleMs: number): string[] {
    const defaultKey = this.#defaults.token ? tokenKey(this.#defaults.token) : undefined;
    const forgotten: string[] = [];
    for (const [key, at] of this.#lastUsed) {
      if (key === defaultKey || this.#now() - at < idleMs) continue;
      this.#lastUsed.delete(key);
      this.#clients.delete(key);
      this.#accounts.delete(key);
      this.#settings.budget.forgetDigest(key);
      forgotten.push(key.slice(0, 12));
    }
    // Tokens the budget knows but no resource resolved (an issuer's, checked by whoami only).
    const keep = new Set([...this.#lastUsed.keys(), ...(defaultKey ? [defaultKey] : [])]);
    for (const key of this.#settings.budget.forgetStale(keep, idleMs)) {
      forgotten.push(key.slice(0, 12));
    }
    return forgotten;
  }

  /** Tokens known now (a client kept for each). */
  get tokenCount(): number {
    return this.#clients.size;
  }

  /** The client and account `resource` uses: its issuer's token, else its credentialsRef's. */
  async resolve(resource: DnsimpleCertificate, issuer?: IssuerGrant): Promise<ResolvedCredentials> {
    const found = issuer ? await this.#issuerToken(issuer) : await this.#tokenFor(resource);
    if ("failure" in found) return { kind: "failed", failure: found.failure };
    const client = this.#clientFor(found.token);
    const key = tokenKey(found.token);
    this.#lastUsed.set(key, this.#now());
    if (found.accountId) return { kind: "ok", accountId: found.accountId, client };
    // Workers resolving the same token at once share one whoami call; a failed call is
    // forgotten so the next reconcile asks again.
    let lookup = this.#accounts.get(key);
    if (!lookup) {
      lookup = client.whoami();
      this.#accounts.set(key, lookup);
      lookup.catch(() => this.#accounts.delete(key));
    }
    let accountId: string;
    try {
      const whoami = await lookup;
      if (!whoami.account) {
        return failed(
          "CredentialsNotFound",
          `${found.source} is a user token, which can reach several accounts: add the key accountId to say which`,
        );
      }
      accountId = String(whoami.account.id);
    } catch (err) {
      return { kind: "failed", failure: failureFromError(err, resource) };
    }
    return { kind: "ok", accountId, client };
  }

  /** The issuer's token: its Secret's, or the operator's own for a ClusterDnsimpleIssuer. */
  async #issuerToken(issuer: IssuerGrant): Promise<TokenFound | { failure: Failure }> {
    const secret = issuer.tokenSecret;
    if (secret) {
      return this.#tokenIn(secret.namespace, secret.name, `${issuer.label}'s token Secret`);
    }
    if (!this.#defaults.token) {
      return failed(
        "CredentialsNotFound",
        `${issuer.label} has no spec.credentialsRef and the operator has no token of its own (--dnsimple-token): the platform sets one of them`,
      );
    }
    return {
      token: this.#defaults.token,
      ...(this.#defaults.accountId ? { accountId: this.#defaults.accountId } : {}),
      source: `${issuer.label} (the operator's own token)`,
    };
  }

  /** The resource's own token: its credentialsRef Secret's, in its namespace. */
  async #tokenFor(resource: DnsimpleCertificate): Promise<TokenFound | { failure: Failure }> {
    const ref = resource.spec.credentialsRef;
    if (!ref) {
      return failed("IssuerNotSet", "neither spec.issuerRef nor spec.credentialsRef is set");
    }
    return this.#tokenIn(resource.metadata.namespace, ref.name, "spec.credentialsRef");
  }

  async #tokenIn(
    namespace: string,
    name: string,
    role: string,
  ): Promise<TokenFound | { failure: Failure }> {
    const source = `Secret ${namespace}/${name}`;
    const secret = await this.#secrets.read(namespace, name);
    if (!secret) {
      return failed(
        "CredentialsNotFound",
        `${source} (${role}) does not exist: create it with the DNSimple API token under the key "token"`,
      );
    }
    const data = secretStrings(secret);
    const token = data.token?.trim();
    if (!token) {
      return failed(
        "CredentialsNotFound",
        `${source} has no key "token": put the DNSimple API token there`,
      );
    }
    const accountId = data.accountId?.trim();
    if (accountId !== undefined && accountId !== "" && !/^\d+$/.test(accountId)) {
      return failed("CredentialsNotFound", `${source} has an accountId that is not a number`);
    }
    return { token, ...(accountId ? { accountId } : {}), source };
  }

  #clientFor(token: string): DnsimpleClient {
    const key = tokenKey(token);
    let client = this.#clients.get(key);
    if (!client) {
      client = new DnsimpleClient({ ...this.#settings, token });
      this.#clients.set(key, client);
    }
    return client;
  }
}

function failed(
  reason: Failure["reason"],
  message: string,
): { kind: "failed"; failure: Failure } & {
  failure: Failure;
} {
  return { kind: "failed", failure: { reason, message } };
}

/** A token, its account if the Secret gives it, and where it came from (for messages). */
interface TokenFound {
  token: string;
  accountId?: string;
  source: string;
}

/** Tokens are never kept as map keys in clear: the budget's digest, so forgetIdle can name it. */
const tokenKey = tokenDigest;
