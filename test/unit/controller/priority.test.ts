// Which resources go first when the queue is long: a table.
import { describe, expect, it } from "vitest";
import type { Condition, DnsimpleCertificate } from "../../../src/api/v1alpha1.ts";
import { type Priority, priorityOf } from "../../../src/controller/priority.ts";
import { now, resource } from "./fixtures.ts";

const ready: Condition[] = [
  {
    type: "Ready",
    status: "True",
    reason: "Issued",
    message: "",
    lastTransitionTime: "2026-11-01T00:00:00Z",
  },
];
const notReady: Condition[] = [
  {
    type: "Ready",
    status: "False",
    reason: "Issuing",
    message: "",
    lastTransitionTime: "2026-11-26T11:59:00Z",
  },
];

const queue = {
  lane: "new" as const,
  since: "2026-11-26T11:58:00Z",
  estimatedAt: "2026-11-26T12:00:30Z",
};

const table: [string, DnsimpleCertificate | undefined, Priority][] = [
  ["gone from the cache", undefined, "normal"],
  ["new: nothing bought yet", resource(), "normal"],
  [
    "new, failed before ordering",
    resource({}, { conditions: notReady, failedAttempts: 2 }),
    "normal",
  ],
  [
    "an order under way (intent recorded)",
    resource({}, { pendingOrder: { startedAt: "2026-11-26T11:59:00Z", domain: "example.com" } }),
    "high",
  ],
  [
    "bought, DNSimple issuing",
    resource({}, { certificateId: 7, state: "requesting", conditions: notReady }),
    "high",
  ],
  [
    "a renewal in flight",
    resource({}, { certificateId: 7, renewalId: 3, renewedCertificateId: 6, conditions: ready }),
    "high",
  ],
  [
    "Ready, renewal not due",
    resource({}, { certificateId: 7, conditions: ready, renewalTime: "2026-12-20T00:00:00Z" }),
    "normal",
  ],
  ["new, waiting for request budget", resource({}, { conditions: notReady, queue }), "queued"],
  [
    "new, waiting for request budget after a failed attempt",
    resource({}, { conditions: notReady, failedAttempts: 1, queue }),
    "queued",
  ],
  [
    "a due renewal waiting for request budget (renewals come before new orders)",
    resource(
      {},
      {
        certificateId: 7,
        conditions: ready,
        renewalTime: "2026-11-26T11:00:00Z",
        queue: { ...queue, lane: "renewal" },
      },
    ),
    "high",
  ],
  [
    "Ready, renewal due",
    resource({}, { certificateId: 7, conditions: ready, renewalTime: "2026-11-26T11:00:00Z" }),
    "high",
  ],
];

describe("priorityOf", () => {
  it.each(table)("%s", (_name, input, expected) => {
    expect(priorityOf(input, now)).toBe(expected);
  });
});
