// The Kubernetes side of the reconciler's ports, in memory, recording every write: resources
// and Secrets by namespace/name, status replaced with optimistic concurrency (a stale
// resourceVersion is a 409, as the API server answers), Secrets applied as server-side apply
// leaves them (the operator's field manager owning the labels and annotations it set), Events
// listed in order. Enough to drive whole passes without a cluster; the integration tests cover
// the real API server.
import type { V1Secret } from "@kubernetes/client-node";
import type { ClaimSpec } from "../../../src/api/claims.ts";
import {
  CLUSTER_ISSUER_KIND,
  type DnsimpleIssuer,
  type IssuerPolicy,
  type IssuerRef,
} from "../../../src/api/issuers.ts";
import {
  type DnsimpleCertificate,
  type DnsimpleCertificateStatus,
  MANAGED_SECRET_LABEL,
} from "../../../src/api/v1alpha1.ts";
import type { ReconcilerPorts, TenancyView, WrittenSecret } from "../../../src/controller/ports.ts";
import { keyOf } from "../../../src/controller/reconciler.ts";
import { PurchaseLedger, purchaseScope } from "../../../src/issuers/purchase-ledger.ts";
import { PurchaseTimeline } from "../../../src/issuers/purchase-timeline.ts";
import { KubeApiError } from "../../../src/kube/errors.ts";
import type { EventType } from "../../../src/kube/events.ts";
import {
  FIELD_MANAGER,
  type TlsSecretApply,
  tlsDataOf,
  tlsSecretManifest,
} from "../../../src/kube/secrets.ts";

export interface RecordedEvent {
  type: EventType;
  reason: string;
  message: string;
}

/** The ClusterDnsimpleIssuer every recorded resource uses by default: all namespaces, no limits. */
export const PLATFORM_ISSUER = "platform";

/** A ClusterDnsimpleIssuer with this policy (the defaults of the CRD otherwise). */
export function clusterIssuer(name: string, policy: Partial<IssuerPolicy> = {}): DnsimpleIssuer {
  return {
    apiVersion: "dnsimple-cert-operator.dev/v1alpha1",
    kind: CLUSTER_ISSUER_KIND,
    metadata: { name, uid: `uid-${name}`, generation: 1 },
    spec: {
      policy: {
        namespaceSelector: {},
        allowWildcards: true,
        budget: { ordersPerNamespacePerDay: 1000, renewalFloor: "0s" },
        ...policy,
      },
    },
  };
}

export class RecordingCluster {
  readonly resources = new Map<string, DnsimpleCertificate>();
  /** Issuers by kind/namespace/name (a ClusterDnsimpleIssuer's namespace is empty). */
  readonly issuers = new Map<string, DnsimpleIssuer>([
    [`${CLUSTER_ISSUER_KIND}//${PLATFORM_ISSUER}`, clusterIssuer(PLATFORM_ISSUER)],
  ]);
  /** Ownership claims by certificate id. */
  readonly claims = new Map<number, ClaimSpec>();
  readonly namespaceLabels = new Map<string, Record<string, string>>();
  readonly secrets = new Map<string, V1Secret>();
  readonly statusWrites: DnsimpleCertificateStatus[] = [];
  readonly secretWrites: TlsSecretApply[] = [];
  readonly events: RecordedEvent[] = [];
  /** Secret names whose apply the "API server" refuses (403), to test that path. */
  readonly refusedSecrets = new Set<string>();
  /** Runs after each Secret lookup answered: to make a Secret appear between look and write. */
  afterLookup: (() => void) | undefined;
  /** Runs before each Secret lookup is answered: to change a Secret after the cache was read. */
  beforeLookup: (() => void) | undefined;
  /**
   * Secret data keys (base64) another field manager owns, by namespace/name: kept by an apply
   * that leaves them out, as server-side apply keeps them; taken by one that sets them.
   */
  readonly othersData = new Map<string, Record<string, string>>();
  #version = 1;

