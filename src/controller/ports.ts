// The reconciler's I/O, as narrow interfaces: the caches it reads, the three things it writes
// in Kubernetes (status, the Secret, Events), and the DNSimple calls its steps make. The
// controller plugs in the real adapters (controller.ts); tests plug in recording ones and
// drive whole passes without a cluster (test/unit/controller/reconciler.test.ts).
import type { V1Secret } from "@kubernetes/client-node";
import type { DnsimpleCertificate, DnsimpleCertificateStatus } from "../api/v1alpha1.ts";
import type { DnsimpleClient } from "../dnsimple/client.ts";
import type { Certificate } from "../dnsimple/types.ts";
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
>;

/** A client and the account it acts on, once the credentials are resolved. */
export interface DnsimpleSession {
  client: DnsimpleApi;
  accountId: number;
}

/** A resource's DNSimple client and account, or why they could not be had. */
export type ResolvedCredentials =
  | { kind: "ok"; accountId: string; client: DnsimpleApi }
  | { kind: "failed"; failure: Failure };

/** Where a resource's credentials come from (CredentialsResolver in the operator). */
export interface CredentialsSource {
  /** The client and account the resource uses, or why they could not be had. */
  resolve(resource: DnsimpleCertificate): Promise<ResolvedCredentials>;
}

/** A domain's certificates, newest expiry first, down to `expiringAfter` (shared per domain). */
export interface DomainCertificateLister {
  list(
    client: Pick<DnsimpleApi, "listCertificates">,
    accountId: number,
    domain: string,
    expiringAfter?: Date,
  ): Promise<Certificate[]>;
}

/** The cached DnsimpleCertificates (the informer's). */
export interface CertificateCache {
  get(namespace: string, name: string): DnsimpleCertificate | undefined;
  /** The cached resources of one namespace. */
  list(namespace: string): readonly DnsimpleCertificate[];
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
  /** Writes a new Secret (apply without force): one someone else made meanwhile is a 409, untouched. */
  create(secret: TlsSecretApply): Promise<void>;
  /** Server-side applies (force) a Secret the operator manages, or was handed over. */
  apply(secret: TlsSecretApply): Promise<void>;
}

/** Records an Event; never throws. */
export interface EventSink {
  record(target: EventTarget, type: EventType, reason: string, message: string): void;
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
}
