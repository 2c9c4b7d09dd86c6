// One lane of the work queue, fair between tenants: keys wait in a queue per share (the key's
// namespace by default) and the shares take turns, one key each, in the order they joined. So
// one namespace's burst of 500 new resources does not keep another namespace's one waiting
// behind all of them, and the DNSimple budget the passes spend is shared the same way. Within a
// share, arrival order.

/** A lane whose shares (tenants) take turns. */
export class FairLane {
  readonly #shareOf: (key: string) => string;
  /** Waiting keys per share; a share is in `#turns` exactly while it has keys. */
  readonly #queues = new Map<string, string[]>();
  /** The shares with keys, in the order they are served next. */
  #turns: string[] = [];
  #size = 0;

  constructor(shareOf: (key: string) => string) {
    this.#shareOf = shareOf;
  }

  get length(): number {
    return this.#size;
  }

  push(key: string): void {
    const share = this.#shareOf(key);
    const queue = this.#queues.get(share);
    if (queue) queue.push(key);
    else {
      this.#queues.set(share, [key]);
      this.#turns.push(share);
    }
    this.#size += 1;
  }

  /** The next key: the first of the share whose turn it is; that share goes to the back. */
  shift(): string | undefined {
    const share = this.#turns.shift();
    if (share === undefined) return undefined;
    const queue = this.#queues.get(share) ?? [];
    const key = queue.shift();
    if (queue.length > 0) this.#turns.push(share);
    else this.#queues.delete(share);
    if (key !== undefined) this.#size -= 1;
    return key;
  }

  /** Takes `key` out (it moves to another lane). */
  remove(key: string): void {
    const share = this.#shareOf(key);
    const queue = this.#queues.get(share);
    const at = queue?.indexOf(key) ?? -1;
    if (!queue || at < 0) return;
    queue.splice(at, 1);
    this.#size -= 1;
    if (queue.length > 0) return;
    this.#queues.delete(share);
    this.#turns = this.#turns.filter((s) => s !== share);
  }
}

/** The share of a work-queue key (namespace/name): its namespace. */
export function namespaceShare(key: string): string {
  return key.slice(0, Math.max(0, key.indexOf("/")));
}
