// Listing custom objects (for their informers): one path and one list call for every kind,
// cluster-scoped or namespaced, over every namespace or one; the operator's own group by
// default, another's (the Gateway API's) when given.
import type {
  CustomObjectsApi,
  KubernetesListObject,
  KubernetesObject,
} from "@kubernetes/client-node";
import { GROUP, VERSION } from "../api/v1alpha1.ts";
import { kubeCall } from "./errors.ts";

/** An API group and version: the operator's own by default. */
export interface GroupVersion {
  group: string;
  version: string;
}

const OWN: GroupVersion = { group: GROUP, version: VERSION };

/** The API path of a custom collection: cluster-scoped or every namespace, or one namespace. */
export function customPath(
  plural: string,
  namespace?: string,
  groupVersion: GroupVersion = OWN,
): string {
  const root = `/apis/${groupVersion.group}/${groupVersion.version}`;
  return namespace ? `${root}/namespaces/${namespace}/${plural}` : `${root}/${plural}`;
}

/** Lists `plural` over the cluster (every namespace, or a cluster-scoped kind), or in one. */
export async function listCustomObjects<T extends KubernetesObject>(
  api: CustomObjectsApi,
  plural: string,
  namespace?: string,
  groupVersion: GroupVersion = OWN,
): Promise<KubernetesListObject<T>> {
  const where = { ...groupVersion, plural };
  const list = await kubeCall(`list ${plural}`, () =>
    namespace
      ? api.listNamespacedCustomObject({ ...where, namespace })
      : api.listClusterCustomObject(where),
  );
  return list as KubernetesListObject<T>;
}
