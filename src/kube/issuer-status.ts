// Writing a DnsimpleIssuer's or a ClusterDnsimpleIssuer's status through the status
// subresource, with the resourceVersion the check was made on: a concurrent change (another
// operator's write, an edit) is a 409, and the issuer is checked again on fresh data.
import type { CustomObjectsApi } from "@kubernetes/client-node";
import {
  CLUSTER_ISSUER_KIND,
  CLUSTER_ISSUER_PLURAL,
  type DnsimpleIssuer,
  ISSUER_PLURAL,
  type IssuerStatus,
  issuerLabel,
} from "../api/issuers.ts";
import { GROUP, VERSION } from "../api/v1alpha1.ts";
import { kubeCall } from "./errors.ts";

/** Replaces the issuer's status; returns the updated issuer (with its new resourceVersion). */
export async function replaceIssuerStatus(
  api: CustomObjectsApi,
  issuer: DnsimpleIssuer,
  status: IssuerStatus,
): Promise<DnsimpleIssuer> {
  const { name, namespace } = issuer.metadata;
  const body = { ...issuer, status };
  const operation = `update status of ${issuerLabel(issuer.kind, name, namespace)}`;
  const updated = await kubeCall(operation, () =>
    issuer.kind === CLUSTER_ISSUER_KIND
      ? api.replaceClusterCustomObjectStatus({
          group: GROUP,
          version: VERSION,
          plural: CLUSTER_ISSUER_PLURAL,
          name,
          body,
        })
      : api.replaceNamespacedCustomObjectStatus({
          group: GROUP,
          version: VERSION,
          plural: ISSUER_PLURAL,
          namespace: namespace ?? "",
          name,
          body,
        }),
  );
  return updated as DnsimpleIssuer;
}
