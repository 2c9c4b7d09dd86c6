// Wiring: informers on DnsimpleCertificates and on the operator's own labelled Secrets feed
// keys into the work queue; workers run the reconciler through one handler that times and
// reports every reconcile (as controller-runtime's reconcileHandler). A change that only
// touches status does not enqueue (the reconcile that wrote it already said when to look
// again); a periodic resync enqueues everything as a safety net. The issuers' Ready condition
// is kept by a small controller of its own (issuers/issuer-controller.ts), fed by the same
// issuer cache.
import {
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  NetworkingV1Api,
  type V1Secret,
} from "@kubernetes/client-node";
import { CLUSTER_ISSUER_KIND, type DnsimpleIssuer, type IssuerRef } from "../api/issuers.ts";
import {
  type DnsimpleCertificate,
  MANAGED_SECRET_SELECTOR,
  SECRET_ANNOTATIONS,
} from "../api/v1alpha1.ts";
import { IssuerController, type IssuerTokens } from "../issuers/issuer-controller.ts";
import { checkedBy } from "../issuers/issuer-scope.ts";
import { PurchaseLedger } from "../issuers/purchase-ledger.ts";
import { TenancyCache } from "../issuers/tenancy-cache.ts";
import {
  certificatesPath,
  createCertificate,
  deleteCertificate,
  listCertificates,
  replaceCertificate,
  replaceStatus,
} from "../kube/certificates.ts";
import { kubeCall } from "../kube/errors.ts";
import { EventRecorder } from "../kube/events.ts";
import { ResilientInformer } from "../kube/informer.ts";
import { replaceIssuerStatus } from "../kube/issuer-status.ts";
import { ObjectIndex } from "../kube/object-index.ts";
import { ScopedInformer } from "../kube/scoped-informer.ts";
import {
  applyTlsSecret,
  createTlsSecret,
  readSecret,
  type TlsSecretApply,
  tlsDataOf,
} from "../kube/secrets.ts";
import type { Logger } from "../observability/logger.ts";
import { DomainFinder } from "../sources/domain-finder.ts";
import { sourceLabel } from "../sources/generated.ts";
import { SourceCaches } from "../sources/source-caches.ts";
import { SourceController } from "../sources/source-controller.ts";
import { type Clock, systemClock } from "../time/clock.ts";
import type { CredentialsResolver } from "./credentials.ts";
import { DomainCertificates } from "./domain-certificates.ts";
import { OwnWrites } from "./own-writes.ts";
import type { ReconcilerPorts, SecretLookup, WrittenSecret } from "./ports.ts";
import { type Priority, priorityOf } from "./priority.ts";
import {
  AUTO_RENEWAL_INTERVAL_MS,
  keyOf,
  NotLeaderError,
  Reconciler,
  type ReconcilerOptions,
  splitKey,
} from "./reconciler.ts";
import type { OrderLane } from "./request-commitments.ts";
import { keepWhatDecisionsRead } from "./secret-cache.ts";
import { WorkQueue, type WorkResult } from "./workqueue.ts";

/** See Controller.queueStats. */
export interface QueueStats {
  lanes: Record<Priority, number>;
  queued: Record<OrderLane, number>;
  promised: number;
}

/** The kinds the controller keeps a cache (informer) of. */
export type CacheKind = "DnsimpleCertificate" | "Secret";

/** Where issuers and claims are read: the operator's settings for them. */
export interface TenancySettings {
  /** The DNSimple API base URL: claims are recorded per API. */
  apiBaseUrl: string;
  /** `--default-cluster-issuer`: for resources that name neither issuer nor credentials. */
  defaultClusterIssuer?: string;
  /** `--cluster-resource-namespace`: where ClusterDnsimpleIssuers' token Secrets live. */
  clusterResourceNamespace: string;
}

/** Which objects may be sources of generated DnsimpleCertificates (src/sources). */
export interface SourceSettings {
  /** `--ingress-shim`: annotated Ingresses. */
  ingresses: boolean;
  /** `--enable-gateway-api`: annotated Gateways, once their CRD is served. */
  gateways: boolean;
}

