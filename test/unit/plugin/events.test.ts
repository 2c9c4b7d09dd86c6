// The Events status shows: the last few, oldest first, ties within a second in the order the
// API server stored them, messages scrubbed of key material.
import type { CoreV1Event } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { recentEvents } from "../../../src/plugin/events.ts";

function event(reason: string, at: string, resourceVersion: string, message = ""): CoreV1Event {
  return {
    metadata: { name: reason, resourceVersion },
    involvedObject: {},
    type: "Normal",
    reason,
    message,
    lastTimestamp: new Date(at),
  };
}

describe("recentEvents", () => {
  it("orders by time, then by the order of writing, and keeps the last ones", () => {
    const events = [
      event("Issued", "2026-12-01T10:00:05Z", "120"),
      event("SecretWritten", "2026-12-01T10:00:05Z", "130"),
      event("Ordered", "2026-12-01T10:00:01Z", "100"),
      event("IssueRequested", "2026-12-01T10:00:05Z", "110"),
    ];
    expect(recentEvents(events).map((e) => e.reason)).toEqual([
      "Ordered",
      "IssueRequested",
      "Issued",
      "SecretWritten",
    ]);
    expect(recentEvents(events, 2).map((e) => e.reason)).toEqual(["Issued", "SecretWritten"]);
  });

  it("scrubs a private key out of a message", () => {
    const [entry] = recentEvents([
      event(
        "X",
        "2026-12-01T10:00:00Z",
        "1",
        "oops -----BEGIN EC PRIVATE KEY-----\nMHc\n-----END EC PRIVATE KEY----- end",
      ),
    ]);
    expect(entry?.message).toBe("oops [REDACTED] end");
  });
});
