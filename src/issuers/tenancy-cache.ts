// The caches the issuers' policy is judged from: DnsimpleIssuers, ClusterDnsimpleIssuers, the
// namespaces' labels and the ownership claims, each kept current by list+watch (ResilientInformer).
// The reconciler reads them through TenancyView and records claims through ClaimWriter; a claim
// this process makes is in the index at once (the watch brings it a moment later).
import type { CoreV1Api, CustomObjectsApi, KubeConfig, V1Namespace } from "@kubernetes/client-node";
import {
  CLAIM_PLURAL,
  type ClaimOwner,
  claimName,
  type DnsimpleCertificateClaim,
} from "../api/claims.ts";
import {
  CLUSTER_ISSUER_KIND,
  CLUSTER_ISSUER_PLURAL,
  type DnsimpleIssuer,
  ISSUER_KIND,
  ISSUER_PLURAL,
  type IssuerRef,
} from "../api/issuers.ts";
import type { ClaimResult, ClaimWriter, TenancyView } from "../controller/ports.ts";
import { createClaim } from "../kube/claims.ts";
import { customPath, listCustomObjects } from "../kube/custom-objects.ts";
import { ResilientInformer } from "../kube/informer.ts";
import { listNamespaces } from "../kube/namespaces.ts";
import { ScopedInformer } from "../kube/scoped-informer.ts";
import type { Clock } from "../time/clock.ts";
import { purchaseScope } from "./purchase-ledger.ts";
import {
  type ClaimedPurchases,
  NO_CLAIMED_PURCHASES,
  PurchaseTimeline,
} from "./purchase-timeline.ts";

export interface TenancyCacheOptions {
  kubeConfig: KubeConfig;
  core: CoreV1Api;
  customObjects: CustomObjectsApi;
  /** Confines the DnsimpleIssuer cache to these namespaces, as the resources are. */
  watchNamespaces?: readonly string[];
  /** The DNSimple API base URL: claims are per API (see claimName). */
  apiBaseUrl: string;
  defaultClusterIssuer?: string;
  clusterResourceNamespace: string;
  clock: Clock;
  /** An issuer was added, changed or deleted. */
  onIssuerChanged: (kind: IssuerRef["kind"], name: string, namespace?: string) => void;
  /** A namespace's labels changed (or it came or went). */
  onNamespaceChanged: (namespace: string) => void;
  onError: (kind: string, err: unknown, retryInMs: number) => void;
}

/** The issuers, namespaces and claims as the policy reads them. */
export class TenancyCache implements TenancyView, ClaimWriter {
  readonly #options: TenancyCacheOptions;
  readonly #issuers: ScopedInformer<DnsimpleIssuer>;
  readonly #clusterIssuers: ResilientInformer<DnsimpleIssuer>;
  readonly #namespaces: ResilientInformer<V1Namespace>;
  readonly #claims: ResilientInformer<DnsimpleCertificateClaim>;
  /** This API's claims by certificate id (the informer's objects, and this process's own). */
  readonly #owners = new Map<number, DnsimpleCertificateClaim>();
  /** The claimed purchases (Order, Renewal) by budget scope, so a pass reads only its own. */
  readonly #purchases = new Map<string, PurchaseTimeline>();
  /** The claimed purchases' times (ms) by certificate id, per owner (namespace/name). */
  readonly #purchasesByOwner = new Map<string, Map<number, number>>();
  readonly #apiSuffix: string;

