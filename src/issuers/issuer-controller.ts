// The issuers' Ready condition, kept current: a small controller with a work queue of its own
// that reads each issuer's token (its Secret, or the operator's own), asks DNSimple's whoami,
// and writes the status issuer-status.ts derives, only when it changed, through the status
// subresource with the resourceVersion it read (a 409 is retried). An issuer is checked when
// its spec changes (not on status-only changes, which are this controller's own writes), and
// looked at again every resync interval, which is how a change to its token Secret is noticed:
// Secrets are not watched (only the operator's own TLS Secrets are cached), so each resync reads
// it (a Kubernetes GET). An issuer Verified for its current generation with the token as it is
// now (status.tokenVersion) is trusted without a DNSimple call until --issuer-reverify-interval
// has passed since its last check; a restart counts as a check, so it costs no call either. A
// revoked token is still found then at the latest, and at once by the first certificate call
// made with it. A check DNSimple could not answer (network, 5xx, 429) is retried with backoff,
// at most a resync apart.
//
// Several operators against one cluster (one per namespace, or test files running in parallel)
// each see every ClusterDnsimpleIssuer; one confined to namespaces checks only those that serve
// one of them or none yet (inScope), the others check every one. Each writes only
// when what it found differs from the status, and a stale write is a 409, so they do not loop;
// but operators that disagree (their DNSimple API or their own token differs) flip it back and
// forth once per resync. A known property of running several operators against one cluster.
import {
  CLUSTER_ISSUER_KIND,
  type DnsimpleIssuer,
  ISSUER_KIND,
  type IssuerRef,
} from "../api/issuers.ts";
import type { DefaultCredentials } from "../controller/credentials.ts";
import type { SecretLookup } from "../controller/ports.ts";
import { canonicalJson } from "../controller/reconciler.ts";
import { WorkQueue, type WorkResult } from "../controller/workqueue.ts";
import { tokenDigest } from "../dnsimple/rate-limit.ts";
import type { Whoami } from "../dnsimple/types.ts";
import { KubeApiError } from "../kube/errors.ts";
import { secretStrings } from "../kube/secrets.ts";
import type { Logger } from "../observability/logger.ts";
import { type Clock, systemClock } from "../time/clock.ts";
import {
  type IssuerVerdict,
  issuerStatus,
  stillVerified,
  type TokenCheck,
  type TokenSource,
  tokenSourceOf,
} from "./issuer-status.ts";

/** The cached issuers (the TenancyCache's). */
export interface IssuerCache {
  issuer(ref: IssuerRef, namespace: string): DnsimpleIssuer | undefined;
  listIssuers(cluster: boolean): readonly DnsimpleIssuer[];
}

/** Replaces an issuer's status with optimistic concurrency; a conflict throws (KubeApiError). */
export interface IssuerStatusWriter {
  replaceStatus(
    issuer: DnsimpleIssuer,
    status: NonNullable<DnsimpleIssuer["status"]>,
  ): Promise<DnsimpleIssuer>;
}

/** How tokens are checked: DNSimple's whoami for a token, and the operator's own token. */
export interface IssuerTokens {
  /** Who the token belongs to; throws a DnsimpleError when DNSimple refuses or is away. */
  whoami: (token: string) => Promise<Whoami>;
  /** `--dnsimple-token` and `--dnsimple-account-id`, for ClusterDnsimpleIssuers without a Secret. */
  defaults: DefaultCredentials;
}

export interface IssuerControllerOptions {
  issuers: IssuerCache;
  /** Reads token Secrets past any cache (they are not watched). */
  secrets: SecretLookup;
  status: IssuerStatusWriter;
  tokens: IssuerTokens;
  /** `--cluster-resource-namespace`: where ClusterDnsimpleIssuers' token Secrets live. */
  clusterResourceNamespace: string;
  /** Every issuer is looked at again this often. */
  resyncIntervalMs: number;
  /** A Verified issuer whose spec and token did not change is asked about again this often. */
  reverifyIntervalMs: number;
  /** How many checks run at once. */
  concurrency: number;
  /** False when this replica must not write (not, or no longer, the leader). */
  mayWrite?: () => boolean;
  /**
   * Whether the issuer is this operator's to check (issuer-scope.ts); every issuer
   * when not given. One out of scope is looked at again every resync (a namespace's labels
   * may bring it in).
   */
  inScope?: (issuer: DnsimpleIssuer) => boolean;
  log: Logger;
  /** The clock of the queue and of lastTransitionTime (the system's when not given). */
  clock?: Clock;
}

