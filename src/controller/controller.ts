// Wiring: informers on DnsimpleCertificates and on the operator's own labelled Secrets feed
// keys into the work queue; workers run the reconciler. A change that only touches status
// does not enqueue (the reconcile that wrote it already said when to look again); a periodic
// resync enqueues everything as a safety net.
import {
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  type V1Secret,
} from "@kubernetes/client-node";
import {
  type DnsimpleCertificate,
  MANAGED_SECRET_SELECTOR,
  SECRET_ANNOTATIONS,
} from "../api/v1alpha1.ts";
import { certificatesPath, listCertificates, replaceStatus } from "../kube/certificates.ts";
import { kubeCall } from "../kube/errors.ts";
import { EventRecorder } from "../kube/events.ts";
import { ResilientInformer } from "../kube/informer.ts";
import { applyTlsSecret, FIELD_MANAGER } from "../kube/secrets.ts";
import type { Logger } from "../observability/logger.ts";
import type { CredentialsResolver } from "./credentials.ts";
import { DomainCertificates } from "./domain-certificates.ts";
import { priorityOf } from "./priority.ts";
import { keyOf, Reconciler, type ReconcilerOptions, splitKey } from "./reconciler.ts";
import { WorkQueue } from "./workqueue.ts";

export interface ControllerOptions {
  kubeConfig: KubeConfig;
  credentials: (core: CoreV1Api) => CredentialsResolver;
  log: Logger;
  watchNamespace?: string;
  pollIntervalMs: number;
  resyncIntervalMs: number;
  concurrency: number;
  onOutcome?: ReconcilerOptions["onOutcome"];
  /** See ReconcilerOptions.mayWrite (leader election). */
  mayWrite?: () => boolean;
  /** Told when a reconcile throws (it is retried with backoff). */
  onReconcileError?: (key: string, err: unknown) => void;
  /** Told when a DnsimpleCertificate is deleted. */
  onDeleted?: (namespace: string, name: string) => void;
  /** Told after each full list of a cache (see ResilientInformerOptions.onList). */
  onList?: (kind: "DnsimpleCertificate" | "Secret") => void;
}

export class Controller {
  readonly #log: Logger;
  readonly #queue: WorkQueue;
  readonly #certificates: ResilientInformer<DnsimpleCertificate>;
  readonly #secrets: ResilientInformer<V1Secret>;
  readonly #resyncIntervalMs: number;
  #resyncTimer: NodeJS.Timeout | undefined;
  #stopping = false;

