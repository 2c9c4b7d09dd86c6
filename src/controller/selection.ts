// Which one, among several: the rules that pick a lost order out of DNSimple's list, an
// auto-renewal out of a domain's certificates, the resource that keeps a contested Secret, and
// whether an issue call is a renewal's. Pure, so they are tested by tables
// (test/unit/controller/selection.test.ts).

import type { V1Secret } from "@kubernetes/client-node";
import type {
  DnsimpleCertificate,
  DnsimpleCertificateSpec,
  DnsimpleCertificateStatus,
  PendingOrder,
} from "../api/v1alpha1.ts";
import { MANAGED_SECRET_LABEL, TAKEOVER_ANNOTATION } from "../api/v1alpha1.ts";
import type { RemoteCertificate, SecretNameLookup } from "./observation.ts";
import { remoteMatchesSpec } from "./spec-rules.ts";

/** DNSimple's clock may run a little behind ours: a lost order may look this much older. */
export const CLOCK_SKEW_MS = 60_000;

/**
 * The order an intent (status.pendingOrder) led to, among a domain's certificates: created
 * since the intent, for the spec's names, neither the certificate being renewed nor the one
 * before; the oldest such (the first order sent).
 */
export function lostOrderAmong(
  listed: readonly RemoteCertificate[],
  pending: PendingOrder | undefined,
  spec: DnsimpleCertificateSpec,
  previousId: number | undefined,
): RemoteCertificate | undefined {
  const since = new Date(pending?.startedAt ?? 0).getTime() - CLOCK_SKEW_MS;
  const candidates = listed.filter(
    (c) =>
      c.createdAt.getTime() >= since &&
      c.id !== pending?.renewalOf &&
      c.id !== previousId &&
      (!pending?.commonName || c.commonName === pending.commonName) &&
      remoteMatchesSpec(spec, c),
  );
  return candidates.sort((a, b) => a.id - b.id)[0];
}

/** The issued certificate for the spec's names that expires last: DNSimple's newest renewal. */
export function newestIssuedAmong(
  listed: readonly RemoteCertificate[],
  spec: DnsimpleCertificateSpec,
): RemoteCertificate | undefined {
  return listed
    .filter((c) => c.state === "issued" && remoteMatchesSpec(spec, c))
    .sort((a, b) => (b.expiresAt?.getTime() ?? 0) - (a.expiresAt?.getTime() ?? 0))[0];
}

/**
 * Whether a certificate in the list can be DNSimple's auto-renewal of the one expiring at
 * `notAfter`: DNSimple renews only within its renewal window before expiry, and never after
 * it, so one created outside renewed some other certificate (another resource's with the same
 * names; an expired resource still looks, so the bound after expiry matters).
 */
export function createdInRenewalWindow(
  candidate: RemoteCertificate,
  notAfter: Date | undefined,
  windowMs: number,
): boolean {
  if (!notAfter) return true;
  const created = candidate.createdAt.getTime();
  const expiry = notAfter.getTime();
  return created >= expiry - windowMs - CLOCK_SKEW_MS && created <= expiry + CLOCK_SKEW_MS;
}

/**
 * Of the resources of one namespace naming the same Secret, the one that keeps it: the one
 * the Secret says wrote it, else the oldest (then by name). Being deleted does not count.
 */
export function secretKeeper(
  claimants: readonly DnsimpleCertificate[],
  writerName: string | undefined,
): DnsimpleCertificate | undefined {
  const live = claimants.filter((r) => !r.metadata.deletionTimestamp);
  const writer = live.find((r) => r.metadata.name === writerName);
  if (writer) return writer;
  return [...live].sort(
    (a, b) => creationTime(a) - creationTime(b) || a.metadata.name.localeCompare(b.metadata.name),
  )[0];
}

function creationTime(resource: DnsimpleCertificate): number {
  return new Date(resource.metadata.creationTimestamp ?? 0).getTime();
}

/** The renewal an issue call for `certificateId` belongs to, when status has one in flight. */
export function renewalInFlight(
  status: DnsimpleCertificateStatus | undefined,
  certificateId: number,
): { renewalId: number; renewedCertificateId: number } | undefined {
  const { renewalId, renewedCertificateId, certificateId: current } = status ?? {};
  if (renewalId === undefined || renewedCertificateId === undefined) return undefined;
  return current === certificateId ? { renewalId, renewedCertificateId } : undefined;
}

/**
 * What a Secret found under the resource's secretName is to it: none (free), one of the
 * operator's (its label: the cache will show it), or someone else's, handed over only when its
 * owner annotated it with this resource's name.
 */
export function secretNameLookupOf(
  secret: V1Secret | undefined,
  resourceName: string,
): SecretNameLookup {
  if (!secret) return { kind: "free" };
  const { labels, annotations } = secret.metadata ?? {};
  if (labels?.[MANAGED_SECRET_LABEL] === "true") return { kind: "managed" };
  return { kind: "foreign", takeoverAllowed: annotations?.[TAKEOVER_ANNOTATION] === resourceName };
}