/** DNSimple could not be asked: the status says so, and the queue retries with backoff. */
export class IssuerCheckUnavailableError extends Error {
  override name = "IssuerCheckUnavailableError";
}

/** The work-queue key of an issuer: `ClusterDnsimpleIssuer//name`, `DnsimpleIssuer/ns/name`. */
export function issuerKey(kind: IssuerRef["kind"], name: string, namespace?: string): string {
  return `${kind}/${kind === CLUSTER_ISSUER_KIND ? "" : (namespace ?? "")}/${name}`;
}

/** The issuer a work-queue key stands for (the inverse of issuerKey). */
export function splitIssuerKey(key: string): IssuerRef & { namespace: string } {
  const [kind = "", namespace = "", name = ""] = key.split("/");
  return {
    kind: kind === CLUSTER_ISSUER_KIND ? CLUSTER_ISSUER_KIND : ISSUER_KIND,
    namespace,
    name,
  };
}

/**
 * A token as read from its source, with its version (IssuerStatus.tokenVersion), or why there
 * is none (a TokenCheck to report).
 */
export type TokenRead =
  | { kind: "found"; token: string; accountId?: string; version: string }
  | TokenCheck;

/**
 * Why the issuer needs no DNSimple call now, or undefined when it does: Verified with the token
 * as read (stillVerified), and either the first look since this process started or checked
 * less than the reverify interval ago.
 */
export function trustedWithoutCheck(
  issuer: DnsimpleIssuer,
  read: TokenRead,
  lastCheckedMs: number | undefined,
  nowMs: number,
  { reverifyIntervalMs }: Pick<IssuerControllerOptions, "reverifyIntervalMs">,
): string | undefined {
  if (read.kind !== "found" || !stillVerified(issuer, read.version)) return undefined;
  if (lastCheckedMs === undefined) return "trusted after the restart";
  if (nowMs - lastCheckedMs < reverifyIntervalMs) return "trusted until the reverify interval";
  return undefined;
}

/** Checks issuers' tokens and writes their Ready condition. */
export class IssuerController {
  readonly #options: IssuerControllerOptions;
  readonly #clock: Clock;
  readonly #queue: WorkQueue;
  /** What made the last seen version of each issuer worth a check (see fingerprint). */
  readonly #fingerprints = new Map<string, string>();
  /** When each issuer was last checked (or, on the first look after start, trusted). */
  readonly #checkedAt = new Map<string, number>();

