// The plugin's only I/O with the cluster: the reads (and the one patch) the commands make, each
// a KubeApiError on failure (kube/errors.ts: the status code and a scrubbed message, never a
// response body). A 404 on a get is an answer (undefined), not an error. Nothing here judges.
import {
  ApiextensionsV1Api,
  CoordinationV1Api,
  CoreV1Api,
  type CoreV1Event,
  CustomObjectsApi,
  type KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type V1CustomResourceDefinition,
  type V1Lease,
  type V1Pod,
  type V1Secret,
} from "@kubernetes/client-node";
import {
  CLUSTER_ISSUER_KIND,
  CLUSTER_ISSUER_PLURAL,
  type DnsimpleIssuer,
  ISSUER_PLURAL,
  type IssuerRef,
} from "../api/issuers.ts";
import {
  type DnsimpleCertificate,
  type DnsimpleCertificateStatus,
  GROUP,
  PLURAL,
  VERSION,
} from "../api/v1alpha1.ts";
import { KubeApiError, kubeCall } from "../kube/errors.ts";

/** DNSimple's record of the certificate, as the operator last read it (status.dnsimple). */
export interface DnsimpleRecord {
  certificateId?: number;
  autoRenew?: boolean;
  /** RFC 3339. */
  expiresAt?: string;
}

/**
 * A DnsimpleCertificate as read from the API server. status.dnsimple is read whether or not
 * the operator that wrote the status knows it (an older one does not write it).
 */
export type CertificateObject = Omit<DnsimpleCertificate, "status"> & {
  status?: DnsimpleCertificateStatus & { dnsimple?: DnsimpleRecord };
};

/** The involved object of the Events to list: its kind, name and (when known) uid. */
export interface EventSubject {
  kind: string;
  namespace: string;
  name: string;
  uid?: string;
}

export class Cluster {
  readonly #core: CoreV1Api;
  readonly #objects: CustomObjectsApi;
  readonly #extensions: ApiextensionsV1Api;
  readonly #coordination: CoordinationV1Api;

  constructor(kubeConfig: KubeConfig) {
    this.#core = kubeConfig.makeApiClient(CoreV1Api);
    this.#objects = kubeConfig.makeApiClient(CustomObjectsApi);
    this.#extensions = kubeConfig.makeApiClient(ApiextensionsV1Api);
    this.#coordination = kubeConfig.makeApiClient(CoordinationV1Api);
  }