  constructor(options: TenancyCacheOptions) {
    this.#options = options;
    // claimName(url, "a", 0) is "a-0-<digest>": the digest part is this API's suffix.
    this.#apiSuffix = claimName(options.apiBaseUrl, "a", 0).slice("a-0".length);
    this.#issuers = new ScopedInformer(options.watchNamespaces, (ns) =>
      this.#issuerInformer(false, ns),
    );
    this.#clusterIssuers = this.#issuerInformer(true, undefined);
    this.#namespaces = this.#namespaceInformer();
    this.#claims = this.#claimInformer();
  }

  get defaultClusterIssuer(): string | undefined {
    return this.#options.defaultClusterIssuer;
  }

  get clusterResourceNamespace(): string {
    return this.#options.clusterResourceNamespace;
  }

  issuer(ref: IssuerRef, namespace: string): DnsimpleIssuer | undefined {
    return ref.kind === CLUSTER_ISSUER_KIND
      ? this.#clusterIssuers.get(ref.name)
      : this.#issuers.get(ref.name, namespace);
  }

  namespaceLabels(namespace: string): Readonly<Record<string, string>> {
    return this.#namespaces.get(namespace)?.metadata?.labels ?? {};
  }

  ownerOf(certificateId: number): ClaimOwner | undefined {
    return this.#owners.get(certificateId)?.spec.owner;
  }

  lastPurchaseBy(namespace: string, name: string): Date | undefined {
    const times = this.#purchasesByOwner.get(ownerKey({ namespace, name }));
    return times && times.size > 0 ? new Date(Math.max(...times.values())) : undefined;
  }

  claimedPurchases(scope: string): ClaimedPurchases {
    return this.#purchases.get(scope) ?? NO_CLAIMED_PURCHASES;
  }

  async claim(request: Parameters<ClaimWriter["claim"]>[0]): Promise<ClaimResult> {
    const spec = { ...request, claimedAt: request.claimedAt.toISOString() };
    const name = claimName(this.#options.apiBaseUrl, spec.accountId, spec.certificateId);
    const { claim } = await createClaim(this.#options.customObjects, name, spec);
    this.#index(claim);
    const owner = claim.spec.owner;
    const same = owner.namespace === spec.owner.namespace && owner.name === spec.owner.name;
    return same ? { kind: "claimed" } : { kind: "taken", owner };
  }

  /** Starts the four caches; resolves once each has listed. */
  async start(): Promise<void> {
    await Promise.all([
      this.#issuers.start(),
      this.#clusterIssuers.start(),
      this.#namespaces.start(),
      this.#claims.start(),
    ]);
  }

  get synced(): boolean {
    return [this.#issuers, this.#clusterIssuers, this.#namespaces, this.#claims].every(
      (i) => i.synced,
    );
  }

  async stop(): Promise<void> {
    const informers = [this.#issuers, this.#clusterIssuers, this.#namespaces, this.#claims];
    await Promise.all(informers.map((i) => i.stop()));
  }

  /** Issuers of a namespace (for the issuer controller), or the cluster's. */
  listIssuers(cluster: boolean): readonly DnsimpleIssuer[] {
    return cluster ? this.#clusterIssuers.list() : this.#issuers.list();
  }

  #index(claim: DnsimpleCertificateClaim): void {
    if (!claim.metadata.name.endsWith(this.#apiSuffix)) return;
    const { spec } = claim;
    this.#owners.set(spec.certificateId, claim);
    if (spec.via !== "Order" && spec.via !== "Renewal") return;
    const scope = scopeOfClaim(claim);
    const purchases = this.#purchases.get(scope) ?? new PurchaseTimeline();
    purchases.set(spec.certificateId, new Date(spec.claimedAt));
    this.#purchases.set(scope, purchases);
    const key = ownerKey(spec.owner);
    const byOwner = this.#purchasesByOwner.get(key) ?? new Map<number, number>();
    byOwner.set(spec.certificateId, Date.parse(spec.claimedAt));
    this.#purchasesByOwner.set(key, byOwner);
  }

  #unindex(claim: DnsimpleCertificateClaim): void {
    const { certificateId } = claim.spec;
    if (this.#owners.get(certificateId)?.metadata.name !== claim.metadata.name) return;
    this.#owners.delete(certificateId);
    const scope = scopeOfClaim(claim);
    const purchases = this.#purchases.get(scope);
    purchases?.delete(certificateId);
    if (purchases?.size === 0) this.#purchases.delete(scope);
    const key = ownerKey(claim.spec.owner);
    const byOwner = this.#purchasesByOwner.get(key);
    byOwner?.delete(certificateId);
    if (byOwner?.size === 0) this.#purchasesByOwner.delete(key);
  }

  /** The ClusterDnsimpleIssuers, or the DnsimpleIssuers of one namespace (all: undefined). */
  #issuerInformer(
    cluster: boolean,
    watchNamespace: string | undefined,
  ): ResilientInformer<DnsimpleIssuer> {
    const { kubeConfig, customObjects, clock } = this.#options;
    const kind = cluster ? CLUSTER_ISSUER_KIND : ISSUER_KIND;
    const plural = cluster ? CLUSTER_ISSUER_PLURAL : ISSUER_PLURAL;
    const changed = (issuer: DnsimpleIssuer) =>
      this.#options.onIssuerChanged(kind, issuer.metadata.name, issuer.metadata.namespace);
    return new ResilientInformer<DnsimpleIssuer>({
      kubeConfig,
      clock,
      path: customPath(plural, watchNamespace),
      list: () => listCustomObjects<DnsimpleIssuer>(customObjects, plural, watchNamespace),
      trim: (obj) => {
        delete (obj.metadata as { managedFields?: unknown }).managedFields;
      },
      onAdd: changed,
      onUpdate: changed,
      onDelete: changed,
      onError: (err, retryInMs) => this.#options.onError(kind, err, retryInMs),
    });
  }

  #namespaceInformer(): ResilientInformer<V1Namespace> {
    const { kubeConfig, core, clock } = this.#options;
    const labels = new Map<string, string>();
    const changed = (ns: V1Namespace) => {
      const name = ns.metadata?.name;
      if (!name) return;
      const now = JSON.stringify(ns.metadata?.labels ?? {});
      if (labels.get(name) === now) return;
      labels.set(name, now);
      this.#options.onNamespaceChanged(name);
    };
    return new ResilientInformer<V1Namespace>({
      kubeConfig,
      clock,
      path: "/api/v1/namespaces",
      list: () => listNamespaces(core),
      // Only the name and the labels are read.
      trim: (ns) => {
        ns.metadata = {
          name: ns.metadata?.name,
          labels: ns.metadata?.labels,
          resourceVersion: ns.metadata?.resourceVersion,
        };
        delete ns.spec;
        delete ns.status;
      },
      onAdd: changed,
      onUpdate: changed,
      onDelete: (ns) => {
        const name = ns.metadata?.name;
        if (name) labels.delete(name);
        if (name) this.#options.onNamespaceChanged(name);
      },
      onError: (err, retryInMs) => this.#options.onError("Namespace", err, retryInMs),
    });
  }

  #claimInformer(): ResilientInformer<DnsimpleCertificateClaim> {
    const { kubeConfig, customObjects, clock } = this.#options;
    return new ResilientInformer<DnsimpleCertificateClaim>({
      kubeConfig,
      clock,
      path: customPath(CLAIM_PLURAL),
      list: () => listCustomObjects<DnsimpleCertificateClaim>(customObjects, CLAIM_PLURAL),
      onAdd: (claim) => this.#index(claim),
      onUpdate: (claim) => this.#index(claim),
      // Deleting a claim (an admin's act) releases the certificate.
      onDelete: (claim) => this.#unindex(claim),
      onError: (err, retryInMs) =>
        this.#options.onError("DnsimpleCertificateClaim", err, retryInMs),
    });
  }
}

function scopeOfClaim({ spec }: DnsimpleCertificateClaim): string {
  return purchaseScope(spec.issuer, spec.owner.namespace);
}

/** An owner as a map key. */
function ownerKey(owner: Pick<ClaimOwner, "namespace" | "name">): string {
  return `${owner.namespace}/${owner.name}`;
}
