// The issuer API (group dnsimple-cert-operator.dev, version v1alpha1): DnsimpleIssuer (in a
// namespace, its token Secret in that namespace, serving only that namespace) and
// ClusterDnsimpleIssuer (cluster-scoped, its token Secret in the operator's namespace, serving
// the namespaces its policy selects and none until the admin says so). Each carries a policy:
// who may ask for what through its token. crds/dnsimpleissuers.yaml and
// crds/clusterdnsimpleissuers.yaml are the schemas the API server enforces; these types mirror
// them with the CRDs' defaults applied.
import type { V1LabelSelector } from "@kubernetes/client-node";
import type { API_VERSION, Condition } from "./v1alpha1.ts";

/** The namespaced issuer's kind. */
export const ISSUER_KIND = "DnsimpleIssuer";
/** The namespaced issuer's plural name, as in its URL path. */
export const ISSUER_PLURAL = "dnsimpleissuers";
/** The cluster-scoped issuer's kind. */
export const CLUSTER_ISSUER_KIND = "ClusterDnsimpleIssuer";
/** The cluster-scoped issuer's plural name, as in its URL path. */
export const CLUSTER_ISSUER_PLURAL = "clusterdnsimpleissuers";

export type IssuerKind = typeof ISSUER_KIND | typeof CLUSTER_ISSUER_KIND;

/** `DnsimpleCertificate.spec.issuerRef`: which issuer's token and policy the resource uses. */
export interface IssuerRef {
  kind: IssuerKind;
  name: string;
}

/** How many purchases a namespace may make through the issuer, and how soon a renewal may be. */
export interface PurchaseBudget {
  /** Orders (new certificates and renewals) per namespace in any 24 hours. */
  ordersPerNamespacePerDay: number;
  /**
   * A Go duration: no renewal is bought sooner than this after the certificate's notBefore or
   * the resource's last purchase.
   */
  renewalFloor: string;
}

/** Who may ask for what through the issuer's token. */
export interface IssuerPolicy {
  /**
   * ClusterDnsimpleIssuer only: the namespaces whose resources may use it. Absent: none (the
   * admin must say which); `{}`: all.
   */
  namespaceSelector?: V1LabelSelector;
  /** DNSimple domains (by name; `*.example.com` matches the domains under it). Absent: any. */
  domains?: string[];
  /**
   * Patterns every DNS name of the certificate must match: a name, or `*.` and a suffix
   * (`*.apps.example.com` matches any name under it). Absent: any name in an allowed domain.
   */
  dnsNames?: string[];
  /** Whether a wildcard certificate (`*.example.com`, name "*") may be ordered. */
  allowWildcards: boolean;
  /**
   * Which namespaces may adopt a certificate they do not own (spec.certificateId, or one a
   * Secret or status names) when no other resource owns it. Absent: none.
   */
  adoption?: { namespaceSelector?: V1LabelSelector };
  budget: PurchaseBudget;
}

export interface IssuerSpec {
  /**
   * The token Secret (key `token`, optional `accountId`): in the issuer's namespace for a
   * DnsimpleIssuer, in the operator's namespace for a ClusterDnsimpleIssuer. Absent on a
   * ClusterDnsimpleIssuer: the operator's own token (`--dnsimple-token`).
   */
  credentialsRef?: { name: string };
  policy: IssuerPolicy;
}

export interface IssuerStatus {
  /** The account the token acts on (whoami). */
  accountId?: string;
  /**
   * DNSimple's plan_identifier of that account (whoami): an Ingress or Gateway source reads it
   * to refuse hosts the plan cannot order, before anything is created.
   */
  plan?: string;
  /**
   * The token the Ready condition was verified with: `secret:<uid>/<resourceVersion>` of its
   * Secret, or `operator:<fingerprint>` of the operator's own token (never the token itself).
   */
  tokenVersion?: string;
  observedGeneration?: number;
  conditions?: Condition[];
}

/** A DnsimpleIssuer or a ClusterDnsimpleIssuer (no namespace) as the API server returns it. */
export interface DnsimpleIssuer {
  apiVersion: typeof API_VERSION;
  kind: IssuerKind;
  metadata: {
    name: string;
    /** Absent for a ClusterDnsimpleIssuer. */
    namespace?: string;
    uid: string;
    generation: number;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    creationTimestamp?: Date;
    deletionTimestamp?: Date;
  };
  spec: IssuerSpec;
  status?: IssuerStatus;
}

/** How an issuer is named in messages: `ClusterDnsimpleIssuer dnsimple`, `DnsimpleIssuer team/x`. */
export function issuerLabel(kind: IssuerKind, name: string, namespace?: string): string {
  return kind === CLUSTER_ISSUER_KIND ? `${kind} ${name}` : `${kind} ${namespace}/${name}`;
}
