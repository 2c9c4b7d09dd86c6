// A cache of one kind of object kept current by list+watch, that does not die quietly.
// client-node's informer stops for good on a watch error (it must be restarted by the caller,
// with backoff: restarting at once floods the API server, client-node issue 1933), and a watch
// can go silent after a network blip (issues 596, 958). So: restart on error with jittered
// exponential backoff. (A silent watch is client-node 2.x's own business now: it aborts a watch
// that has been quiet for its request timeout and reconnects from the last resourceVersion.)
import {
  type Informer,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  makeInformer,
  type ObjectCache,
} from "@kubernetes/client-node";
import { type Clock, type ClockTimer, systemClock } from "../time/clock.ts";

export interface ResilientInformerOptions<T extends KubernetesObject> {
  kubeConfig: KubeConfig;
  /** API path of the collection, e.g. /api/v1/secrets or /apis/g/v/namespaces/ns/things. */
  path: string;
  list: () => Promise<KubernetesListObject<T>>;
  labelSelector?: string;
  /**
   * Drops what the operator never reads (e.g. managedFields) from each object as it enters the
   * cache: client-node hands the handlers the cached object itself, so this shrinks the cache.
   */
  trim?: (obj: T) => void;
  /**
   * Told after each full list: the first at start, later ones when a watch could not resume
   * (its resourceVersion expired: 410 Gone) or the informer restarted after an error.
   */
  onList?: (items: number, listsSoFar: number) => void;
  onAdd: (obj: T) => void;
  onUpdate: (obj: T) => void;
  onDelete: (obj: T) => void;
  onError: (err: unknown, retryInMs: number) => void;
  /** The clock of the restart backoff (the system's when not given). */
  clock?: Clock;
}

export class ResilientInformer<T extends KubernetesObject> {
  readonly #options: ResilientInformerOptions<T>;
  readonly #informer: Informer<T> & ObjectCache<T>;
  #stopped = false;
  #failures = 0;
  #restartTimer: ClockTimer | undefined;
  #synced = false;
  #errors = 0;

  constructor(options: ResilientInformerOptions<T>) {
    this.#options = options;
    let lists = 0;
    const list = async () => {
      const answer = await options.list();
      lists += 1;
      options.onList?.(answer.items.length, lists);
      return answer;
    };
    this.#informer = makeInformer(options.kubeConfig, options.path, list, options.labelSelector);
    const trim = options.trim ?? (() => {});
    this.#informer.on("add", (obj) => {
      trim(obj);
      options.onAdd(obj);
    });
    this.#informer.on("update", (obj) => {
      trim(obj);
      options.onUpdate(obj);
    });
    this.#informer.on("delete", (obj) => options.onDelete(obj));
    this.#informer.on("error", (err: unknown) => this.#restartAfterError(err));
  }

  /** Starts list+watch; `synced` turns true once a list has succeeded. */
  async start(): Promise<void> {
    this.#stopped = false;
    await this.#startOnce();
  }

  async #startOnce(): Promise<void> {
    const errorsBefore = this.#errors;
    await this.#informer.start();
    // client-node reports a failed list through the error callback, not by rejecting. Only a
    // start without errors resets the backoff (a watch that fails right after connecting must
    // not restart in a tight loop).
    if (this.#errors === errorsBefore) {
      this.#synced = true;
      this.#failures = 0;
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#restartTimer) (this.#options.clock ?? systemClock).clearTimer(this.#restartTimer);
    await this.#informer.stop();
  }

  get synced(): boolean {
    return this.#synced;
  }

  get(name: string, namespace?: string): T | undefined {
    return this.#informer.get(name, namespace);
  }

  list(namespace?: string): readonly T[] {
    return this.#informer.list(namespace);
  }

  #restartAfterError(err: unknown): void {
    this.#errors += 1;
    if (this.#stopped) return;
    this.#failures += 1;
    const base = Math.min(60_000, 1000 * 2 ** (this.#failures - 1));
    const delay = Math.round(base / 2 + Math.random() * (base / 2));
    this.#options.onError(err, delay);
    const clock = this.#options.clock ?? systemClock;
    if (this.#restartTimer) clock.clearTimer(this.#restartTimer);
    this.#restartTimer = clock.setTimer(() => {
      if (this.#stopped) return;
      this.#startOnce().catch((e: unknown) => this.#restartAfterError(e));
    }, delay);
    this.#restartTimer.unref();
  }
}
