// Leader election on a coordination.k8s.io/v1 Lease, with client-go's algorithm: every retry
// period a candidate tries to acquire or renew the Lease; another holder's Lease counts as
// expired only when its record has not changed for a lease duration *as observed locally*
// (clocks of different machines are never compared); a leader that cannot renew for the renew
// deadline stops leading; on shutdown the leader releases the Lease (empty holder) so a
// successor takes over at once instead of waiting for expiry.

import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { CoordinationV1Api, V1Lease } from "@kubernetes/client-node";
import { KubeApiError, kubeCall } from "./errors.ts";

/**
 * A Lease's times are MicroTime: six fractional digits. client-node would send a Date with
 * three, which the API server refuses, so the string goes out as is (typed as the model says).
 */
function microTime(ms: number): Date {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z") as unknown as Date;
}

export interface LeaderElectionOptions {
  api: CoordinationV1Api;
  namespace: string;
  name: string;
  identity?: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  onStartedLeading: () => void;
  /** Called once when leadership is lost; the caller must stop writing at once. */
  onStoppedLeading: () => void;
  onError?: (err: unknown) => void;
  now?: () => number;
}

export class LeaderElector {
  readonly identity: string;
  readonly #o: LeaderElectionOptions;
  #leading = false;
  #stopped = false;
  #timer: NodeJS.Timeout | undefined;
  /** The last Lease record seen and when it was seen (local clock). */
  #observed: { record: string; at: number } | undefined;
  #lastRenewal = 0;
  #inflight: Promise<void> = Promise.resolve();

  constructor(options: LeaderElectionOptions) {
    this.#o = options;
    this.identity = options.identity ?? `${hostname()}_${randomBytes(4).toString("hex")}`;
  }

  get leading(): boolean {
    return this.#leading;
  }

  #now(): number {
    return this.#o.now?.() ?? Date.now();
  }

  start(): void {
    this.#stopped = false;
    this.#inflight = this.#tick();
  }

  async #tick(): Promise<void> {
    if (this.#stopped) return;
    try {
      const held = await this.#tryAcquireOrRenew();
      if (held) {
        this.#lastRenewal = this.#now();
        if (!this.#leading) {
          this.#leading = true;
          this.#o.onStartedLeading();
        }
      } else if (this.#leading) {
        this.#lose();
      }
    } catch (err) {
      this.#o.onError?.(err);
      // A leader that cannot renew within the renew deadline must stop: another replica
      // may take over once the lease duration has passed.
      if (this.#leading && this.#now() - this.#lastRenewal >= this.#o.renewDeadlineMs) this.#lose();
    }
    if (!this.#stopped) {
      this.#timer = setTimeout(() => {
        this.#inflight = this.#tick();
      }, this.#o.retryPeriodMs);
      this.#timer.unref();
    }
  }

  #lose(): void {
    this.#leading = false;
    this.#o.onStoppedLeading();
  }

  async #tryAcquireOrRenew(): Promise<boolean> {
    const now = microTime(this.#now());
    const lease = await this.#readLease();
    if (lease === undefined) {
      await this.#createLease(now);
      return true;
    }
    const spec = lease.spec ?? {};
    const holder = spec.holderIdentity ?? "";
    const iHold = holder === this.identity;
    const expired = this.#observeExpiry(spec);
    if (holder !== "" && !iHold && !expired) return false;

    lease.spec = {
      ...spec,
      holderIdentity: this.identity,
      leaseDurationSeconds: Math.ceil(this.#o.leaseDurationMs / 1000),
      renewTime: now,
      ...(iHold ? {} : { acquireTime: now, leaseTransitions: (spec.leaseTransitions ?? 0) + 1 }),
    };
    return this.#replaceLease(lease);
  }

  /** The Lease, or undefined when there is none yet. */
  async #readLease(): Promise<V1Lease | undefined> {
    const { api, namespace, name } = this.#o;
    try {
      return await kubeCall(`get Lease ${namespace}/${name}`, () =>
        api.readNamespacedLease({ namespace, name }),
      );
    } catch (err) {
      if (err instanceof KubeApiError && err.notFound) return undefined;
      throw err;
    }
  }

  async #createLease(now: Date): Promise<void> {
    const { api, namespace, name } = this.#o;
    await kubeCall(`create Lease ${namespace}/${name}`, () =>
      api.createNamespacedLease({
        namespace,
        body: {
          metadata: { name, namespace },
          spec: {
            holderIdentity: this.identity,
            leaseDurationSeconds: Math.ceil(this.#o.leaseDurationMs / 1000),
            acquireTime: now,
            renewTime: now,
            leaseTransitions: 0,
          },
        },
      }),
    );
  }

  /**
   * Whether the Lease has expired as observed locally: its record (holder, renew time,
   * transitions) has not changed for its lease duration on this replica's clock.
   */
  #observeExpiry(spec: NonNullable<V1Lease["spec"]>): boolean {
    const record = JSON.stringify([spec.holderIdentity, spec.renewTime, spec.leaseTransitions]);
    if (this.#observed?.record !== record) this.#observed = { record, at: this.#now() };
    const durationMs = (spec.leaseDurationSeconds ?? 0) * 1000;
    return this.#now() >= (this.#observed?.at ?? 0) + durationMs;
  }

  /** Writes the Lease back; false when another candidate wrote it first. */
  async #replaceLease(lease: V1Lease): Promise<boolean> {
    const { api, namespace, name } = this.#o;
    try {
      // The resourceVersion makes this a compare-and-swap: two candidates cannot both win.
      await kubeCall(`update Lease ${namespace}/${name}`, () =>
        api.replaceNamespacedLease({ namespace, name, body: lease }),
      );
    } catch (err) {
      if (err instanceof KubeApiError && err.conflict) return false;
      throw err;
    }
    return true;
  }

  /** Stops electing; a leader gives the Lease up so a successor need not wait for expiry. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    // A renewal in flight must not land after the release below.
    await this.#inflight;
    if (!this.#leading) return;
    this.#leading = false;
    const { api, namespace, name } = this.#o;
    try {
      const lease = await api.readNamespacedLease({ namespace, name });
      if (lease.spec?.holderIdentity !== this.identity) return;
      lease.spec = {
        ...lease.spec,
        holderIdentity: "",
        leaseDurationSeconds: 1,
        renewTime: microTime(this.#now()),
      };
      await api.replaceNamespacedLease({ namespace, name, body: lease });
    } catch (err) {
      this.#o.onError?.(err);
    }
  }
}
