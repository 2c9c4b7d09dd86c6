// Which resources a busy work queue serves first. In a burst of new resources, the
// certificates already bought (DNSimple is issuing them, or they wait to be downloaded) and
// renewals that are due must not wait behind every new order: a user waits for those, a
// purchase already spent budget, and an expiring certificate breaks a site. Next come the new
// orders queued for request budget: one is looked at again when its turn is near, and if it
// waited behind the first passes of thousands of new resources (which can only queue behind
// it), its window's budget would go unused. New resources and the rest come last, in arrival
// order.
import type { DnsimpleCertificate } from "../api/v1alpha1.ts";

/** A work-queue lane, served in this order. */
export const PRIORITIES = ["high", "queued", "normal"] as const;

/** A work-queue lane: "high" keys first, then "queued", then "normal". */
export type Priority = (typeof PRIORITIES)[number];

/**
 * "high" for an order in flight, a bought certificate not Ready yet, or a due renewal;
 * "queued" for a new order waiting for request budget; "normal" for the rest.
 */
export function priorityOf(resource: DnsimpleCertificate | undefined, now: Date): Priority {
  const status = resource?.status;
  if (!status) return "normal";
  const inFlight =
    status.pendingOrder !== undefined ||
    status.renewalId !== undefined ||
    status.renewedCertificateId !== undefined;
  if (inFlight) return "high";
  const ready = status.conditions?.some((c) => c.type === "Ready" && c.status === "True");
  if (status.certificateId !== undefined && !ready) return "high";
  if (status.renewalTime !== undefined && new Date(status.renewalTime) <= now) return "high";
  if (status.queue !== undefined) return "queued";
  return "normal";
}
