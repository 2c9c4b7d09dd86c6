// The versions of Secrets this process wrote, so that the watch event each write causes does not
// start a pass: the pass that wrote the Secret already knew what it holds and said when to look
// again (controller-runtime users filter the same echo with a predicate on resourceVersion). An
// event for any other version (someone else's write, a deletion) still starts one.
//
// The watch may deliver the echo before the write's own answer arrives (a busy API server sends
// both at about the same moment). So a write is marked before it is sent; an event that arrives
// while it is in flight is held, and the answer's version then tells an echo from a change.

import { keyOf } from "./reconciler.ts";

type WriteRecord<Event> =
  | { state: "in-flight"; held: Array<{ version: string | undefined; event: Event }> }
  | { state: "written"; version: string };

/** Per Secret (namespace/name): the write in flight or the version of the last write, until its echo. */
export class OwnWrites<Event> {
  readonly #records = new Map<string, WriteRecord<Event>>();

  /** This process is about to write the Secret: hold its events until the answer. */
  writing(namespace: string, name: string): void {
    this.#records.set(keyOf(namespace, name), { state: "in-flight", held: [] });
  }

  /**
   * The API server answered the write with `resourceVersion`. Returns the events held meanwhile
   * that were not this write's echo: they are someone else's, and start a pass now.
   */
  wrote(namespace: string, name: string, resourceVersion: string | undefined): Event[] {
    const key = keyOf(namespace, name);
    const record = this.#records.get(key);
    const held = record?.state === "in-flight" ? record.held : [];
    const echoed = resourceVersion !== undefined && held.some((h) => h.version === resourceVersion);
    if (resourceVersion === undefined || echoed) this.#records.delete(key);
    else this.#records.set(key, { state: "written", version: resourceVersion });
    return held.filter((h) => !echoed || h.version !== resourceVersion).map((h) => h.event);
  }

  /** The write failed: nothing of it will echo, so every event held meanwhile starts a pass. */
  failed(namespace: string, name: string): Event[] {
    const key = keyOf(namespace, name);
    const record = this.#records.get(key);
    this.#records.delete(key);
    return record?.state === "in-flight" ? record.held.map((h) => h.event) : [];
  }

  /**
   * Whether a watch event of this version starts a pass now: not if it is the echo of this
   * process's last write, nor while a write is in flight (it is held; see `wrote`). An event
   * after the write ends the record: an echo is seen once, and a later version is someone else's.
   */
  startsPass(
    namespace: string,
    name: string,
    resourceVersion: string | undefined,
    event: Event,
  ): boolean {
    const key = keyOf(namespace, name);
    const record = this.#records.get(key);
    if (record === undefined) return true;
    if (record.state === "in-flight") {
      record.held.push({ version: resourceVersion, event });
      return false;
    }
    this.#records.delete(key);
    return resourceVersion === undefined || record.version !== resourceVersion;
  }

  /** The Secret is gone: nothing to wait for. */
  forget(namespace: string, name: string): void {
    this.#records.delete(keyOf(namespace, name));
  }

  /** Records kept (bounded by the Secrets being written or written and not yet echoed). */
  get size(): number {
    return this.#records.size;
  }
}
