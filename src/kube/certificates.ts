// Reading DnsimpleCertificates (for the informer) and writing their status through the status
// subresource, with the resourceVersion the decision was made on (a concurrent change is a
// conflict, and the reconcile runs again on fresh data).
import type { CustomObjectsApi, KubernetesListObject } from "@kubernetes/client-node";
import {
  type DnsimpleCertificate,
  type DnsimpleCertificateStatus,
  GROUP,
  PLURAL,
  VERSION,
} from "../api/v1alpha1.ts";
import { customPath, listCustomObjects } from "./custom-objects.ts";
import { KubeApiError, kubeCall } from "./errors.ts";

/** The API path the informer watches: every namespace, or one. */
export function certificatesPath(namespace?: string): string {
  return customPath(PLURAL, namespace);
}

/** DnsimpleCertificates of every namespace, or of one. */
export function listCertificates(
  api: CustomObjectsApi,
  namespace?: string,
): Promise<KubernetesListObject<DnsimpleCertificate>> {
  return listCustomObjects<DnsimpleCertificate>(api, PLURAL, namespace);
}

/** Replaces the status; returns the updated resource (with its new resourceVersion). */
export async function replaceStatus(
  api: CustomObjectsApi,
  resource: DnsimpleCertificate,
  status: DnsimpleCertificateStatus,
): Promise<DnsimpleCertificate> {
  const { name, namespace } = resource.metadata;
  const updated = await kubeCall(`update status of DnsimpleCertificate ${namespace}/${name}`, () =>
    api.replaceNamespacedCustomObjectStatus({
      group: GROUP,
      version: VERSION,
      plural: PLURAL,
      namespace,
      name,
      body: { ...resource, status },
    }),
  );
  return updated as DnsimpleCertificate;
}

/** What a generated resource is created from (the API server adds uid, generation, defaults). */
export type NewCertificate = Omit<DnsimpleCertificate, "metadata"> & {
  metadata: Pick<
    DnsimpleCertificate["metadata"],
    "name" | "namespace" | "labels" | "annotations" | "ownerReferences"
  >;
};

/** Creates a DnsimpleCertificate (an Ingress or Gateway source's); 409 if the name is taken. */
export async function createCertificate(
  api: CustomObjectsApi,
  resource: NewCertificate,
): Promise<DnsimpleCertificate> {
  const { name, namespace } = resource.metadata;
  const created = await kubeCall(`create DnsimpleCertificate ${namespace}/${name}`, () =>
    api.createNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      plural: PLURAL,
      namespace,
      body: resource,
    }),
  );
  return created as DnsimpleCertificate;
}

/** Replaces metadata and spec with the resourceVersion read (a concurrent change is a 409). */
export async function replaceCertificate(
  api: CustomObjectsApi,
  resource: DnsimpleCertificate,
): Promise<DnsimpleCertificate> {
  const { name, namespace } = resource.metadata;
  const { status: _status, ...body } = resource;
  const updated = await kubeCall(`update DnsimpleCertificate ${namespace}/${name}`, () =>
    api.replaceNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      plural: PLURAL,
      namespace,
      name,
      body,
    }),
  );
  return updated as DnsimpleCertificate;
}

/**
 * Deletes a DnsimpleCertificate, only the one with this uid (a resource re-created under the
 * name meanwhile is not this one's to delete); gone already is fine.
 */
export async function deleteCertificate(
  api: CustomObjectsApi,
  resource: DnsimpleCertificate,
): Promise<void> {
  const { name, namespace, uid } = resource.metadata;
  try {
    await kubeCall(`delete DnsimpleCertificate ${namespace}/${name}`, () =>
      api.deleteNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        plural: PLURAL,
        namespace,
        name,
        body: { preconditions: { uid } },
      }),
    );
  } catch (err) {
    if (err instanceof KubeApiError && err.notFound) return;
    throw err;
  }
}
