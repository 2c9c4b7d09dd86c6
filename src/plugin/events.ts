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
  return events
    .map(entryOf)
    .sort((a, b) => timeOf(a) - timeOf(b))
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

function timeOf(entry: EventEntry): number {
  return entry.lastSeen === null ? 0 : Date.parse(entry.lastSeen);
}
