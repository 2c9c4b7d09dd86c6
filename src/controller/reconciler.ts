// reconcile(key), the imperative shell around decide(): gather the observation, ask decide()
// for the next action, let one step carry it out, write the status patch the step returned
// (the one place status is written), record its Event, make the next observation from what it
// learned, and ask again, until the action is to wait. The final action becomes the status
// (status.ts) and the time of the next look.
import {
  API_VERSION,
  type DnsimpleCertificate,
  type DnsimpleCertificateStatus,
  KIND,
} from "../api/v1alpha1.ts";
import type { Logger } from "../observability/logger.ts";
import { type FinalAction, isFinal, type StepAction } from "./actions.ts";
import { decide } from "./decide.ts";
import { type GatherSources, gatherObservation, nextObservation } from "./gather.ts";
import { ReconcilerMemory } from "./memory.ts";
import type { Observation } from "./observation.ts";
import type { ReconcilerPorts } from "./ports.ts";
import { ORDER_REQUESTS, type OrderLane, requestsToFinish } from "./request-commitments.ts";
import { QUEUED, statusFor } from "./status.ts";
import { orderIntent } from "./steps/order.ts";
import { runStep } from "./steps/run-step.ts";
import {
  type EventNote,
  type PassHandles,
  type StatusPatch,
  type StepResult,
  sessionOf,
} from "./steps/step.ts";
import type { WorkResult } from "./workqueue.ts";

/** What a Reconciler works with: its I/O, its log, the operator's intervals, a clock. */
export interface ReconcilerOptions {
  ports: ReconcilerPorts;
  log: Logger;
  /** The first poll interval while DNSimple issues (see pollDelay). */
  pollIntervalMs: number;
  /** The resync interval: auto-renewals are looked for this often. */
  resyncIntervalMs: number;
  /** DNSimple's auto-renewal window (30 days before expiry when not given). */
  autoRenewalWindowMs?: number;
  /** Inside the window, the time between two looks for an auto-renewal (an hour when not given). */
  autoRenewalIntervalMs?: number;
  /** false: inside the window, look only when a webhook hints (true when not given). */
  autoRenewalPolling?: boolean;
  /** The clock of the passes (the system's when not given). */
  now?: () => Date;
  /** Told the outcome of each pass (for metrics), with the resource as it was left. */
  onOutcome?: (outcome: {
    key: string;
    action: FinalAction["kind"];
    reason?: string;
    resource: DnsimpleCertificate;
  }) => void;
  /**
   * False when this replica must not write (it is not, or no longer, the leader): checked before
   * every step, so a replica that loses its Lease stops at once.
   */
  mayWrite?: () => boolean;
}

/** This replica is not the leader: nothing may be written. */
export class NotLeaderError extends Error {
  override name = "NotLeaderError";
  constructor() {
    super("not the leader: reconcile stopped");
  }
}

/** DNSimple renews a Let's Encrypt certificate from 30 days before its expiry. */
export const AUTO_RENEWAL_WINDOW_MS = 30 * 86_400_000;

/** Inside that window, one look per hour: DNSimple retries daily, so an hour loses little. */
export const AUTO_RENEWAL_INTERVAL_MS = 3_600_000;

/** More steps than any real path needs; a guard against a decision that never settles. */
const MAX_STEPS = 16;

