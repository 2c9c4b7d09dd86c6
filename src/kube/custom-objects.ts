// Listing the operator's custom objects (for their informers): one path and one list call
// for every kind, cluster-scoped or namespaced, over every namespace or one.
import type {
  CustomObjectsApi,
  KubernetesListObject,
  KubernetesObject,
} from "@kubernetes/client-node";
import { GROUP, VERSION } from "../api/v1alpha1.ts";
import { kubeCall } from "./errors.ts";

/** The API path of a custom collection: cluster-scoped or every namespace, or one namespace. */
export function customPath(plural: string, namespace?: string): string {
  return namespace
    ? `/apis/${GROUP}/${VERSION}/namespaces/${namespace}/${plural}`
    : `/apis/${GROUP}/${VERSION}/${plural}`;
}

/** Lists `plural` over the cluster (every namespace, or a cluster-scoped kind), or in one. */
export async function listCustomObjects<T extends KubernetesObject>(
  api: CustomObjectsApi,
  plural: string,
  namespace?: string,
): Promise<KubernetesListObject<T>> {
  const where = { group: GROUP, version: VERSION, plural };
  const list = await kubeCall(`list ${plural}`, () =>
    namespace
      ? api.listNamespacedCustomObject({ ...where, namespace })
      : api.listClusterCustomObject(where),
  );
  return list as KubernetesListObject<T>;
}
