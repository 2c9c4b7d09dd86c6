// The versions of Secrets this process wrote, so that the watch event each write causes does not
// start a pass: the pass that wrote the Secret already knew what it holds and said when to look
// again (controller-runtime users filter the same echo with a predicate on resourceVersion). An
// event for any other version (someone else's write, a deletion) still enqueues.

/** The resourceVersion of the last write of each Secret (namespace/name), until its echo. */
export class OwnWrites {
  readonly #versions = new Map<string, string>();

  /** This process wrote the Secret and the API server answered with `resourceVersion`. */
  wrote(namespace: string, name: string, resourceVersion: string | undefined): void {
    if (resourceVersion) this.#versions.set(`${namespace}/${name}`, resourceVersion);
  }

  /**
   * Whether a watch event of this version is the echo of this process's own last write. Any
   * event ends the record: an echo is seen once, and a later version is someone else's.
   */
  isEcho(namespace: string, name: string, resourceVersion: string | undefined): boolean {
    const key = `${namespace}/${name}`;
    const wrote = this.#versions.get(key);
    if (wrote === undefined) return false;
    this.#versions.delete(key);
    return resourceVersion !== undefined && wrote === resourceVersion;
  }

  /** The Secret is gone: nothing to wait for. */
  forget(namespace: string, name: string): void {
    this.#versions.delete(`${namespace}/${name}`);
  }

  /** Records kept (bounded by the Secrets written and not yet echoed). */
  get size(): number {
    return this.#versions.size;
  }
}
