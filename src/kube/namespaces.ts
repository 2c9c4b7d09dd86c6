// Listing namespaces, for their informer: their labels are what issuers' selectors read.
import type { CoreV1Api, KubernetesListObject, V1Namespace } from "@kubernetes/client-node";
import { kubeCall } from "./errors.ts";

/** Namespaces (their labels are what issuers' selectors read). */
export async function listNamespaces(core: CoreV1Api): Promise<KubernetesListObject<V1Namespace>> {
  return kubeCall("list Namespaces", () => core.listNamespace());
}