/** What the controller is wired from: the cluster, credentials, intervals and hooks. */
export interface ControllerOptions {
  kubeConfig: KubeConfig;
  /** Makes the credentials resolver, given the core API client. */
  /** Makes the resolver of tokens, given a reader of credentials Secrets. */
  credentials: (secrets: SecretLookup) => CredentialsResolver;
  /** How the issuers' tokens are checked for their Ready condition (whoami, the own token). */
  issuerTokens: IssuerTokens;
  /** Told the fingerprints of tokens forgotten because no resource used them for a while. */
  onTokensForgotten?: (fingerprints: string[]) => void;
  log: Logger;
  /** Issuers and claims (see TenancySettings). */
  tenancy: TenancySettings;
  /** Ingress and Gateway sources; none when not given. */
  sources?: SourceSettings;
  /** Only these namespaces' resources, issuers and Secrets; every namespace when not given. */
  watchNamespaces?: readonly string[];
  /** The first poll interval while DNSimple issues (see pollDelay). */
  pollIntervalMs: number;
  /** How often every resource is enqueued again (the safety net). */
  resyncIntervalMs: number;
  /** DNSimple's auto-renewal window (see ReconcilerOptions.autoRenewalWindowMs). */
  autoRenewalWindowMs?: number;
  /** See ReconcilerOptions.autoRenewalIntervalMs. */
  autoRenewalIntervalMs?: number;
  /** See ReconcilerOptions.autoRenewalPolling. */
  autoRenewalPolling?: boolean;
  /** See IssuerControllerOptions.reverifyIntervalMs (the resync interval when not given). */
  issuerReverifyIntervalMs?: number;
  /** How many reconciles run at once. */
  concurrency: number;
  /** See ReconcilerOptions.onOutcome (metrics). */
  onOutcome?: ReconcilerOptions["onOutcome"];
  /** See ReconcilerOptions.mayWrite (leader election). */
  mayWrite?: () => boolean;
  /** Told after every reconcile, with how long it took and how it ended. */
  onReconciled?: (key: string, seconds: number, ended: "done" | "error" | "stopped") => void;
  /** Told when a DnsimpleCertificate is deleted. */
  onDeleted?: (namespace: string, name: string) => void;
  /** Told after each full list of a cache (see ResilientInformerOptions.onList). */
  onList?: (kind: CacheKind) => void;
  /** The clock of the queue, informers, Events and timings (the system's when not given). */
  clock?: Clock;
}

