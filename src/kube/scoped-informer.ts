// One cache over a set of namespaces: a ResilientInformer per namespace (a Role there is
// enough to list and watch), or one over the whole cluster when no list is given. Reads route
// to the namespace's informer, so callers see one cache either way.
import type { KubernetesObject } from "@kubernetes/client-node";
import type { ResilientInformer } from "./informer.ts";

export class ScopedInformer<T extends KubernetesObject> {
  /** By namespace; the key "" is the cluster-wide informer. */
  readonly #informers = new Map<string, ResilientInformer<T>>();

  /** `make(namespace)` makes the informer of one namespace (of all, when undefined). */
  constructor(
    namespaces: readonly string[] | undefined,
    make: (namespace: string | undefined) => ResilientInformer<T>,
  ) {
    if (!namespaces || namespaces.length === 0) this.#informers.set("", make(undefined));
    else for (const ns of new Set(namespaces)) this.#informers.set(ns, make(ns));
  }

  async start(): Promise<void> {
    await Promise.all([...this.#informers.values()].map((i) => i.start()));
  }

  async stop(): Promise<void> {
    await Promise.all([...this.#informers.values()].map((i) => i.stop()));
  }

  /** Whether every namespace's informer has listed. */
  get synced(): boolean {
    return [...this.#informers.values()].every((i) => i.synced);
  }

  get(name: string, namespace?: string): T | undefined {
    return this.#informerOf(namespace)?.get(name, namespace);
  }

  /** One namespace's objects, or every watched namespace's. */
  list(namespace?: string): readonly T[] {
    if (namespace !== undefined) return this.#informerOf(namespace)?.list(namespace) ?? [];
    return [...this.#informers.values()].flatMap((i) => i.list());
  }

  #informerOf(namespace: string | undefined): ResilientInformer<T> | undefined {
    return this.#informers.get("") ?? this.#informers.get(namespace ?? "");
  }
}
