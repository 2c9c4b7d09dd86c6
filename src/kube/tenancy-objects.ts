// Reading issuers, claims and namespaces (for their informers), and creating a claim.
import type {
  CoreV1Api,
  CustomObjectsApi,
  KubernetesListObject,
  V1Namespace,
} from "@kubernetes/client-node";
import {
  CLAIM_KIND,
  CLAIM_PLURAL,
  type ClaimSpec,
  type DnsimpleCertificateClaim,
} from "../api/claims.ts";
import { CLUSTER_ISSUER_PLURAL, type DnsimpleIssuer, ISSUER_PLURAL } from "../api/issuers.ts";
import { API_VERSION, GROUP, VERSION } from "../api/v1alpha1.ts";
import { KubeApiError, kubeCall } from "./errors.ts";

/** The API path of a custom collection: cluster-scoped or every namespace, or one namespace. */
export function customPath(plural: string, namespace?: string): string {
  return namespace
    ? `/apis/${GROUP}/${VERSION}/namespaces/${namespace}/${plural}`
    : `/apis/${GROUP}/${VERSION}/${plural}`;
}

/** DnsimpleIssuers of one namespace, or of all. */
export async function listIssuers(
  api: CustomObjectsApi,
  namespace?: string,
): Promise<KubernetesListObject<DnsimpleIssuer>> {
  const list = await kubeCall("list DnsimpleIssuers", () =>
    namespace
      ? api.listNamespacedCustomObject({
          group: GROUP,
          version: VERSION,
          plural: ISSUER_PLURAL,
          namespace,
        })
      : api.listClusterCustomObject({ group: GROUP, version: VERSION, plural: ISSUER_PLURAL }),
  );
  return list as KubernetesListObject<DnsimpleIssuer>;
}

/** ClusterDnsimpleIssuers. */
export async function listClusterIssuers(
  api: CustomObjectsApi,
): Promise<KubernetesListObject<DnsimpleIssuer>> {
  const list = await kubeCall("list ClusterDnsimpleIssuers", () =>
    api.listClusterCustomObject({ group: GROUP, version: VERSION, plural: CLUSTER_ISSUER_PLURAL }),
  );
  return list as KubernetesListObject<DnsimpleIssuer>;
}

/** DnsimpleCertificateClaims. */
export async function listClaims(
  api: CustomObjectsApi,
): Promise<KubernetesListObject<DnsimpleCertificateClaim>> {
  const list = await kubeCall("list DnsimpleCertificateClaims", () =>
    api.listClusterCustomObject({ group: GROUP, version: VERSION, plural: CLAIM_PLURAL }),
  );
  return list as KubernetesListObject<DnsimpleCertificateClaim>;
}

/** Namespaces (their labels are what issuers' selectors read). */
export async function listNamespaces(core: CoreV1Api): Promise<KubernetesListObject<V1Namespace>> {
  return kubeCall("list Namespaces", () => core.listNamespace());
}

/**
 * Creates the claim `name`; when one exists already, returns that one (whoever's it is).
 * Never updates: a claim is immutable, the first one wins.
 */
export async function createClaim(
  api: CustomObjectsApi,
  name: string,
  spec: ClaimSpec,
): Promise<{ created: boolean; claim: DnsimpleCertificateClaim }> {
  const body: DnsimpleCertificateClaim = {
    apiVersion: API_VERSION,
    kind: CLAIM_KIND,
    metadata: { name },
    spec,
  };
  try {
    const created = await kubeCall("create a DnsimpleCertificateClaim", () =>
      api.createClusterCustomObject({ group: GROUP, version: VERSION, plural: CLAIM_PLURAL, body }),
    );
    return { created: true, claim: created as DnsimpleCertificateClaim };
  } catch (err) {
    if (!(err instanceof KubeApiError) || err.code !== 409) throw err;
  }
  const existing = await kubeCall("read a DnsimpleCertificateClaim", () =>
    api.getClusterCustomObject({ group: GROUP, version: VERSION, plural: CLAIM_PLURAL, name }),
  );
  return { created: false, claim: existing as DnsimpleCertificateClaim };
}