  constructor(options: IssuerControllerOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#queue = new WorkQueue({
      concurrency: options.concurrency,
      clock: this.#clock,
      handler: (key) => this.reconcile(key),
      // A check DNSimple could not answer is tried again sooner than the resync, never later.
      maxBackoffMs: Math.min(5 * 60_000, options.resyncIntervalMs),
      onError: (key, err, retryInMs) => this.#failed(key, err, retryInMs),
    });
  }

  /**
   * The TenancyCache's onIssuerChanged: the issuer is checked when it is new or its spec
   * changed; a status-only change (this controller's own write, or another operator's) is not
   * worth a check. Says whether it changed at all (new, spec, deleted): the resources that use
   * it read nothing else of it.
   */
  issuerChanged(kind: IssuerRef["kind"], name: string, namespace?: string): boolean {
    const key = issuerKey(kind, name, namespace);
    const issuer = this.#options.issuers.issuer({ kind, name }, namespace ?? "");
    if (!issuer) {
      this.#fingerprints.delete(key);
      this.#checkedAt.delete(key);
      return true;
    }
    const now = fingerprint(issuer);
    if (this.#fingerprints.get(key) === now) return false;
    this.#fingerprints.set(key, now);
    this.#queue.add(key);
    return true;
  }

  /** Starts the workers and checks every cached issuer (each then again every resync). */
  start(): void {
    this.#queue.start();
    for (const cluster of [true, false]) {
      for (const issuer of this.#options.issuers.listIssuers(cluster)) {
        const { name, namespace } = issuer.metadata;
        this.#queue.add(issuerKey(issuer.kind, name, namespace));
      }
    }
  }

  /** Stops taking work; waits up to `timeoutMs` for checks in progress. */
  async stop(timeoutMs: number): Promise<void> {
    await this.#queue.shutdown(timeoutMs);
  }

  /** One check of the issuer `key` names; says when to check it again. */
  async reconcile(key: string): Promise<WorkResult> {
    const { kind, name, namespace } = splitIssuerKey(key);
    const issuer = this.#options.issuers.issuer({ kind, name }, namespace);
    if (!issuer || issuer.metadata.deletionTimestamp || !this.#mayWrite()) return {};
    if (this.#options.inScope && !this.#options.inScope(issuer)) {
      return { requeueAfterMs: this.#options.resyncIntervalMs };
    }
    const source = tokenSourceOf(issuer, this.#options.clusterResourceNamespace);
    const read = await this.#readToken(source);
    const now = this.#clock.now();
    const lastCheckedMs = this.#checkedAt.get(key);
    const trust = trustedWithoutCheck(issuer, read, lastCheckedMs, now, this.#options);
    if (trust) {
      if (lastCheckedMs === undefined) this.#checkedAt.set(key, now);
      this.#options.log.debug({ issuer: key }, `verified with this token: ${trust}`);
      return { requeueAfterMs: this.#options.resyncIntervalMs };
    }
    this.#checkedAt.set(key, now);
    const check = await this.#ask(read);
    const verdict = issuerStatus(issuer, source, check, new Date(this.#clock.now()));
    // Compared in a canonical form: the API server may order keys differently.
    if (canonicalJson(verdict.status) !== canonicalJson(issuer.status ?? {})) {
      if (!this.#mayWrite()) return {};
      await this.#options.status.replaceStatus(issuer, verdict.status);
      this.#logChange(key, verdict);
    }
    if (verdict.retry) throw new IssuerCheckUnavailableError(`${key}: DNSimple could not be asked`);
    return { requeueAfterMs: this.#options.resyncIntervalMs };
  }

  #mayWrite(): boolean {
    return this.#options.mayWrite?.() ?? true;
  }

  /** Asks whoami about the token read; a failed call is a finding, not an exception. */
  async #ask(read: TokenRead): Promise<TokenCheck> {
    if (read.kind !== "found") return read;
    try {
      const whoami = await this.#options.tokens.whoami(read.token);
      return {
        kind: "answered",
        whoami,
        tokenVersion: read.version,
        ...(read.accountId ? { accountId: read.accountId } : {}),
      };
    } catch (error) {
      return { kind: "failed", error };
    }
  }

  /** The token and account: the Secret's (read now, so a changed Secret counts), or the operator's. */
  async #readToken(source: TokenSource): Promise<TokenRead> {
    if (source.kind === "operator") {
      const { token, accountId } = this.#options.tokens.defaults;
      if (!token) return { kind: "no-operator-token" };
      const version = `operator:${tokenDigest(token).slice(0, 12)}:${accountId ?? ""}`;
      return { kind: "found", token, version, ...(accountId ? { accountId } : {}) };
    }
    const secret = await this.#options.secrets.read(source.namespace, source.name);
    if (!secret) return { kind: "secret-missing" };
    const data = secretStrings(secret);
    const token = data.token?.trim();
    if (!token) return { kind: "no-token-key" };
    const accountId = data.accountId?.trim();
    if (accountId && !/^\d+$/.test(accountId)) return { kind: "account-id-invalid" };
    const { uid = "", resourceVersion = "" } = secret.metadata ?? {};
    const version = `secret:${uid}/${resourceVersion}`;
    return { kind: "found", token, version, ...(accountId ? { accountId } : {}) };
  }

  #logChange(key: string, verdict: IssuerVerdict): void {
    const ready = verdict.status.conditions?.find((c) => c.type === "Ready");
    const fields = { issuer: key, reason: verdict.reason };
    if (ready?.status === "True") this.#options.log.info(fields, ready.message);
    else this.#options.log.warn(fields, ready?.message ?? "issuer not ready");
  }

  #failed(key: string, err: unknown, retryInMs: number): void {
    const { log } = this.#options;
    if (err instanceof IssuerCheckUnavailableError) {
      log.debug({ issuer: key, retryInMs }, "DNSimple could not be asked; checking again");
    } else if (err instanceof KubeApiError && err.conflict) {
      log.debug({ issuer: key, retryInMs }, "issuer changed meanwhile; checking again");
    } else {
      log.error({ issuer: key, err, retryInMs }, "issuer check failed; retrying with backoff");
    }
  }
}

/** What makes an issuer change worth a check: the object, its generation, its token Secret. */
function fingerprint(issuer: DnsimpleIssuer): string {
  const { uid, generation, deletionTimestamp } = issuer.metadata;
  return JSON.stringify([
    uid,
    generation,
    issuer.spec.credentialsRef?.name ?? null,
    Boolean(deletionTimestamp),
  ]);
}