/** The work-queue key of a resource: namespace/name. */
export function keyOf(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/** The namespace and name a work-queue key stands for (the inverse of keyOf). */
export function splitKey(key: string): { namespace: string; name: string } {
  const [namespace = "", name = ""] = key.split("/");
  return { namespace, name };
}

/** What a reconcile has got to: the latest observation and the handles steps pass on. */
interface ReconcileState {
  key: string;
  observation: Observation;
  handles: PassHandles;
}

/** Runs passes: decide, carry the step out, again until a final action, then write status. */
export class Reconciler {
  readonly #options: ReconcilerOptions;
  readonly #memory: ReconcilerMemory;
  readonly #sources: GatherSources;
  /** The last version of each resource this process wrote, newer than the cache for a moment. */
  readonly #written = new Map<string, DnsimpleCertificate>();

  constructor(options: ReconcilerOptions) {
    this.#options = options;
    this.#memory = new ReconcilerMemory(this.#now());
    const { certificates, secrets, tenancy, ledger } = options.ports;
    const { pollIntervalMs, resyncIntervalMs } = options;
    this.#sources = {
      certificates,
      secrets,
      tenancy,
      ledger,
      memory: this.#memory,
      pollIntervalMs,
      resyncIntervalMs,
      autoRenewalPickup: {
        windowMs: options.autoRenewalWindowMs ?? AUTO_RENEWAL_WINDOW_MS,
        intervalMs: options.autoRenewalIntervalMs ?? AUTO_RENEWAL_INTERVAL_MS,
        polling: options.autoRenewalPolling ?? true,
      },
    };
  }

  #now(): Date {
    return this.#options.now?.() ?? new Date();
  }

  /** A webhook hint that DNSimple may have renewed `key`'s certificate (see memory.ts). */
  hintAutoRenewal(key: string, at: Date): void {
    this.#memory.hintAutoRenewal(key, at);
  }

  /** The cache has caught up with what this process wrote: stop holding the copy. */
  cacheUpdated(resource: DnsimpleCertificate): void {
    const key = keyOf(resource.metadata.namespace, resource.metadata.name);
    const written = this.#written.get(key);
    if (written && !isNewer(written, resource)) this.#written.delete(key);
  }

  /** The resource is gone: forget what is kept about it. */
  forget(namespace: string, name: string): void {
    const key = keyOf(namespace, name);
    this.#written.delete(key);
    this.#memory.forget(key);
  }

  /** One pass over the resource `key` names; says when to process it again. */
  async reconcile(key: string): Promise<WorkResult> {
    const resource = this.#current(key);
    // Deleted (or being deleted): nothing to do; the Secret stays (Retain) or is collected
    // through its owner reference.
    if (!resource || resource.metadata.deletionTimestamp) return {};
    let pass: ReconcileState = {
      key,
      observation: gatherObservation(key, resource, this.#now(), this.#sources),
      handles: {},
    };
    for (let step = 0; step < MAX_STEPS; step++) {
      if (this.#options.mayWrite && !this.#options.mayWrite()) throw new NotLeaderError();
      const action = decide(pass.observation);
      if (isFinal(action)) return this.#finish(pass, action);
      pass = await this.#carryOut(pass, action);
    }
    throw new Error(`reconcile of ${key} did not settle in ${MAX_STEPS} steps`);
  }

  /** One step: (for an order, the intent first), the step, its status patch, its Event. */
  async #carryOut(pass: ReconcileState, action: StepAction): Promise<ReconcileState> {
    let resource = pass.observation.resource;
    if (action.kind === "order") {
      // Before the purchase, on its own: see steps/order.ts.
      const { accountId, budgetKey } = sessionOf(pass.handles);
      // Admitted (decide/request-budget.ts): its requests are promised before it is sent.
      this.#memory.commitments.dequeue(pass.key);
      this.#memory.commitments.promise(pass.key, budgetKey, ORDER_REQUESTS);
      resource = await this.#writeStatus(
        pass.key,
        resource,
        orderIntent(pass.observation, action, accountId),
      );
    }
    const observation =
      resource === pass.observation.resource ? pass.observation : { ...pass.observation, resource };
    const result: StepResult = await runStep(observation, action, {
      ...pass.handles,
      key: pass.key,
      ports: this.#options.ports,
      memory: this.#memory,
    });
    if (result.status) resource = await this.#writeStatus(pass.key, resource, result.status);
    if (result.event) this.#record(pass.key, resource, result.event);
    return {
      key: pass.key,
      observation: nextObservation(observation, result.learned, resource),
      handles: { ...pass.handles, ...result.handles },
    };
  }

  async #finish(pass: ReconcileState, action: FinalAction): Promise<WorkResult> {
    const { observation, key } = pass;
    const { status, requeueAfterMs } = statusFor(observation, action);
    const changed = statusChanged(status, observation.resource.status ?? {});
    const resource = changed
      ? await this.#replaceStatus(key, observation.resource, status)
      : observation.resource;
    this.#settleRequests(pass, action, resource);
    const { log } = this.#options;
    if (action.kind === "queued" && !observation.resource.status?.queue) {
      const message = status.conditions?.find((c) => c.type === "Issuing")?.message ?? "";
      this.#record(key, resource, { type: "Normal", reason: QUEUED, message });
    }
    if (action.kind === "fail") {
      const { reason, message } = action.failure;
      this.#record(key, resource, { type: "Warning", reason, message });
      log.warn({ resource: key, reason, retryInMs: requeueAfterMs }, message);
    } else {
      // A queued order says what the budget looked like: why it waits, for whoever debugs it.
      const budget = action.kind === "queued" ? queuedBudget(observation) : undefined;
      log.debug(
        { resource: key, action: action.kind, requeueAfterMs, ...(budget ? { budget } : {}) },
        "reconciled",
      );
    }
    this.#options.onOutcome?.({
      key,
      action: action.kind,
      resource,
      ...(action.kind === "fail" ? { reason: action.failure.reason } : {}),
    });
    return { requeueAfterMs };
  }

  /**
   * What the pass leaves promised of the token's budget: a queued order keeps its place, a
   * certificate in flight the requests it still needs, anything else none. A pass that made no
   * call (a backoff) knows no token and leaves the promise as it was.
   */
  #settleRequests(pass: ReconcileState, action: FinalAction, resource: DnsimpleCertificate): void {
    const { commitments } = this.#memory;
    const budgetKey = pass.handles.session?.budgetKey;
    if (action.kind === "queued" && budgetKey) {
      commitments.release(pass.key);
      commitments.enqueue(pass.key, budgetKey, action.lane);
      return;
    }
    if (action.kind === "backoff") return;
    commitments.dequeue(pass.key);
    const requests = requestsToFinish(resource, action);
    if (budgetKey) commitments.promise(pass.key, budgetKey, requests);
    else if (requests === 0) commitments.release(pass.key);
  }

  /** Orders waiting for request budget by lane, and the requests promised (for the metrics). */
  requestQueue(): { queued: Record<OrderLane, number>; promised: number } {
    const { commitments } = this.#memory;
    return { queued: commitments.queued(), promised: commitments.promised };
  }

  /** The freshest copy: the cache, or what this process wrote if the cache lags behind. */
  #current(key: string): DnsimpleCertificate | undefined {
    const { namespace, name } = splitKey(key);
    const cached = this.#options.ports.certificates.get(namespace, name);
    const written = this.#written.get(key);
    if (cached && written && isNewer(written, cached)) return written;
    this.#written.delete(key);
    return cached;
  }

  #writeStatus(
    key: string,
    resource: DnsimpleCertificate,
    patch: StatusPatch,
  ): Promise<DnsimpleCertificate> {
    return this.#replaceStatus(key, resource, { ...resource.status, ...patch });
  }

  /** Writes the status with the resourceVersion the pass read; a conflict aborts the pass. */
  async #replaceStatus(
    key: string,
    resource: DnsimpleCertificate,
    status: DnsimpleCertificateStatus,
  ): Promise<DnsimpleCertificate> {
    // Through JSON: fields set to undefined are dropped, as the API server would.
    const clean = JSON.parse(JSON.stringify(status)) as DnsimpleCertificateStatus;
    const updated = await this.#options.ports.status.replaceStatus(resource, clean);
    this.#written.set(key, updated);
    this.#options.log.debug({ resource: key }, "status written");
    return updated;
  }

  #record(key: string, resource: DnsimpleCertificate, event: EventNote): void {
    const { name, namespace, uid, resourceVersion } = resource.metadata;
    const target = {
      apiVersion: API_VERSION,
      kind: KIND,
      metadata: { name, namespace, uid, ...(resourceVersion ? { resourceVersion } : {}) },
    };
    this.#options.ports.events.record(target, event.type, event.reason, event.message);
    this.#options.log.info({ resource: key, event: event.reason }, event.message);
  }
}

