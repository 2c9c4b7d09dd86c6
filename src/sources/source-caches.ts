// The caches of the objects that can be sources: Ingresses always (when the Ingress source is
// on), Gateways when --enable-gateway-api is set and their CRD is served. cert-manager's
// gateway-shim waits for the Gateway API CRDs the same way: discovery is asked at start and
// then every minute until the CRD appears, so installing it later needs no restart. Each
// object is trimmed to what a source reads (annotations, spec.tls or spec.listeners).
import type {
  CustomObjectsApi,
  KubeConfig,
  KubernetesObject,
  NetworkingV1Api,
  V1Ingress,
} from "@kubernetes/client-node";
import type { Gateway } from "../api/gateway.ts";
import { ResilientInformer } from "../kube/informer.ts";
import { ScopedInformer } from "../kube/scoped-informer.ts";
import {
  gatewaysPath,
  gatewaysServed,
  ingressesPath,
  listGateways,
  listIngresses,
} from "../kube/sources.ts";
import type { Logger } from "../observability/logger.ts";
import type { Clock } from "../time/clock.ts";
import type { SourceKind } from "./generated.ts";

/** How often discovery is asked again while the Gateway CRD is not served. */
const GATEWAY_DISCOVERY_INTERVAL_MS = 60_000;

export type SourceObject =
  | { kind: "Ingress"; object: V1Ingress }
  | { kind: "Gateway"; object: Gateway };

export interface SourceCachesOptions {
  kubeConfig: KubeConfig;
  networking: NetworkingV1Api;
  customObjects: CustomObjectsApi;
  watchNamespaces?: readonly string[];
  ingresses: boolean;
  gateways: boolean;
  log: Logger;
  clock: Clock;
  /** A source was added, changed (not its status) or deleted. */
  onChange: (kind: SourceKind, namespace: string, name: string) => void;
}

export class SourceCaches {
  readonly #options: SourceCachesOptions;
  readonly #ingresses: ScopedInformer<V1Ingress> | undefined;
  #gateways: ScopedInformer<Gateway> | undefined;
  #discoveryTimer: NodeJS.Timeout | undefined;
  #stopped = false;
  /** What made the last seen version of each source worth a pass (spec, annotations). */
  readonly #fingerprints = new Map<string, string>();

  constructor(options: SourceCachesOptions) {
    this.#options = options;
    if (options.ingresses) {
      this.#ingresses = new ScopedInformer(options.watchNamespaces, (ns) =>
        this.#informer<V1Ingress>("Ingress", ingressesPath(ns), () =>
          listIngresses(options.networking, ns),
        ),
      );
    }
  }

  /** Starts the Ingress cache (resolves once listed) and looks for the Gateway CRD. */
  async start(): Promise<void> {
    this.#stopped = false;
    if (this.#options.gateways) await this.#startGateways();
    await this.#ingresses?.start();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#discoveryTimer);
    await Promise.all([this.#ingresses?.stop(), this.#gateways?.stop()]);
  }

  /** Whether the Ingress cache has listed (the Gateway cache does not hold readiness back). */
  get synced(): boolean {
    return this.#ingresses?.synced ?? true;
  }

  /**
   * Whether sources of this kind are watched and listed: only then does a source missing from
   * the cache mean it is gone (with the Gateway source off, or its CRD not yet served, a
   * Gateway's resources are left alone).
   */
  watches(kind: SourceKind): boolean {
    const cache = kind === "Ingress" ? this.#ingresses : this.#gateways;
    return cache?.synced ?? false;
  }

  get(kind: SourceKind, namespace: string, name: string): SourceObject | undefined {
    if (kind === "Ingress") {
      const object = this.#ingresses?.get(name, namespace);
      return object ? { kind, object } : undefined;
    }
    const object = this.#gateways?.get(name, namespace);
    return object ? { kind, object } : undefined;
  }

  /** Every cached source, of one namespace or all. */
  list(namespace?: string): { kind: SourceKind; namespace: string; name: string }[] {
    const ingresses = (this.#ingresses?.list(namespace) ?? []).map((i) => refOf("Ingress", i));
    const gateways = (this.#gateways?.list(namespace) ?? []).map((g) => refOf("Gateway", g));
    return [...ingresses, ...gateways];
  }

  async #startGateways(): Promise<void> {
    const { kubeConfig, customObjects, watchNamespaces, log } = this.#options;
    let served = false;
    try {
      served = await gatewaysServed(kubeConfig);
    } catch (err) {
      log.warn({ err }, "could not ask the API server whether Gateways are served; asking again");
    }
    if (this.#stopped) return;
    if (!served) {
      log.info(
        "--enable-gateway-api is set but gateway.networking.k8s.io/v1 Gateways are not served (their CRDs are not installed): looking again every minute",
      );
      this.#discoveryTimer = setTimeout(
        () => void this.#startGateways(),
        GATEWAY_DISCOVERY_INTERVAL_MS,
      );
      this.#discoveryTimer.unref();
      return;
    }
    this.#gateways = new ScopedInformer(watchNamespaces, (ns) =>
      this.#informer<Gateway>("Gateway", gatewaysPath(ns), () => listGateways(customObjects, ns)),
    );
    await this.#gateways.start();
    log.info("Gateway source started");
  }

  #informer<T extends KubernetesObject>(
    kind: SourceKind,
    path: string,
    list: ConstructorParameters<typeof ResilientInformer<T>>[0]["list"],
  ): ResilientInformer<T> {
    const { kubeConfig, clock, log } = this.#options;
    const seen = (obj: T) => this.#seen(kind, obj);
    return new ResilientInformer<T>({
      kubeConfig,
      clock,
      path,
      list,
      trim: trimSource,
      onAdd: seen,
      onUpdate: seen,
      onDelete: (obj) => {
        const { namespace = "", name = "" } = obj.metadata ?? {};
        this.#fingerprints.delete(`${kind}/${namespace}/${name}`);
        this.#options.onChange(kind, namespace, name);
      },
      onError: (err, retryInMs) => log.warn({ err, retryInMs }, `${kind} watch failed; restarting`),
    });
  }

  /** Spec or annotations changed (or the object is new): a pass. Status alone: none. */
  #seen(kind: SourceKind, obj: KubernetesObject): void {
    const { namespace = "", name = "", uid, generation, annotations } = obj.metadata ?? {};
    const key = `${kind}/${namespace}/${name}`;
    const now = JSON.stringify([uid, generation, annotations ?? {}]);
    if (this.#fingerprints.get(key) === now) return;
    this.#fingerprints.set(key, now);
    this.#options.onChange(kind, namespace, name);
  }
}

function refOf(kind: SourceKind, obj: KubernetesObject) {
  return { kind, namespace: obj.metadata?.namespace ?? "", name: obj.metadata?.name ?? "" };
}

/** Keeps what a source reads: metadata without managedFields, and the spec; no status. */
function trimSource(obj: KubernetesObject & { status?: unknown; spec?: unknown }): void {
  if (obj.metadata) delete obj.metadata.managedFields;
  delete obj.status;
  const spec = obj.spec as { rules?: unknown; defaultBackend?: unknown } | undefined;
  if (spec) {
    delete spec.rules;
    delete spec.defaultBackend;
  }
}
