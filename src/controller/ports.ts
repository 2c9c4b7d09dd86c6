// The reconciler's I/O, as narrow interfaces: the caches it reads, the three things it writes
// in Kubernetes (status, the Secret, Events), and the DNSimple calls its steps make. The
// controller plugs in the real adapters (controller.ts); tests plug in recording ones and
// drive whole passes without a cluster (test/unit/controller/reconciler.test.ts).
import type { V1Secret } from "@kubernetes/client-node";
import type { ClaimOwner, ClaimSpec } from "../api/claims.ts";
import type { DnsimpleIssuer, IssuerRef } from "../api/issuers.ts";
import type { DnsimpleCertificate, DnsimpleCertificateStatus } from "../api/v1alpha1.ts";
import type { TlsSecretData } from "../certs/bundle.ts";
import type { DnsimpleClient } from "../dnsimple/client.ts";
import type { Certificate } from "../dnsimple/types.ts";
import type { IssuerGrant } from "../issuers/policy.ts";
import type { PurchaseLedger } from "../issuers/purchase-ledger.ts";
import type { ClaimedPurchases } from "../issuers/purchase-timeline.ts";
import type { EventTarget, EventType } from "../kube/events.ts";
import type { TlsSecretApply } from "../kube/secrets.ts";
import type { Failure } from "./observation.ts";

/** The DNSimple calls the steps make. */
export type DnsimpleApi = Pick<
  DnsimpleClient,
  | "listCertificates"
  | "getCertificate"
  | "orderLetsencrypt"
  | "orderRenewal"
  | "issueLetsencrypt"
  | "issueRenewal"
  | "downloadCertificate"
  | "getPrivateKey"
  | "requestBudget"
>;

/** A client and the account it acts on, once the credentials are resolved. */
export interface DnsimpleSession {
  client: DnsimpleApi;
  accountId: number;
  /** The token's budget key (its digest): what the requests promised are counted against. */
  budgetKey: string;
}

/** A resource's DNSimple client and account, or why they could not be had. */
export type ResolvedCredentials =
  | { kind: "ok"; accountId: string; client: DnsimpleApi }
  | { kind: "failed"; failure: Failure };

/** Where a resource's credentials come from (CredentialsResolver in the operator). */
export interface CredentialsSource {
  /**
   * The client and account the resource uses: its issuer's token (`issuer`), else its
   * credentialsRef Secret's; or why they could not be had.
   */
  resolve(resource: DnsimpleCertificate, issuer?: IssuerGrant): Promise<ResolvedCredentials>;
}

/** A domain's certificates, newest expiry first, down to `expiringAfter` (shared per domain). */
export interface DomainCertificateLister {
  list(
    client: Pick<DnsimpleApi, "listCertificates">,
    accountId: number,
    domain: string,
    expiringAfter?: Date,
    readAfter?: Date,
  ): Promise<Certificate[]>;
}

/** The cached DnsimpleCertificates (the informer's). */
export interface CertificateCache {
  get(namespace: string, name: string): DnsimpleCertificate | undefined;
  /** The cached resources of a namespace that name `secretName` (an index: no scan). */
  usingSecret(namespace: string, secretName: string): readonly DnsimpleCertificate[];
}

/** The cached Secrets: only the operator's labelled ones. */
export interface SecretCache {
  get(namespace: string, name: string): V1Secret | undefined;
}

/** Reads a Secret past the cache (any Secret, labelled or not); undefined when there is none. */
export interface SecretLookup {
  read(namespace: string, name: string): Promise<V1Secret | undefined>;
}

/** Replaces the status with optimistic concurrency; a conflict throws. Returns the update. */
export interface StatusWriter {
  replaceStatus(
    resource: DnsimpleCertificate,
    status: DnsimpleCertificateStatus,
  ): Promise<DnsimpleCertificate>;
}

/** Writes TLS Secrets; a refusal by the API server throws a KubeApiError. */
export interface SecretWriter {
  /**
   * Writes a new Secret (apply without force): one someone else made meanwhile is a 409,
   * untouched. Resolves to the Secret as written.
   */
  create(secret: TlsSecretApply): Promise<WrittenSecret>;
  /** Server-side applies (force) a Secret the operator manages, or was handed over. */
  apply(secret: TlsSecretApply): Promise<WrittenSecret>;
}

/**
 * A Secret as the API server answered a write: its version and the tls.* it holds, which under
 * server-side apply may keep a key another manager set that the apply left out (ca.crt).
 */
export interface WrittenSecret {
  resourceVersion: string | undefined;
  tls: TlsSecretData;
}

/** Records an Event; never throws. */
export interface EventSink {
  record(target: EventTarget, type: EventType, reason: string, message: string): void;
}

/**
 * The issuers, the namespaces' labels and the ownership claims, as cached: what the issuer's
 * policy is judged from before any call (see issuers/policy.ts).
 */
export interface TenancyView {
  /** The issuer `ref` names for a resource of `namespace`; undefined when there is none. */
  issuer(ref: IssuerRef, namespace: string): DnsimpleIssuer | undefined;
  /** A namespace's labels (none when it is not cached). */
  namespaceLabels(namespace: string): Readonly<Record<string, string>>;
  /** The resource a certificate of this DNSimple API belongs to, if it is claimed. */
  ownerOf(certificateId: number): ClaimOwner | undefined;
  /**
   * When the resource namespace/name last bought a certificate (its newest Order or Renewal
   * claim), if ever. By name, as claims match owners: a resource made again under its name keeps
   * its claims, so deleting it does not lift the floor.
   */
  lastPurchaseBy(namespace: string, name: string): Date | undefined;
  /** The claimed purchases (Order, Renewal) of a budget scope (IssuerGrant.budgetScope). */
  claimedPurchases(scope: string): ClaimedPurchases;
  /** `--default-cluster-issuer`: for resources that name neither issuer nor credentials. */
  readonly defaultClusterIssuer: string | undefined;
  /** Where ClusterDnsimpleIssuers' token Secrets live (the operator's namespace). */
  readonly clusterResourceNamespace: string;
}

/** What a claim's creation found: it is this resource's now, or another's already. */
export type ClaimResult = { kind: "claimed" } | { kind: "taken"; owner: ClaimOwner };

/** Records ownership claims (DnsimpleCertificateClaim); an API failure throws. */
export interface ClaimWriter {
  /** Creates the claim for `spec.certificateId` unless one exists; says whose it is. */
  claim(spec: Omit<ClaimSpec, "claimedAt"> & { claimedAt: Date }): Promise<ClaimResult>;
}

/** All of the reconciler's I/O. */
export interface ReconcilerPorts {
  certificates: CertificateCache;
  secrets: SecretCache;
  secretLookup: SecretLookup;
  status: StatusWriter;
  secretWriter: SecretWriter;
  events: EventSink;
  credentials: CredentialsSource;
  domainCertificates: DomainCertificateLister;
  tenancy: TenancyView;
  claims: ClaimWriter;
  /** This process's orders against issuers' purchase budgets. */
  ledger: PurchaseLedger;
}