  getCertificate(namespace: string, name: string): Promise<CertificateObject | undefined> {
    return orUndefined(
      kubeCall(
        `get DnsimpleCertificate ${namespace}/${name}`,
        async () =>
          (await this.#objects.getNamespacedCustomObject({
            group: GROUP,
            version: VERSION,
            plural: PLURAL,
            namespace,
            name,
          })) as CertificateObject,
      ),
    );
  }

  /** In `namespace`, or in all namespaces when it is undefined; a label selector when given. */
  async listCertificates(
    namespace: string | undefined,
    labelSelector?: string,
  ): Promise<CertificateObject[]> {
    const where = namespace === undefined ? "all namespaces" : `namespace ${namespace}`;
    const list = await kubeCall(`list DnsimpleCertificates in ${where}`, async () => {
      const query = {
        group: GROUP,
        version: VERSION,
        plural: PLURAL,
        ...(labelSelector === undefined ? {} : { labelSelector }),
      };
      return (await (namespace === undefined
        ? this.#objects.listClusterCustomObject(query)
        : this.#objects.listNamespacedCustomObject({ ...query, namespace }))) as {
        items: CertificateObject[];
      };
    });
    return list.items;
  }

  /** Sets annotations with a JSON merge patch (other annotations stay as they are). */
  async annotateCertificate(
    namespace: string,
    name: string,
    annotations: Record<string, string>,
  ): Promise<void> {
    await kubeCall(`annotate DnsimpleCertificate ${namespace}/${name}`, () =>
      this.#objects.patchNamespacedCustomObject(
        {
          group: GROUP,
          version: VERSION,
          plural: PLURAL,
          namespace,
          name,
          body: { metadata: { annotations } },
        },
        setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
      ),
    );
  }

  /** The Events of one object (by kind and name; by uid too when given, so a namesake's go). */
  async eventsOf(subject: EventSubject): Promise<CoreV1Event[]> {
    const { kind, namespace, name, uid } = subject;
    const list = await kubeCall(`list Events of ${kind} ${namespace}/${name}`, () =>
      this.#core.listNamespacedEvent({
        namespace,
        fieldSelector: [
          `involvedObject.kind=${kind}`,
          `involvedObject.name=${name}`,
          ...(uid === undefined ? [] : [`involvedObject.uid=${uid}`]),
        ].join(","),
      }),
    );
    return list.items;
  }

  getSecret(namespace: string, name: string): Promise<V1Secret | undefined> {
    return orUndefined(
      kubeCall(`get Secret ${namespace}/${name}`, () =>
        this.#core.readNamespacedSecret({ namespace, name }),
      ),
    );
  }

  /** The issuer a resource names (a DnsimpleIssuer in the resource's namespace). */
  getIssuer(ref: IssuerRef, namespace: string): Promise<DnsimpleIssuer | undefined> {
    const cluster = ref.kind === CLUSTER_ISSUER_KIND;
    const where = cluster ? ref.name : `${namespace}/${ref.name}`;
    return orUndefined(
      kubeCall(`get ${ref.kind} ${where}`, async () => {
        const query = { group: GROUP, version: VERSION, name: ref.name };
        return (await (cluster
          ? this.#objects.getClusterCustomObject({ ...query, plural: CLUSTER_ISSUER_PLURAL })
          : this.#objects.getNamespacedCustomObject({
              ...query,
              plural: ISSUER_PLURAL,
              namespace,
            }))) as DnsimpleIssuer;
      }),
    );
  }

  /** DnsimpleIssuers in `namespace`, or in all namespaces when it is undefined. */
  async listIssuers(namespace: string | undefined): Promise<DnsimpleIssuer[]> {
    const where = namespace === undefined ? "all namespaces" : `namespace ${namespace}`;
    const list = await kubeCall(`list DnsimpleIssuers in ${where}`, async () => {
      const query = { group: GROUP, version: VERSION, plural: ISSUER_PLURAL };
      return (await (namespace === undefined
        ? this.#objects.listClusterCustomObject(query)
        : this.#objects.listNamespacedCustomObject({ ...query, namespace }))) as {
        items: DnsimpleIssuer[];
      };
    });
    return list.items;
  }

  async listClusterIssuers(): Promise<DnsimpleIssuer[]> {
    const list = await kubeCall("list ClusterDnsimpleIssuers", async () => {
      return (await this.#objects.listClusterCustomObject({
        group: GROUP,
        version: VERSION,
        plural: CLUSTER_ISSUER_PLURAL,
      })) as { items: DnsimpleIssuer[] };
    });
    return list.items;
  }

  getCrd(name: string): Promise<V1CustomResourceDefinition | undefined> {
    return orUndefined(
      kubeCall(`get CustomResourceDefinition ${name}`, () =>
        this.#extensions.readCustomResourceDefinition({ name }),
      ),
    );
  }

  /** Pods by label, in `namespace` or in all namespaces when it is undefined. */
  async listPods(namespace: string | undefined, labelSelector: string): Promise<V1Pod[]> {
    const where = namespace === undefined ? "all namespaces" : `namespace ${namespace}`;
    const list = await kubeCall(`list Pods in ${where}`, () =>
      namespace === undefined
        ? this.#core.listPodForAllNamespaces({ labelSelector })
        : this.#core.listNamespacedPod({ namespace, labelSelector }),
    );
    return list.items;
  }

  getLease(namespace: string, name: string): Promise<V1Lease | undefined> {
    return orUndefined(
      kubeCall(`get Lease ${namespace}/${name}`, () =>
        this.#coordination.readNamespacedLease({ namespace, name }),
      ),
    );
  }
}

/** The answer, or undefined for a 404; any other failure is thrown on. */
async function orUndefined<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof KubeApiError && error.notFound) return undefined;
    throw error;
  }
}
