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
import { kubeCall } from "./errors.ts";

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
