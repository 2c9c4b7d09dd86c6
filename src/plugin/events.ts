// Events as `kubectl describe` shows them: the most recent few, oldest first, each with its
// type, reason, how many times it happened, when last, and its message (scrubbed again of
// anything key- or token-like: an Event's message is written by whoever had the right to).
import type { CoreV1Event } from "@kubernetes/client-node";
import { scrubSecrets } from "../observability/redact.ts";

export interface EventEntry {
  type: string;
  reason: string;
  message: string;
  count: number;
  /** RFC 3339; null when the Event carries no time at all. */
  lastSeen: string | null;
}

/** How many Events `status` shows of one object. */
export const RECENT_EVENTS = 10;

/** The last `limit` Events, oldest first. */
export function recentEvents(events: readonly CoreV1Event[], limit = RECENT_EVENTS): EventEntry[] {
  return [...events]
    .sort((a, b) => timeOf(a) - timeOf(b) || writeOrder(a) - writeOrder(b))
    .map(entryOf)
    .slice(-limit);
}

function entryOf(event: CoreV1Event): EventEntry {
  const time =
    event.lastTimestamp ??
    event.eventTime ??
    event.firstTimestamp ??
    event.metadata.creationTimestamp;
  return {
    type: event.type ?? "Normal",
    reason: event.reason ?? "",
    message: scrubSecrets(event.message ?? "").trim(),
    count: event.count ?? 1,
    lastSeen: time === undefined ? null : new Date(time).toISOString(),
  };
}

function lastSeen(event: CoreV1Event): Date | undefined {
  return (
    event.lastTimestamp ??
    event.eventTime ??
    event.firstTimestamp ??
    event.metadata.creationTimestamp
  );
}

function timeOf(event: CoreV1Event): number {
  const time = lastSeen(event);
  return time === undefined ? 0 : new Date(time).getTime();
}

// Event times have whole seconds: within one second, the order the API server stored them in
// (its resourceVersion, an etcd revision: opaque by contract, but increasing on one server).
function writeOrder(event: CoreV1Event): number {
  const version = Number(event.metadata.resourceVersion);
  return Number.isFinite(version) ? version : 0;
}
