// Kubernetes Events for a resource's transitions (`kubectl describe dnscert` shows them). The
// same reason and message for the same object within ten minutes bumps the count of the
// existing Event instead of creating another, as client-go's recorder does.
import { createHash } from "node:crypto";
import type { CoreV1Api, CoreV1Event } from "@kubernetes/client-node";
import { scrubSecrets } from "../observability/redact.ts";
import { type Clock, systemClock } from "../time/clock.ts";
import { kubeCall } from "./errors.ts";

export interface EventTarget {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; uid: string; resourceVersion?: string };
}

export type EventType = "Normal" | "Warning";

const AGGREGATION_WINDOW_MS = 10 * 60_000;
const COMPONENT = "dnsimple-cert-operator";
/** Beyond this many recent Events, the oldest are no longer aggregated (a bound on memory). */
const MAX_REMEMBERED = 10_000;

export class EventRecorder {
  readonly #core: CoreV1Api;
  readonly #recent = new Map<string, { name: string; count: number; firstAt: number }>();
  readonly #onError: (err: unknown) => void;
  readonly #clock: Clock;

  /** `clock` dates the Events and their aggregation window (the system's when not given). */
  constructor(core: CoreV1Api, onError: (err: unknown) => void, clock: Clock = systemClock) {
    this.#core = core;
    this.#onError = onError;
    this.#clock = clock;
  }

  /** Records an Event; never throws (an Event is worth less than the reconcile it reports). */
  async record(
    target: EventTarget,
    type: EventType,
    reason: string,
    message: string,
  ): Promise<void> {
    const safeMessage = scrubSecrets(message).slice(0, 1024);
    const { namespace, uid } = target.metadata;
    // Hashed: a thousand resources' messages would otherwise be kept in full for ten minutes.
    const key = `${uid}/${type}/${reason}/${createHash("sha256").update(safeMessage).digest("base64url")}`;
    const now = this.#clock.now();
    const previous = this.#recent.get(key);
    try {
      if (previous && now - previous.firstAt < AGGREGATION_WINDOW_MS) {
        previous.count += 1;
        await kubeCall("update Event", () =>
          this.#core.patchNamespacedEvent({
            namespace,
            name: previous.name,
            body: [
              { op: "replace", path: "/count", value: previous.count },
              { op: "replace", path: "/lastTimestamp", value: new Date(now).toISOString() },
            ],
          }),
        );
        return;
      }
      const event: CoreV1Event = {
        metadata: { generateName: `${target.metadata.name}.`, namespace },
        involvedObject: {
          apiVersion: target.apiVersion,
          kind: target.kind,
          name: target.metadata.name,
          namespace,
          uid,
          resourceVersion: target.metadata.resourceVersion,
        },
        type,
        reason,
        message: safeMessage,
        count: 1,
        firstTimestamp: new Date(now),
        lastTimestamp: new Date(now),
        source: { component: COMPONENT },
        reportingComponent: COMPONENT,
        reportingInstance: process.env.HOSTNAME ?? COMPONENT,
      };
      const created = await kubeCall("create Event", () =>
        this.#core.createNamespacedEvent({ namespace, body: event }),
      );
      this.#remember(key, created.metadata?.name ?? "", now);
    } catch (err) {
      this.#recent.delete(key);
      this.#onError(err);
    }
  }

  #remember(key: string, name: string, now: number): void {
    // Deleted first so the map stays in order of firstAt (set keeps an old key's place).
    this.#recent.delete(key);
    this.#recent.set(key, { name, count: 1, firstAt: now });
    // Forget entries past the window: they are the oldest, at the front.
    for (const [k, v] of this.#recent) {
      if (now - v.firstAt < AGGREGATION_WINDOW_MS && this.#recent.size <= MAX_REMEMBERED) break;
      this.#recent.delete(k);
    }
  }
}
