// Whether an issuer serves a DnsimpleCertificate, judged as cert-manager's approver-policy
// does: gather the inputs once (the resource, its issuer, its namespace's labels), then an
// ordered chain of small named checks, the first refusal wins. Pure, so it is tested by a table
// (test/unit/issuers/policy.test.ts). A refusal names the issuer and the policy field, and
// nothing about other tenants' certificates or domains.
import type { V1LabelSelector } from "@kubernetes/client-node";
import {
  CLUSTER_ISSUER_KIND,
  type DnsimpleIssuer,
  type IssuerRef,
  issuerLabel,
} from "../api/issuers.ts";
import type { DnsimpleCertificate } from "../api/v1alpha1.ts";
import { expectedDnsNames, normaliseDnsName } from "../certs/dns-names.ts";
import type { Failure } from "../controller/observation.ts";
import { parseDuration } from "../time/duration.ts";
import { selectorMatches } from "./label-selector.ts";
import { purchaseScope } from "./purchase-ledger.ts";

/** What an issuer's policy grants one resource's namespace. */
export interface IssuerGrant {
  /** The issuer, as named in messages: `ClusterDnsimpleIssuer dnsimple`. */
  label: string;
  kind: IssuerRef["kind"];
  name: string;
  /** A DnsimpleIssuer's namespace (the resource's own). */
  namespace?: string;
  /** The token Secret; undefined: the operator's own token (a ClusterDnsimpleIssuer without one). */
  tokenSecret?: { namespace: string; name: string };
  /** The budget's scope: this issuer and the resource's namespace. */
  budgetScope: string;
  /** Whether the namespace may adopt a certificate no resource owns. */
  adoptionAllowed: boolean;
  /** No renewal is bought sooner than this after the certificate's notBefore or the last purchase. */
  renewalFloorMs: number;
  /** Orders per namespace in any 24 hours. */
  ordersPerDay: number;
}

/** The issuer's answer: what it grants, or why it refuses (nothing is called or bought then). */
export type AccessVerdict =
  | { kind: "granted"; grant: IssuerGrant }
  | { kind: "refused"; failure: Failure };

/** What the judgement reads, gathered once. */
export interface AccessRequest {
  resource: DnsimpleCertificate;
  /** The issuer the resource names (or the default one); absent when none is set. */
  ref: IssuerRef | undefined;
  /** Whether ref is the operator's --default-cluster-issuer (not named by the resource). */
  defaulted: boolean;
  /** The issuer as cached; undefined when it does not exist. */
  issuer: DnsimpleIssuer | undefined;
  /** The resource's namespace's labels. */
  namespaceLabels: Readonly<Record<string, string>>;
  /** Where a ClusterDnsimpleIssuer's token Secret lives: the operator's namespace. */
  clusterResourceNamespace: string;
}

interface Judged extends AccessRequest {
  readonly ref: IssuerRef;
  readonly issuer: DnsimpleIssuer;
  readonly label: string;
  /** The certificate's DNS names; undefined when the domain is given by numeric id. */
  readonly dnsNames: string[] | undefined;
}

type PolicyCheck = (input: Judged) => Failure | undefined;

/** The order of the checks is the order of precedence. */
const POLICY_CHAIN: readonly PolicyCheck[] = [
  tokenNotNamed,
  namespaceNotServed,
  domainNotAllowed,
  wildcardNotAllowed,
  dnsNameNotAllowed,
];

/** Whether the resource's issuer serves it, and with what budget and adoption rights. */
export function judgeAccess(request: AccessRequest): AccessVerdict {
  const { ref, issuer, resource } = request;
  if (!ref) return refused("IssuerNotSet", issuerNotSetMessage());
  const namespace = resource.metadata.namespace;
  const label = issuerLabel(ref.kind, ref.name, namespace);
  if (!issuer) return refused("IssuerNotFound", issuerNotFoundMessage(request, label));
  const judged: Judged = { ...request, ref, issuer, label, dnsNames: dnsNamesOf(resource) };
  for (const check of POLICY_CHAIN) {
    const failure = check(judged);
    if (failure) return { kind: "refused", failure };
  }
  return { kind: "granted", grant: grantOf(judged) };
}

/** The checks that say whether the namespace may use the issuer's token at all. */
const TOKEN_USE_CHAIN: readonly PolicyCheck[] = [tokenNotNamed, namespaceNotServed];

/**
 * Whether the resource's namespace may use the issuer's token at all, before its names are
 * known: an Ingress source asks this before it lists the account's domains to find the
 * domain of its hosts (the full judgement runs on the resource it then generates).
 */
export function judgeTokenUse(request: AccessRequest): AccessVerdict {
  const { ref, issuer, resource } = request;
  if (!ref) return refused("IssuerNotSet", issuerNotSetMessage());
  const label = issuerLabel(ref.kind, ref.name, resource.metadata.namespace);
  if (!issuer) return refused("IssuerNotFound", issuerNotFoundMessage(request, label));
  const judged: Judged = { ...request, ref, issuer, label, dnsNames: undefined };
  for (const check of TOKEN_USE_CHAIN) {
    const failure = check(judged);
    if (failure) return { kind: "refused", failure };
  }
  return { kind: "granted", grant: grantOf(judged) };
}

