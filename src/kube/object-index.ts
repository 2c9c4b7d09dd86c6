// A secondary index over a cache, as client-go's Indexer keeps one: objects by a value computed
// from each (e.g. "namespace/secretName"), kept current from the informer's add, update and
// delete events. A lookup costs the size of the answer, not of the cache: at 10,000 resources
// in a namespace a scan per pass made the burst quadratic.
import type { KubernetesObject } from "@kubernetes/client-node";

export class ObjectIndex<T extends KubernetesObject> {
  readonly #filedUnder: (obj: T) => string | undefined;
  /** Index value → object key (namespace/name) → object. */
  readonly #byValue = new Map<string, Map<string, T>>();
  /** Object key → the index value it is filed under. */
  readonly #valueByKey = new Map<string, string>();

  /** `filedUnder` says where an object is filed; undefined: nowhere. */
  constructor(filedUnder: (obj: T) => string | undefined) {
    this.#filedUnder = filedUnder;
  }

  /** Files an added or updated object (moving it if its value changed). */
  put(obj: T): void {
    const key = objectKey(obj);
    this.delete(obj);
    const value = this.#filedUnder(obj);
    if (value === undefined) return;
    let filed = this.#byValue.get(value);
    if (!filed) {
      filed = new Map();
      this.#byValue.set(value, filed);
    }
    filed.set(key, obj);
    this.#valueByKey.set(key, value);
  }

  /** Unfiles a deleted object. */
  delete(obj: T): void {
    const key = objectKey(obj);
    const value = this.#valueByKey.get(key);
    if (value === undefined) return;
    this.#valueByKey.delete(key);
    const filed = this.#byValue.get(value);
    filed?.delete(key);
    if (filed?.size === 0) this.#byValue.delete(value);
  }

  /** The objects filed under `value`. */
  get(value: string): T[] {
    return [...(this.#byValue.get(value)?.values() ?? [])];
  }

  /** How many objects are filed. */
  get size(): number {
    return this.#valueByKey.size;
  }
}

function objectKey(obj: KubernetesObject): string {
  return `${obj.metadata?.namespace ?? ""}/${obj.metadata?.name ?? ""}`;
}
