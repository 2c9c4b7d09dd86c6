// Kubernetes as the benchmark drives it: namespaces, DnsimpleCertificate resources and their
// Secrets' resourceVersions, and a watch that records, with this process's clock, when each
// resource first turns Ready; and kube-apiserver's own /metrics, read with the same credentials.
import { request } from "node:https";
import {
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  type KubernetesListObject,
  makeInformer,
} from "@kubernetes/client-node";
import {
  type DnsimpleCertificate,
  type DnsimpleCertificateSpec,
  GROUP,
  MANAGED_SECRET_SELECTOR,
  PLURAL,
  VERSION,
} from "../../src/api/v1alpha1.ts";
import { progress, withRetries } from "./progress.ts";

export type CertificateSpecInput = Partial<DnsimpleCertificateSpec> & {
  domain: string;
  secretName: string;
};

export class Kube {
  readonly kc: KubeConfig;
  readonly core: CoreV1Api;
  readonly custom: CustomObjectsApi;

  constructor(kc: KubeConfig) {
    this.kc = kc;
    this.core = kc.makeApiClient(CoreV1Api);
    this.custom = kc.makeApiClient(CustomObjectsApi);
  }

  async createNamespace(name: string): Promise<void> {
    await withRetries(`create namespace ${name}`, () =>
      this.core.createNamespace({
        body: { metadata: { name, labels: { "bench.dnsimple": "1" } } },
      }),
    );
  }

  /** Starts deleting the namespace; does not wait for it to be gone. */
  async deleteNamespace(name: string): Promise<void> {
    try {
      await this.core.deleteNamespace({ name });
    } catch {
      // Already gone.
    }
  }

  async createCertificate(
    namespace: string,
    name: string,
    spec: CertificateSpecInput,
  ): Promise<void> {
    await withRetries(`create ${namespace}/${name}`, () =>
      this.custom.createNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        plural: PLURAL,
        namespace,
        body: {
          apiVersion: `${GROUP}/${VERSION}`,
          kind: "DnsimpleCertificate",
          metadata: { name },
          spec,
        },
      }),
    );
  }

  async listCertificates(namespace?: string): Promise<DnsimpleCertificate[]> {
    const list = (await (namespace
      ? this.custom.listNamespacedCustomObject({
          group: GROUP,
          version: VERSION,
          plural: PLURAL,
          namespace,
        })
      : this.custom.listClusterCustomObject({
          group: GROUP,
          version: VERSION,
          plural: PLURAL,
        }))) as KubernetesListObject<DnsimpleCertificate>;
    return list.items;
  }

  /**
   * kube-apiserver's own /metrics (Prometheus text), read with this KubeConfig's credentials
   * (the bench's admin certificate; `kubectl get --raw /metrics`).
   */
  async rawMetrics(): Promise<string> {
    const server = this.kc.getCurrentCluster()?.server;
    if (!server) throw new Error("the KubeConfig names no cluster");
    const options: Parameters<typeof request>[1] = { timeout: 30_000 };
    await this.kc.applyToHTTPSOptions(options);
    return withRetries("GET kube-apiserver /metrics", () => httpsGet(`${server}/metrics`, options));
  }

  /** resourceVersion of every managed Secret and of every resource in the namespace. */
  async resourceVersions(
    namespace: string,
  ): Promise<{ secrets: Map<string, string>; certificates: Map<string, string> }> {
    const secrets = await this.core.listNamespacedSecret({
      namespace,
      labelSelector: MANAGED_SECRET_SELECTOR,
    });
    const certificates = await this.listCertificates(namespace);
    return {
      secrets: new Map(
        secrets.items.map((s) => [s.metadata?.name ?? "", s.metadata?.resourceVersion ?? ""]),
      ),
      certificates: new Map(
        certificates.map((c) => [c.metadata.name, c.metadata.resourceVersion ?? ""]),
      ),
    };
  }
}

function httpsGet(url: string, options: Parameters<typeof request>[1]): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("error", reject);
      res.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        if (res.statusCode === 200) resolve(body);
        else reject(new Error(`GET ${url}: HTTP ${res.statusCode}: ${body.slice(0, 200)}`));
      });
    });
    req.on("timeout", () => req.destroy(new Error(`GET ${url}: timed out`)));
    req.on("error", reject);
    req.end();
  });
}

/** How many entries of `after` have a different (or no) value in `before`. */
export function changed(before: Map<string, string>, after: Map<string, string>): number {
  let n = 0;
  for (const [key, value] of after) if (before.get(key) !== value) n++;
  return n;
}

export function readyCondition(resource: DnsimpleCertificate) {
  return resource.status?.conditions?.find((c) => c.type === "Ready");
}

/**
 * Watches the resources of one namespace and records, with this process's clock, the first
 * time each is seen with Ready=True (and its latest Ready reason otherwise).
 */
export class ReadyWatcher {
  readonly readyAt = new Map<string, number>();
  readonly reasons = new Map<string, string>();
  readonly #informer: ReturnType<typeof makeInformer<DnsimpleCertificate>>;
  #stopped = false;
  #waiters: (() => void)[] = [];

  constructor(kube: Kube, namespace: string) {
    const path = `/apis/${GROUP}/${VERSION}/namespaces/${namespace}/${PLURAL}`;
    this.#informer = makeInformer<DnsimpleCertificate>(
      kube.kc,
      path,
      async () =>
        (await kube.custom.listNamespacedCustomObject({
          group: GROUP,
          version: VERSION,
          plural: PLURAL,
          namespace,
        })) as KubernetesListObject<DnsimpleCertificate>,
    );
    const seen = (obj: DnsimpleCertificate) => {
      const now = Date.now();
      const ready = readyCondition(obj);
      const name = obj.metadata.name;
      if (ready) this.reasons.set(name, ready.status === "True" ? "Ready" : ready.reason);
      if (ready?.status === "True" && !this.readyAt.has(name)) {
        this.readyAt.set(name, now);
        for (const wake of this.#waiters.splice(0)) wake();
      }
    };
    this.#informer.on("add", seen);
    this.#informer.on("update", seen);
    this.#informer.on("error", () => {
      if (this.#stopped) return;
      setTimeout(() => {
        if (!this.#stopped) this.#informer.start().catch(() => {});
      }, 1000);
    });
  }

  start(): Promise<void> {
    return this.#informer.start();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#informer.stop();
  }

  /** Waits until every name is Ready; returns false on timeout. Logs progress. */
  async waitAll(names: readonly string[], timeoutMs: number, label: string): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    let lastLog = Date.now();
    for (;;) {
      const ready = names.filter((n) => this.readyAt.has(n)).length;
      if (ready === names.length) return true;
      if (Date.now() > deadline) return false;
      if (Date.now() - lastLog > 10_000) {
        progress(`${label}: ${ready}/${names.length} Ready`);
        lastLog = Date.now();
      }
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        setTimeout(resolve, 1000);
      });
    }
  }

  /** Ready=False reasons of the names not Ready, counted. */
  notReadyReasons(names: readonly string[]): Record<string, number> {
    const out: Record<string, number> = {};
    for (const name of names) {
      if (this.readyAt.has(name)) continue;
      const reason = this.reasons.get(name) ?? "(no condition yet)";
      out[reason] = (out[reason] ?? 0) + 1;
    }
    return out;
  }
}