function grantOf(judged: Judged): IssuerGrant {
  const { ref, issuer, label, namespaceLabels, resource } = judged;
  const { policy, credentialsRef } = issuer.spec;
  const namespace = resource.metadata.namespace;
  const adoption = policy.adoption?.namespaceSelector;
  const cluster = ref.kind === CLUSTER_ISSUER_KIND;
  const secretNamespace = cluster ? judged.clusterResourceNamespace : namespace;
  return {
    label,
    kind: ref.kind,
    name: ref.name,
    ...(cluster ? {} : { namespace }),
    ...(credentialsRef
      ? { tokenSecret: { namespace: secretNamespace, name: credentialsRef.name } }
      : {}),
    budgetScope: purchaseScope(
      { kind: ref.kind, name: ref.name, ...(cluster ? {} : { namespace }) },
      namespace,
    ),
    adoptionAllowed: adoption !== undefined && selectorMatches(adoption, namespaceLabels),
    renewalFloorMs: parseDuration(policy.budget.renewalFloor),
    ordersPerDay: policy.budget.ordersPerNamespacePerDay,
  };
}

/** A DnsimpleIssuer's token is its own Secret's, never the operator's (the CRD requires one). */
function tokenNotNamed({ ref, issuer, label }: Judged): Failure | undefined {
  if (ref.kind === CLUSTER_ISSUER_KIND || issuer.spec.credentialsRef) return undefined;
  return {
    reason: "CredentialsNotFound",
    message: `${label} has no spec.credentialsRef: name the token Secret of its namespace`,
  };
}

/** A ClusterDnsimpleIssuer serves only the namespaces its selector names (none without one). */
function namespaceNotServed({ ref, issuer, label, resource, namespaceLabels }: Judged) {
  if (ref.kind !== CLUSTER_ISSUER_KIND) return undefined;
  const selector: V1LabelSelector | undefined = issuer.spec.policy.namespaceSelector;
  if (selector && selectorMatches(selector, namespaceLabels)) return undefined;
  return notPermitted(
    `${label} does not serve namespace ${resource.metadata.namespace} (spec.policy.namespaceSelector): ask the platform to allow it there, or use a DnsimpleIssuer or spec.credentialsRef of this namespace`,
  );
}

/** The DNSimple domain must be one the policy lists (by name, so the list can be checked). */
function domainNotAllowed({ issuer, label, resource }: Judged): Failure | undefined {
  const patterns = issuer.spec.policy.domains;
  const domain = normaliseDnsName(resource.spec.domain);
  if (/^\d+$/.test(domain) && (patterns || issuer.spec.policy.dnsNames)) {
    return notPermitted(
      `${label}'s policy lists domains and names: give spec.domain by name, not by numeric id`,
    );
  }
  if (!patterns || patterns.some((p) => nameMatches(p, domain))) return undefined;
  return notPermitted(
    `${label} does not allow the domain ${domain} (spec.policy.domains): use one of its allowed domains`,
  );
}

/** A wildcard certificate only where the policy allows wildcards. */
function wildcardNotAllowed({ issuer, label, resource, dnsNames }: Judged): Failure | undefined {
  if (issuer.spec.policy.allowWildcards) return undefined;
  // dnsNames is undefined for a numeric domain: the alternate names still tell.
  const names = dnsNames ?? resource.spec.alternateNames ?? [];
  const wildcard = resource.spec.name.trim() === "*" || names.some((n) => n.trim().startsWith("*"));
  if (!wildcard) return undefined;
  return notPermitted(
    `${label} does not allow wildcard certificates (spec.policy.allowWildcards): name each host instead`,
  );
}

/** Every DNS name of the certificate must match one of the policy's patterns. */
function dnsNameNotAllowed({ issuer, label, dnsNames }: Judged): Failure | undefined {
  const patterns = issuer.spec.policy.dnsNames;
  if (!patterns || !dnsNames) return undefined;
  const outside = dnsNames.filter((n) => !patterns.some((p) => nameMatches(p, n)));
  if (outside.length === 0) return undefined;
  return notPermitted(
    `${label} does not allow the name${outside.length > 1 ? "s" : ""} ${outside.join(", ")} (spec.policy.dnsNames)`,
  );
}

/**
 * A pattern is a name, or `*.` and a suffix that matches every name under it (at any depth,
 * the wildcard name `*.suffix` included: allowWildcards decides that one).
 */
export function nameMatches(pattern: string, name: string): boolean {
  const p = normaliseDnsName(pattern);
  const n = normaliseDnsName(name);
  if (!p.startsWith("*.")) return p === n;
  return n.endsWith(p.slice(1)) && n.length > p.length - 1;
}

/** The names the certificate covers; undefined when the domain is a numeric id. */
function dnsNamesOf(resource: DnsimpleCertificate): string[] | undefined {
  const { domain, name, alternateNames } = resource.spec;
  if (/^\d+$/.test(normaliseDnsName(domain))) return undefined;
  return expectedDnsNames({ domain, name, ...(alternateNames ? { alternateNames } : {}) });
}

function issuerNotSetMessage(): string {
  return "no issuer: spec.issuerRef is not set, and the operator's default token no longer serves every namespace. The platform creates a ClusterDnsimpleIssuer whose spec.policy.namespaceSelector selects this namespace (the chart makes one with clusterIssuer.create=true, named dnsimple), and this resource names it: spec.issuerRef {kind: ClusterDnsimpleIssuer, name: dnsimple}; or the operator runs with --default-cluster-issuer=dnsimple. A token of this namespace's own works too: spec.credentialsRef";
}

function issuerNotFoundMessage(request: AccessRequest, label: string): string {
  const why = request.defaulted ? " (the operator's --default-cluster-issuer)" : "";
  const fix =
    request.ref?.kind === CLUSTER_ISSUER_KIND
      ? "the platform creates it with a spec.policy.namespaceSelector that selects this namespace"
      : "create it in this namespace with spec.credentialsRef naming the token Secret";
  return `${label}${why} does not exist: ${fix}`;
}

function notPermitted(message: string): Failure {
  return { reason: "NotPermitted", message };
}

function refused(reason: Failure["reason"], message: string): AccessVerdict {
  return { kind: "refused", failure: { reason, message } };
}
