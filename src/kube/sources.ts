// Listing the objects that can be sources of DnsimpleCertificates, for their informers:
// Ingresses (networking.k8s.io/v1) and Gateways (gateway.networking.k8s.io/v1, a CRD that may
// not be installed: `gatewaysServed` asks discovery first). Read-only: get, list, watch.
import type {
  CustomObjectsApi,
  KubeConfig,
  KubernetesListObject,
  NetworkingV1Api,
  V1Ingress,
} from "@kubernetes/client-node";
import { ApisApi } from "@kubernetes/client-node";
import { GATEWAY_GROUP, GATEWAY_PLURAL, GATEWAY_VERSION, type Gateway } from "../api/gateway.ts";
import { customPath, listCustomObjects } from "./custom-objects.ts";
import { kubeCall } from "./errors.ts";

export function ingressesPath(namespace?: string): string {
  return namespace
    ? `/apis/networking.k8s.io/v1/namespaces/${namespace}/ingresses`
    : "/apis/networking.k8s.io/v1/ingresses";
}

export async function listIngresses(
  api: NetworkingV1Api,
  namespace?: string,
): Promise<KubernetesListObject<V1Ingress>> {
  return kubeCall("list Ingresses", () =>
    namespace ? api.listNamespacedIngress({ namespace }) : api.listIngressForAllNamespaces(),
  );
}

const GATEWAY_API = { group: GATEWAY_GROUP, version: GATEWAY_VERSION };

export function gatewaysPath(namespace?: string): string {
  return customPath(GATEWAY_PLURAL, namespace, GATEWAY_API);
}

export function listGateways(
  api: CustomObjectsApi,
  namespace?: string,
): Promise<KubernetesListObject<Gateway>> {
  return listCustomObjects<Gateway>(api, GATEWAY_PLURAL, namespace, GATEWAY_API);
}

/** Whether the API server serves gateway.networking.k8s.io/v1 Gateways (their CRD is installed). */
export async function gatewaysServed(kubeConfig: KubeConfig): Promise<boolean> {
  const groups = await kubeCall("discover API groups", () =>
    kubeConfig.makeApiClient(ApisApi).getAPIVersions(),
  );
  const group = groups.groups.find((g) => g.name === GATEWAY_GROUP);
  return group?.versions.some((v) => v.version === GATEWAY_VERSION) ?? false;
}
