// The access part of an observation: which issuer the resource uses and what it grants, the
// claims of the certificates the resource names, and the issuer's purchase budget's use. All
// from the caches, no call: a refusal costs nothing and happens before any DNSimple call.

import type { ClaimOwner } from "../api/claims.ts";
import { CLUSTER_ISSUER_KIND, type IssuerRef } from "../api/issuers.ts";
import type { DnsimpleCertificate } from "../api/v1alpha1.ts";
import { judgeAccess } from "../issuers/policy.ts";
import type { PurchaseLedger } from "../issuers/purchase-ledger.ts";
import type { AccessObservation, SecretObservation } from "./observation.ts";
import type { TenancyView } from "./ports.ts";

/** How `resource` reaches DNSimple, judged now. */
export function observeAccess(
  resource: DnsimpleCertificate,
  secret: SecretObservation,
  now: Date,
  tenancy: TenancyView,
  ledger: PurchaseLedger,
): AccessObservation {
  if (resource.spec.credentialsRef) return { kind: "ownToken" };
  const { namespace } = resource.metadata;
  const ref = issuerRefOf(resource, tenancy);
  const verdict = judgeAccess({
    resource,
    ref,
    defaulted: !resource.spec.issuerRef && ref !== undefined,
    issuer: ref ? tenancy.issuer(ref, namespace) : undefined,
    namespaceLabels: tenancy.namespaceLabels(namespace),
    clusterResourceNamespace: tenancy.clusterResourceNamespace,
  });
  if (verdict.kind === "refused") return verdict;
  const { grant } = verdict;
  const lastPurchaseAt = tenancy.lastPurchaseBy(namespace, resource.metadata.name);
  return {
    kind: "issuer",
    grant,
    owners: ownersOf(namedCertificates(resource, secret), tenancy),
    budget: ledger.usage(grant.budgetScope, tenancy.claimedPurchases(grant.budgetScope), now),
    ...(lastPurchaseAt ? { lastPurchaseAt } : {}),
  };
}

/** The issuer the resource names, else the operator's default ClusterDnsimpleIssuer. */
function issuerRefOf(resource: DnsimpleCertificate, tenancy: TenancyView): IssuerRef | undefined {
  if (resource.spec.issuerRef) return resource.spec.issuerRef;
  const name = tenancy.defaultClusterIssuer;
  return name ? { kind: CLUSTER_ISSUER_KIND, name } : undefined;
}

/** The certificates a decision may act on: the spec's, the status's and the Secret's. */
function namedCertificates(resource: DnsimpleCertificate, secret: SecretObservation): number[] {
  const { spec, status } = resource;
  const ids = [
    spec.certificateId,
    status?.certificateId,
    status?.renewedCertificateId,
    secret.certificateId,
  ];
  return ids.filter((id): id is number => id !== undefined);
}

function ownersOf(ids: readonly number[], tenancy: TenancyView): Map<number, ClaimOwner> {
  const owners = new Map<number, ClaimOwner>();
  for (const id of ids) {
    const owner = tenancy.ownerOf(id);
    if (owner) owners.set(id, owner);
  }
  return owners;
}

/** Whether a claim's owner is this resource: its namespace and name (see isOwnedBy's note). */
export function isOwnedBy(owner: ClaimOwner, resource: DnsimpleCertificate): boolean {
  // By namespace and name, not uid: a resource deleted and made again under its name can be
  // made only by someone who may write in that namespace, the claim's trust boundary; it keeps
  // its certificates (a Secret with Retain still holds one).
  return owner.namespace === resource.metadata.namespace && owner.name === resource.metadata.name;
}

/** The access with one more claim known (made in this pass). */
export function withOwner(
  access: AccessObservation,
  certificateId: number,
  owner: ClaimOwner,
): AccessObservation {
  if (access.kind !== "issuer") return access;
  return { ...access, owners: new Map(access.owners).set(certificateId, owner) };
}

/** The resource as a claim's owner. */
export function ownerOf(resource: DnsimpleCertificate): ClaimOwner {
  const { namespace, name, uid } = resource.metadata;
  return { namespace, name, uid };
}

/**
 * The issuer's renewal floor for the Secret's certificate: no renewal is bought before
 * notBefore + floor, nor before the resource's last purchase + floor, however renewBefore or
 * renew-at ask (undefined: no floor applies). The claims' purchase time is the operator's own
 * record; the Secret's notBefore alone a tenant could set years back with a certificate it made.
 */
export function renewalFloorAt(
  access: AccessObservation,
  notBefore: Date | undefined,
): Date | undefined {
  if (access.kind !== "issuer" || access.grant.renewalFloorMs <= 0) return undefined;
  const from = Math.max(notBefore?.getTime() ?? 0, access.lastPurchaseAt?.getTime() ?? 0);
  return from > 0 ? new Date(from + access.grant.renewalFloorMs) : undefined;
}

/**
 * Whether a certificate found in DNSimple's list may become the resource's: through an issuer,
 * one no other resource owns (a search never crosses owners); with its own token, any.
 */
export function claimableBy(
  access: AccessObservation,
  resource: DnsimpleCertificate,
  tenancy: TenancyView,
): (certificateId: number) => boolean {
  if (access.kind !== "issuer") return () => true;
  return (id) => {
    const owner = tenancy.ownerOf(id);
    return !owner || isOwnedBy(owner, resource);
  };
}
