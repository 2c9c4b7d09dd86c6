// Which resources a busy work queue serves first. In a burst of new resources, the
// certificates already bought (DNSimple is issuing them, or they wait to be downloaded) and
// renewals that are due must not wait behind every new order: a user waits for those, a
// purchase already spent budget, and an expiring certificate breaks a site. New orders are
// served in arrival order after them.
import type { DnsimpleCertificate } from "../api/v1alpha1.ts";

/** A work-queue lane: "high" keys are served before "normal" ones. */
export type Priority = "high" | "normal";

/** "high" for an order in flight, a bought certificate not Ready yet, or a due renewal. */
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
  return "normal";
}