  constructor(options: ControllerOptions) {
    const { kubeConfig, log, watchNamespace: ns } = options;
    this.#log = log;
    this.#resyncIntervalMs = options.resyncIntervalMs;
    const core = kubeConfig.makeApiClient(CoreV1Api);
    const customObjects = kubeConfig.makeApiClient(CustomObjectsApi);

    const events = new EventRecorder(core, (err) => log.warn({ err }, "could not record an Event"));
    const reconciler = new Reconciler({
      ports: {
        certificates: {
          get: (namespace, name) => this.#certificates.get(name, namespace),
          list: (namespace) => this.#certificates.list(namespace),
        },
        secrets: { get: (namespace, name) => this.#secrets.get(name, namespace) },
        status: {
          replaceStatus: (resource, status) => replaceStatus(customObjects, resource, status),
        },
        secretWriter: {
          apply: async (secret) => {
            await applyTlsSecret(core, secret);
          },
        },
        events: {
          record: (target, type, reason, message) =>
            void events.record(target, type, reason, message),
        },
        credentials: options.credentials(core),
        // Half a resync: every resource of a domain checked in one resync shares one list call.
        domainCertificates: new DomainCertificates(options.resyncIntervalMs / 2),
      },
      log,
      pollIntervalMs: options.pollIntervalMs,
      resyncIntervalMs: options.resyncIntervalMs,
      ...(options.onOutcome ? { onOutcome: options.onOutcome } : {}),
      ...(options.mayWrite ? { mayWrite: options.mayWrite } : {}),
    });
    this.#queue = new WorkQueue({
      concurrency: options.concurrency,
      handler: (key) => reconciler.reconcile(key),
      priority: (key) => {
        const { namespace, name } = splitKey(key);
        return priorityOf(this.#certificates.get(name, namespace), new Date());
      },
      onError: (key, err, retryInMs) => {
        options.onReconcileError?.(key, err);
        log.error({ resource: key, err, retryInMs }, "reconcile failed; retrying with backoff");
      },
    });

    // A relist is how a watch that expired (410 Gone) catches up: worth a line when it happens.
    const listed = (kind: "DnsimpleCertificate" | "Secret") => (items: number, nth: number) => {
      options.onList?.(kind);
      if (nth > 1)
        log.info({ kind, items, lists: nth }, `relisted ${kind}s: the watch could not resume`);
      else log.debug({ kind, items }, `listed ${kind}s`);
    };
    const enqueue = (obj: DnsimpleCertificate) => this.#queue.add(keyOfResource(obj));
    // The fingerprint last seen per resource name (a name deleted and re-created while a
    // watch was down comes back from the relist as an update: the uid in it tells).
    const generations = new Map<string, string>();
    this.#certificates = new ResilientInformer<DnsimpleCertificate>({
      kubeConfig,
      path: certificatesPath(ns),
      list: () => listCertificates(customObjects, ns),
      onList: listed("DnsimpleCertificate"),
      // Two thirds of a cached resource is managedFields, which nothing here reads.
      trim: (obj) => {
        delete obj.metadata.managedFields;
      },
      onAdd: (obj) => {
        generations.set(keyOfResource(obj), fingerprint(obj));
        enqueue(obj);
      },
      onUpdate: (obj) => {
        // Spec, annotations, labels or deletion changed: look again. Status-only: do not.
        const now = fingerprint(obj);
        if (generations.get(keyOfResource(obj)) !== now) enqueue(obj);
        generations.set(keyOfResource(obj), now);
        reconciler.cacheUpdated(obj);
      },
      onDelete: (obj) => {
        generations.delete(keyOfResource(obj));
        reconciler.forget(obj.metadata.namespace, obj.metadata.name);
        options.onDeleted?.(obj.metadata.namespace, obj.metadata.name);
      },
      onError: (err, retryInMs) =>
        log.warn({ err, retryInMs }, "DnsimpleCertificate watch failed; restarting"),
    });

    // Only the operator's own Secrets: never a cache of every Secret in the cluster.
    const ownerOf = (secret: V1Secret) => {
      const owner = secret.metadata?.annotations?.[SECRET_ANNOTATIONS.owner];
      const namespace = secret.metadata?.namespace;
      if (owner && namespace) this.#queue.add(keyOf(namespace, owner));
    };
    this.#secrets = new ResilientInformer<V1Secret>({
      kubeConfig,
      path: ns ? `/api/v1/namespaces/${ns}/secrets` : "/api/v1/secrets",
      labelSelector: MANAGED_SECRET_SELECTOR,
      list: () =>
        kubeCall("list Secrets", () =>
          ns
            ? core.listNamespacedSecret({ namespace: ns, labelSelector: MANAGED_SECRET_SELECTOR })
            : core.listSecretForAllNamespaces({ labelSelector: MANAGED_SECRET_SELECTOR }),
        ),
      onList: listed("Secret"),
      // Only the operator's own managedFields entry is read (which template keys it set).
      trim: (secret) => {
        const metadata = secret.metadata;
        if (metadata?.managedFields) {
          metadata.managedFields = metadata.managedFields.filter(
            (f) => f.manager === FIELD_MANAGER,
          );
        }
      },
      onAdd: ownerOf,
      onUpdate: ownerOf,
      onDelete: ownerOf,
      onError: (err, retryInMs) => log.warn({ err, retryInMs }, "Secret watch failed; restarting"),
    });
  }

  /**
   * Starts the caches and waits until both have listed (a failed list is retried by the
   * informer). Standby replicas keep warm caches too, so a takeover starts at once.
   */
  async startCaches(): Promise<void> {
    await this.#secrets.start();
    await this.#certificates.start();
    while (!this.synced) {
      if (this.#stopping) return;
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /**
   * Starts the workers and the resync, after startCaches: a reconcile never sees a
   * half-filled cache, which would make every Ready resource look like it lost its Secret.
   */
  startWorkers(): void {
    if (this.#stopping) return;
    this.#queue.start();
    this.#resync();
    this.#resyncTimer = setInterval(() => this.#resync(), this.#resyncIntervalMs);
    this.#resyncTimer.unref();
    this.#log.info("controller started");
  }

  /** Caches, then workers: for a single replica without leader election. */
  async start(): Promise<void> {
    await this.startCaches();
    this.startWorkers();
  }

  /** Enqueues the resources whose certificate (or renewal in flight) is this DNSimple id. */
  enqueueCertificate(certificateId: number): number {
    let count = 0;
    for (const obj of this.#certificates.list()) {
      const { certificateId: current, renewedCertificateId } = obj.status ?? {};
      if (current === certificateId || renewedCertificateId === certificateId) {
        this.#queue.add(keyOfResource(obj));
        count += 1;
      }
    }
    return count;
  }

  get synced(): boolean {
    return this.#certificates.synced && this.#secrets.synced;
  }

  get queueDepth(): number {
    return this.#queue.length;
  }

  #resync(): void {
    for (const obj of this.#certificates.list()) {
      this.#queue.add(keyOfResource(obj));
    }
  }

  /** Stops taking work; waits up to `timeoutMs` for reconciles in progress. */
  async stop(timeoutMs: number): Promise<void> {
    this.#stopping = true;
    clearInterval(this.#resyncTimer);
    await this.#queue.shutdown(timeoutMs);
    await Promise.all([this.#certificates.stop(), this.#secrets.stop()]);
  }
}

/** What makes a change worth a reconcile: everything but status and bookkeeping. */
function fingerprint(obj: DnsimpleCertificate): string {
  const { uid, generation, annotations, labels, deletionTimestamp } = obj.metadata;
  return JSON.stringify([
    uid,
    generation,
    annotations ?? {},
    labels ?? {},
    Boolean(deletionTimestamp),
  ]);
}

function keyOfResource(obj: DnsimpleCertificate): string {
  return keyOf(obj.metadata.namespace, obj.metadata.name);
}