  /** Creates the resource as the API server would: a uid, a generation, a resourceVersion. */
  create(resource: DnsimpleCertificate): DnsimpleCertificate {
    const created = {
      ...resource,
      metadata: { ...resource.metadata, resourceVersion: String(this.#version++) },
    };
    this.resources.set(keyOf(created.metadata.namespace, created.metadata.name), created);
    return created;
  }

  /** Forget what was recorded (after a test's set-up passes). */
  resetRecords(): void {
    this.statusWrites.length = 0;
    this.secretWrites.length = 0;
    this.events.length = 0;
  }

  /** The issuers, namespaces and claims as the reconciler reads them. */
  tenancy(): TenancyView {
    return {
      issuer: (ref: IssuerRef, namespace: string) =>
        this.issuers.get(
          `${ref.kind}/${ref.kind === CLUSTER_ISSUER_KIND ? "" : namespace}/${ref.name}`,
        ),
      namespaceLabels: (namespace) => this.namespaceLabels.get(namespace) ?? {},
      ownerOf: (id) => this.claims.get(id)?.owner,
      lastPurchaseBy: (namespace, name) => {
        const times = [...this.claims.values()]
          .filter((c) => c.via === "Order" || c.via === "Renewal")
          .filter((c) => c.owner.namespace === namespace && c.owner.name === name)
          .map((c) => Date.parse(c.claimedAt));
        return times.length > 0 ? new Date(Math.max(...times)) : undefined;
      },
      claimedPurchases: (scope) =>
        PurchaseTimeline.of(
          [...this.claims.values()]
            .filter(
              (c) =>
                (c.via === "Order" || c.via === "Renewal") &&
                purchaseScope(c.issuer, c.owner.namespace) === scope,
            )
            .map((c) => ({ certificateId: c.certificateId, at: new Date(c.claimedAt) })),
        ),
      defaultClusterIssuer: PLATFORM_ISSUER,
      clusterResourceNamespace: "operator",
    };
  }

  /** The Kubernetes ports of a reconciler, backed by this cluster. */
  ports(): Pick<
    ReconcilerPorts,
    | "certificates"
    | "secrets"
    | "secretLookup"
    | "status"
    | "secretWriter"
    | "events"
    | "tenancy"
    | "claims"
    | "ledger"
  > {
    return {
      tenancy: this.tenancy(),
      ledger: new PurchaseLedger(),
      claims: {
        claim: async (request) => {
          const existing = this.claims.get(request.certificateId);
          if (existing) {
            const same =
              existing.owner.namespace === request.owner.namespace &&
              existing.owner.name === request.owner.name;
            return same ? { kind: "claimed" } : { kind: "taken", owner: existing.owner };
          }
          this.claims.set(request.certificateId, {
            ...request,
            claimedAt: request.claimedAt.toISOString(),
          });
          return { kind: "claimed" };
        },
      },
      certificates: {
        get: (namespace, name) => this.get(namespace, name),
        usingSecret: (namespace, secretName) =>
          [...this.resources.values()].filter(
            (r) => r.metadata.namespace === namespace && r.spec.secretName === secretName,
          ),
      },
      // The cache holds the operator's labelled Secrets only; a lookup reads any.
      secrets: {
        get: (namespace, name) => {
          const secret = this.secrets.get(keyOf(namespace, name));
          return secret?.metadata?.labels?.[MANAGED_SECRET_LABEL] === "true" ? secret : undefined;
        },
      },
      secretLookup: {
        read: async (namespace, name) => {
          this.beforeLookup?.();
          const found = this.secrets.get(keyOf(namespace, name));
          this.afterLookup?.();
          return found;
        },
      },
      status: { replaceStatus: (resource, status) => this.replaceStatus(resource, status) },
      secretWriter: {
        create: (secret) => this.createSecret(secret),
        apply: (secret) => this.applySecret(secret),
      },
      events: { record: (_target, type, reason, message) => this.record(type, reason, message) },
    };
  }

  get(namespace: string, name: string): DnsimpleCertificate | undefined {
    return this.resources.get(keyOf(namespace, name));
  }

  async replaceStatus(
    resource: DnsimpleCertificate,
    status: DnsimpleCertificateStatus,
  ): Promise<DnsimpleCertificate> {
    const { namespace, name, resourceVersion } = resource.metadata;
    const stored = this.get(namespace, name);
    if (!stored || stored.metadata.resourceVersion !== resourceVersion) {
      throw new KubeApiError(
        `update status of ${namespace}/${name}`,
        409,
        "the object has been modified",
      );
    }
    const updated = {
      ...stored,
      metadata: { ...stored.metadata, resourceVersion: String(this.#version++) },
      status,
    };
    this.resources.set(keyOf(namespace, name), updated);
    this.statusWrites.push(status);
    return updated;
  }

  /** Creates the Secret; one of the name already there is a 409, as the API server answers. */
  async createSecret(secret: TlsSecretApply): Promise<WrittenSecret> {
    if (this.secrets.has(keyOf(secret.namespace, secret.name))) {
      throw new KubeApiError(
        `create Secret ${secret.namespace}/${secret.name}`,
        409,
        "already exists",
      );
    }
    return this.applySecret(secret);
  }

  /**
   * Resolves to the Secret as written, as the API server's answer carries it; a resourceVersion
   * precondition that is not the stored one is a 409.
   */
  async applySecret(secret: TlsSecretApply): Promise<WrittenSecret> {
    const key = keyOf(secret.namespace, secret.name);
    if (this.refusedSecrets.has(secret.name)) {
      throw new KubeApiError(`apply Secret ${secret.namespace}/${secret.name}`, 403, "forbidden");
    }
    const stored = this.secrets.get(key)?.metadata?.resourceVersion;
    if (secret.resourceVersion !== undefined && secret.resourceVersion !== stored) {
      throw new KubeApiError(
        `apply Secret ${secret.namespace}/${secret.name}`,
        409,
        "the object has been modified",
      );
    }
    const manifest = tlsSecretManifest(secret);
    const others = this.othersData.get(key) ?? {};
    for (const taken of Object.keys(manifest.data ?? {})) delete others[taken];
    manifest.data = { ...others, ...manifest.data };
    const owned = (keys: Record<string, string>) =>
      Object.fromEntries(Object.keys(keys).map((k) => [`f:${k}`, {}]));
    const resourceVersion = String(this.#version++);
    manifest.metadata = {
      ...manifest.metadata,
      resourceVersion,
      managedFields: [
        {
          manager: FIELD_MANAGER,
          operation: "Apply",
          fieldsV1: {
            "f:metadata": {
              "f:labels": owned(secret.labels),
              "f:annotations": owned(secret.annotations),
            },
          },
        },
      ],
    };
    this.secrets.set(key, manifest);
    this.secretWrites.push(secret);
    return { resourceVersion, tls: tlsDataOf(manifest) };
  }

  /** Another writer changes the Secret's data (base64 values): a new version, theirs. */
  editSecret(namespace: string, name: string, data: Record<string, string>): void {
    const key = keyOf(namespace, name);
    const stored = this.secrets.get(key);
    if (!stored) throw new Error(`no Secret ${key}`);
    this.secrets.set(key, {
      ...stored,
      metadata: { ...stored.metadata, resourceVersion: String(this.#version++) },
      data: { ...stored.data, ...data },
    });
  }

  record(type: EventType, reason: string, message: string): void {
    this.events.push({ type, reason, message });
  }
}