/**
 * Whether a pass's status differs from the one written, compared in a canonical form (the API
 * server may order keys differently). A first record of the Secret's check (verified-secret.ts)
 * is not a change by itself: after an upgrade every resource would write its status at once
 * for it. It is written with the next change; once written, it is kept current.
 */
export function statusChanged(
  next: DnsimpleCertificateStatus,
  written: DnsimpleCertificateStatus,
): boolean {
  const compared =
    written.verifiedSecret === undefined ? { ...next, verifiedSecret: undefined } : next;
  return canonicalJson(compared) !== canonicalJson(written);
}

/** JSON with sorted keys and without undefined fields, for comparing statuses. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : v,
  );
}

/** Whether `written` is a later version of the same object than `cached`. */
function isNewer(written: DnsimpleCertificate, cached: DnsimpleCertificate): boolean {
  if (written.metadata.uid !== cached.metadata.uid) return false;
  const w = Number(written.metadata.resourceVersion);
  const c = Number(cached.metadata.resourceVersion);
  return Number.isFinite(w) && Number.isFinite(c) && w > c;
}

/** The figures the request-budget gate judged a queued order by (no token, no names). */
function queuedBudget({ requestBudget: view }: Observation) {
  if (!view) return undefined;
  const { limit, remaining, reserve, committed, ahead, assumed } = view;
  return {
    limit,
    remaining,
    reserve,
    committed,
    ahead,
    resetAt: view.resetAt.toISOString(),
    assumed,
  };
}