/** The DnsimpleCertificate controller: informers, work queue and reconciler, wired together. */
export class Controller {
  readonly #options: ControllerOptions;
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #reconciler: Reconciler;
  readonly #credentials: CredentialsResolver;
  readonly #queue: WorkQueue;
  readonly #certificates: ScopedInformer<DnsimpleCertificate>;
  /** The cached resources by namespace and spec.secretName (who else writes this Secret). */
  readonly #bySecretName = new ObjectIndex<DnsimpleCertificate>((obj) =>
    keyOf(obj.metadata.namespace, obj.spec.secretName),
  );
  readonly #secrets: ScopedInformer<V1Secret>;
  /** Issuers, namespaces' labels and ownership claims. */
  readonly #tenancy: TenancyCache;
  /** The issuers' Ready condition (its own queue, fed by the TenancyCache's issuer events). */
  readonly #issuers: IssuerController;
  /** What made the last seen version of each resource worth a reconcile (see fingerprint). */
  readonly #fingerprints = new Map<string, string>();
  /** The Secrets this process wrote, until the watch brings each write back (own-writes.ts). */
  readonly #ownSecretWrites = new OwnWrites<V1Secret>();
  /** Annotated Ingresses and Gateways, and the controller that generates their resources. */
  readonly #sourceCaches: SourceCaches | undefined;
  readonly #sources: SourceController | undefined;
  #resyncTimer: NodeJS.Timeout | undefined;
  #stopping = false;

  /** Inside DNSimple's window, the time between two looks for an auto-renewal. */
  get #autoRenewalIntervalMs(): number {
    return this.#options.autoRenewalIntervalMs ?? AUTO_RENEWAL_INTERVAL_MS;
  }

  constructor(options: ControllerOptions) {
    this.#options = options;
    this.#log = options.log;
    this.#clock = options.clock ?? systemClock;
    const core = options.kubeConfig.makeApiClient(CoreV1Api);
    const customObjects = options.kubeConfig.makeApiClient(CustomObjectsApi);
    const secretLookup: SecretLookup = {
      read: (namespace, name) => readSecret(core, namespace, name),
    };
    this.#credentials = options.credentials(secretLookup);
    this.#tenancy = this.#tenancyCache(core, customObjects);
    this.#issuers = this.#issuerController(customObjects, secretLookup);
    this.#reconciler = new Reconciler({
      ports: this.#ports(core, customObjects, secretLookup),
      log: options.log,
      pollIntervalMs: options.pollIntervalMs,
      resyncIntervalMs: options.resyncIntervalMs,
      ...(options.autoRenewalWindowMs ? { autoRenewalWindowMs: options.autoRenewalWindowMs } : {}),
      autoRenewalIntervalMs: this.#autoRenewalIntervalMs,
      ...(options.autoRenewalPolling === false ? { autoRenewalPolling: false } : {}),
      ...(options.onOutcome ? { onOutcome: options.onOutcome } : {}),
      ...(options.mayWrite ? { mayWrite: options.mayWrite } : {}),
    });
    this.#queue = new WorkQueue({
      concurrency: options.concurrency,
      clock: this.#clock,
      handler: (key) => this.#reconcileHandler(key),
      priority: (key) => {
        const { namespace, name } = splitKey(key);
        return priorityOf(this.#certificates.get(name, namespace), new Date(this.#clock.now()));
      },
      onError: (key, err, retryInMs) =>
        this.#log.error(
          { resource: key, err, retryInMs },
          "reconcile failed; retrying with backoff",
        ),
    });
    this.#certificates = this.#certificateInformer(customObjects);
    this.#secrets = this.#secretInformer(core);
    const sources = options.sources;
    if (sources && (sources.ingresses || sources.gateways)) {
      this.#sourceCaches = this.#sourceCachesFor(sources, customObjects);
      this.#sources = this.#sourceController(this.#sourceCaches, core, customObjects);
    }
  }

  #sourceCachesFor(sources: SourceSettings, customObjects: CustomObjectsApi): SourceCaches {
    const { kubeConfig, watchNamespaces, log } = this.#options;
    return new SourceCaches({
      kubeConfig,
      networking: kubeConfig.makeApiClient(NetworkingV1Api),
      customObjects,
      ...(watchNamespaces ? { watchNamespaces } : {}),
      ...sources,
      log,
      clock: this.#clock,
      onChange: (kind, namespace, name) => this.#sources?.sourceChanged(kind, namespace, name),
    });
  }

  /** Generates DnsimpleCertificates from annotated Ingresses and Gateways (src/sources). */
  #sourceController(
    caches: SourceCaches,
    core: CoreV1Api,
    customObjects: CustomObjectsApi,
  ): SourceController {
    const { log, resyncIntervalMs, mayWrite } = this.#options;
    const events = new EventRecorder(
      core,
      (err) => log.warn({ err }, "could not record an Event"),
      this.#clock,
    );
    return new SourceController({
      caches,
      certificates: { list: (namespace) => this.#certificates.list(namespace) },
      writer: {
        create: (resource) => createCertificate(customObjects, resource),
        replace: (resource) => replaceCertificate(customObjects, resource),
        delete: (resource) => deleteCertificate(customObjects, resource),
      },
      events: {
        record: (target, type, reason, message) =>
          void events.record(target, type, reason, message),
      },
      domains: {
        tenancy: this.#tenancy,
        credentials: this.#credentials,
        finder: new DomainFinder(),
        onListError: (source, error) =>
          log.warn({ source: sourceLabel(source), error }, "could not list the DNSimple domains"),
      },
      resyncIntervalMs,
      // Sources change rarely and a pass is mostly in memory: two workers are plenty.
      concurrency: 2,
      ...(mayWrite ? { mayWrite } : {}),
      log,
      clock: this.#clock,
    });
  }

  /** The reconciler's I/O: the caches, and the API server, DNSimple and Event writers. */
  #ports(
    core: CoreV1Api,
    customObjects: CustomObjectsApi,
    secretLookup: SecretLookup,
  ): ReconcilerPorts {
    const { log } = this.#options;
    const events = new EventRecorder(
      core,
      (err) => log.warn({ err }, "could not record an Event"),
      this.#clock,
    );
    return {
      certificates: {
        get: (namespace, name) => this.#certificates.get(name, namespace),
        usingSecret: (namespace, secretName) =>
          this.#bySecretName.get(keyOf(namespace, secretName)),
      },
      secrets: { get: (namespace, name) => this.#secrets.get(name, namespace) },
      secretLookup,
      status: {
        replaceStatus: (resource, status) => replaceStatus(customObjects, resource, status),
      },
      secretWriter: {
        create: (secret) => this.#writeSecret(secret, () => createTlsSecret(core, secret)),
        apply: (secret) => this.#writeSecret(secret, () => applyTlsSecret(core, secret)),
      },
      events: {
        record: (target, type, reason, message) =>
          void events.record(target, type, reason, message),
      },
      credentials: this.#credentials,
      tenancy: this.#tenancy,
      claims: this.#tenancy,
      ledger: new PurchaseLedger(),
      // One interval: the resources of a domain looking within it share one list call.
      domainCertificates: new DomainCertificates(this.#autoRenewalIntervalMs),
    };
  }

  /**
   * Every reconcile goes through here: timed and reported. A replica that lost its Lease stops
   * (NotLeaderError): that is not a failure to retry.
   */
  async #reconcileHandler(key: string): Promise<WorkResult> {
    const started = this.#clock.now();
    const took = () => (this.#clock.now() - started) / 1000;
    try {
      const result = await this.#reconciler.reconcile(key);
      this.#options.onReconciled?.(key, took(), "done");
      return result;
    } catch (err) {
      if (err instanceof NotLeaderError) {
        this.#options.onReconciled?.(key, took(), "stopped");
        this.#log.debug({ resource: key }, err.message);
        return {};
      }
      this.#options.onReconciled?.(key, took(), "error");
      throw err;
    }
  }

  /** A relist is how a watch that expired (410 Gone) catches up: worth a line when it happens. */
  #listed(kind: CacheKind) {
    return (items: number, nth: number) => {
      this.#options.onList?.(kind);
      if (nth > 1) {
        this.#log.info(
          { kind, items, lists: nth },
          `relisted ${kind}s: the watch could not resume`,
        );
      } else this.#log.debug({ kind, items }, `listed ${kind}s`);
    };
  }

  #certificateInformer(customObjects: CustomObjectsApi): ScopedInformer<DnsimpleCertificate> {
    const { watchNamespaces } = this.#options;
    return new ScopedInformer(watchNamespaces, (ns) =>
      this.#certificateInformerIn(customObjects, ns),
    );
  }

  #certificateInformerIn(
    customObjects: CustomObjectsApi,
    ns: string | undefined,
  ): ResilientInformer<DnsimpleCertificate> {
    const { kubeConfig } = this.#options;
    return new ResilientInformer<DnsimpleCertificate>({
      kubeConfig,
      clock: this.#clock,
      path: certificatesPath(ns),
      list: () => listCertificates(customObjects, ns),
      onList: this.#listed("DnsimpleCertificate"),
      // Two thirds of a cached resource is managedFields, which nothing here reads.
      trim: (obj) => {
        delete obj.metadata.managedFields;
      },
      onAdd: (obj) => {
        this.#bySecretName.put(obj);
        if (this.#certificateSeen(obj, true)) this.#sources?.certificateChanged(obj, false);
      },
      onUpdate: (obj) => {
        this.#bySecretName.put(obj);
        // A status write (most updates) changes nothing a source compares: no source pass.
        if (this.#certificateSeen(obj, false)) this.#sources?.certificateChanged(obj, false);
        this.#reconciler.cacheUpdated(obj);
      },
      onDelete: (obj) => {
        this.#bySecretName.delete(obj);
        this.#sources?.certificateChanged(obj, true);
        const { namespace, name } = obj.metadata;
        this.#fingerprints.delete(keyOf(namespace, name));
        this.#reconciler.forget(namespace, name);
        this.#options.onDeleted?.(namespace, name);
      },
      onError: (err, retryInMs) =>
        this.#log.warn({ err, retryInMs }, "DnsimpleCertificate watch failed; restarting"),
    });
  }

  #tenancyCache(core: CoreV1Api, customObjects: CustomObjectsApi): TenancyCache {
    const { kubeConfig, watchNamespaces, tenancy } = this.#options;
    return new TenancyCache({
      kubeConfig,
      core,
      customObjects,
      ...(watchNamespaces ? { watchNamespaces } : {}),
      ...tenancy,
      clock: this.#clock,
      // A status-only change (the issuers' Ready, written by this or another operator)
      // changes nothing the resources read of their issuer: they are not judged again.
      onIssuerChanged: (kind, name, namespace) => {
        if (this.#issuers.issuerChanged(kind, name, namespace)) {
          this.#enqueueUsersOf(kind, name, namespace);
        }
      },
      onNamespaceChanged: (namespace) => {
        for (const obj of this.#certificates.list(namespace)) {
          this.#queue.add(keyOf(namespace, obj.metadata.name));
        }
      },
      onError: (kind, err, retryInMs) =>
        this.#log.warn({ err, retryInMs }, `${kind} watch failed; restarting`),
    });
  }

  /** Checks the issuers' tokens against DNSimple and writes their Ready condition. */
  #issuerController(customObjects: CustomObjectsApi, secrets: SecretLookup): IssuerController {
    const { issuerTokens, tenancy, resyncIntervalMs, mayWrite, log, watchNamespaces } =
      this.#options;
    return new IssuerController({
      ...(watchNamespaces
        ? {
            inScope: (issuer: DnsimpleIssuer) =>
              checkedBy(issuer, watchNamespaces, (ns) => this.#tenancy.namespaceLabels(ns)),
          }
        : {}),
      issuers: this.#tenancy,
      secrets,
      status: {
        replaceStatus: (issuer, status) => replaceIssuerStatus(customObjects, issuer, status),
      },
      tokens: issuerTokens,
      clusterResourceNamespace: tenancy.clusterResourceNamespace,
      resyncIntervalMs,
      reverifyIntervalMs: this.#options.issuerReverifyIntervalMs ?? resyncIntervalMs,
      // At most one whoami per issuer per resync: a couple of workers are plenty.
      concurrency: 2,
      ...(mayWrite ? { mayWrite } : {}),
      log,
      clock: this.#clock,
    });
  }

  /** An issuer changed: every resource that uses it is judged again at once. */
  #enqueueUsersOf(kind: IssuerRef["kind"], name: string, namespace?: string): void {
    const { defaultClusterIssuer } = this.#options.tenancy;
    const resources =
      kind === CLUSTER_ISSUER_KIND
        ? this.#certificates.list()
        : this.#certificates.list(namespace ?? "");
    for (const obj of resources) {
      const ref = obj.spec.issuerRef;
      const uses = ref
        ? ref.kind === kind && ref.name === name
        : !obj.spec.credentialsRef && kind === CLUSTER_ISSUER_KIND && name === defaultClusterIssuer;
      if (uses) this.#queue.add(keyOf(obj.metadata.namespace, obj.metadata.name));
    }
  }

  /**
   * Spec, annotations, labels, owner references or deletion changed: look again, and say so.
   * Status-only: do not. (A name deleted and re-created while a watch was down comes back as an
   * update: the uid tells.)
   */
  #certificateSeen(obj: DnsimpleCertificate, added: boolean): boolean {
    const key = keyOf(obj.metadata.namespace, obj.metadata.name);
    const now = fingerprint(obj);
    const changed = added || this.#fingerprints.get(key) !== now;
    if (changed) this.#queue.add(key);
    this.#fingerprints.set(key, now);
    return changed;
  }

  /** Only the operator's own Secrets: never a cache of every Secret in the cluster. */
  #secretInformer(core: CoreV1Api): ScopedInformer<V1Secret> {
    return new ScopedInformer(this.#options.watchNamespaces, (ns) =>
      this.#secretInformerIn(core, ns),
    );
  }

  #secretInformerIn(core: CoreV1Api, ns: string | undefined): ResilientInformer<V1Secret> {
    const { kubeConfig } = this.#options;
    const enqueueWriter = (secret: V1Secret) => this.#enqueueWriterOf(secret);
    // The echo of the operator's own write starts no pass: the pass that wrote it knew.
    const changed = (secret: V1Secret) => {
      const { namespace = "", name = "", resourceVersion } = secret.metadata ?? {};
      if (this.#ownSecretWrites.startsPass(namespace, name, resourceVersion, secret))
        enqueueWriter(secret);
    };
    return new ResilientInformer<V1Secret>({
      kubeConfig,
      clock: this.#clock,
      path: ns ? `/api/v1/namespaces/${ns}/secrets` : "/api/v1/secrets",
      labelSelector: MANAGED_SECRET_SELECTOR,
      list: () =>
        kubeCall("list Secrets", () =>
          ns
            ? core.listNamespacedSecret({ namespace: ns, labelSelector: MANAGED_SECRET_SELECTOR })
            : core.listSecretForAllNamespaces({ labelSelector: MANAGED_SECRET_SELECTOR }),
        ),
      onList: this.#listed("Secret"),
      // Only what decisions read: see secret-cache.ts.
      trim: keepWhatDecisionsRead,
      onAdd: changed,
      onUpdate: changed,
      onDelete: (secret) => {
        const { namespace = "", name = "" } = secret.metadata ?? {};
        this.#ownSecretWrites.forget(namespace, name);
        enqueueWriter(secret);
      },
      onError: (err, retryInMs) =>
        this.#log.warn({ err, retryInMs }, "Secret watch failed; restarting"),
    });
  }

  /**
   * Writes through `write`, so that its echo starts no pass whichever arrives first
   * (own-writes.ts); resolves to the Secret as written.
   */
  async #writeSecret(
    secret: TlsSecretApply,
    write: () => Promise<V1Secret>,
  ): Promise<WrittenSecret> {
    const own = this.#ownSecretWrites;
    own.writing(secret.namespace, secret.name);
    let written: V1Secret;
    try {
      written = await write();
    } catch (err) {
      for (const event of own.failed(secret.namespace, secret.name)) this.#enqueueWriterOf(event);
      throw err;
    }
    const { resourceVersion } = written.metadata ?? {};
    for (const event of own.wrote(secret.namespace, secret.name, resourceVersion))
      this.#enqueueWriterOf(event);
    return { resourceVersion, tls: tlsDataOf(written) };
  }

  /** A managed Secret changed: the resource its owner annotation names looks again. */
  #enqueueWriterOf(secret: V1Secret): void {
    const owner = secret.metadata?.annotations?.[SECRET_ANNOTATIONS.owner];
    const namespace = secret.metadata?.namespace;
    if (owner && namespace) this.#queue.add(keyOf(namespace, owner));
  }

  /**
   * Starts the caches and waits until all have listed (a failed list is retried by the
   * informer). Together: nothing reads a cache before the workers start, and at 10,000
   * resources the three lists of 10,000 (resources, Secrets, claims) took 5.8 s one after
   * another. Standby replicas keep warm caches too, so a takeover starts at once.
   */
  async startCaches(): Promise<void> {
    await Promise.all([
      this.#tenancy.start(),
      this.#secrets.start(),
      this.#certificates.start(),
      this.#sourceCaches?.start(),
    ]);
    while (!this.synced) {
      if (this.#stopping) return;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /**
   * Starts the workers and the resync, after startCaches: a reconcile never sees a
   * half-filled cache, which would make every Ready resource look like it lost its Secret.
   */
  startWorkers(): void {
    if (this.#stopping) return;
    this.#queue.start();
    this.#issuers.start();
    this.#sources?.start();
    this.#resync();
    this.#resyncTimer = setInterval(() => this.#resync(), this.#options.resyncIntervalMs);
    this.#resyncTimer.unref();
    this.#log.info("controller started");
  }

  /** Enqueues the resources whose certificate (or renewal in flight) is this DNSimple id. */
  /**
   * A webhook said DNSimple issued a certificate for `commonName` (certificate.issue or
   * reissue): the auto-renewing resources serving that name look through the API at once
   * (decide/auto-renewal-pickup.ts). Returns how many. A hint, never data: a forged one costs
   * a list call.
   */
  hintAutoRenewals(commonName: string): number {
    let count = 0;
    const at = new Date(this.#clock.now());
    for (const obj of this.#certificates.list()) {
      if (!obj.spec.autoRenew || obj.status?.commonName !== commonName) continue;
      const key = keyOf(obj.metadata.namespace, obj.metadata.name);
      this.#reconciler.hintAutoRenewal(key, at);
      this.#queue.add(key);
      count += 1;
    }
    return count;
  }

  enqueueCertificate(certificateId: number): number {
    let count = 0;
    for (const obj of this.#certificates.list()) {
      const { certificateId: current, renewedCertificateId } = obj.status ?? {};
      if (current === certificateId || renewedCertificateId === certificateId) {
        this.#queue.add(keyOf(obj.metadata.namespace, obj.metadata.name));
        count += 1;
      }
    }
    return count;
  }

  /** Whether every cache has listed. */
  get synced(): boolean {
    return (
      this.#certificates.synced &&
      this.#secrets.synced &&
      this.#tenancy.synced &&
      (this.#sourceCaches?.synced ?? true)
    );
  }

  /**
   * The queues as the metrics show them: keys ready in each work-queue lane, orders waiting for
   * DNSimple request budget by lane, and the requests promised to certificates in flight.
   */
  queueStats(): QueueStats {
    return { lanes: this.#queue.laneLengths(), ...this.#reconciler.requestQueue() };
  }

  /** Keys waiting in the work queue (see WorkQueue.length). */
  get queueDepth(): number {
    return this.#queue.length;
  }

  #resync(): void {
    for (const obj of this.#certificates.list()) {
      this.#queue.add(keyOf(obj.metadata.namespace, obj.metadata.name));
    }
    // Per-token state stays bounded: a token unused for two resyncs (an hour at least) goes.
    const idleMs = Math.max(3_600_000, 2 * this.#options.resyncIntervalMs);
    const forgotten = this.#credentials.forgetIdle(idleMs);
    if (forgotten.length > 0) this.#options.onTokensForgotten?.(forgotten);
  }

  /** Stops taking work; waits up to `timeoutMs` for reconciles in progress. */
  async stopWorkers(timeoutMs: number): Promise<void> {
    this.#stopping = true;
    clearInterval(this.#resyncTimer);
    await Promise.all([
      this.#queue.shutdown(timeoutMs),
      this.#issuers.stop(timeoutMs),
      this.#sources?.stop(timeoutMs),
    ]);
  }

  /** Stops the caches (after the workers). */
  async stopCaches(): Promise<void> {
    this.#stopping = true;
    await Promise.all([
      this.#certificates.stop(),
      this.#secrets.stop(),
      this.#tenancy.stop(),
      this.#sourceCaches?.stop(),
    ]);
  }
}

/** What makes a change worth a reconcile (or a source pass): everything but status and bookkeeping. */
function fingerprint(obj: DnsimpleCertificate): string {
  const { uid, generation, annotations, labels, ownerReferences, deletionTimestamp } = obj.metadata;
  return JSON.stringify([
    uid,
    generation,
    annotations ?? {},
    labels ?? {},
    // A generated resource's controller (its source) is part of what the sources compare.
    ownerReferences ?? [],
    Boolean(deletionTimestamp),
  ]);
}
