// The certificate life cycle as pure functions.
//
//   new --issue--> requesting --issued--> issued
//                             --failed--> failed
//                             --cancelled--> cancelled
//
// A renewal follows the certificate it ordered: its state is derived from that one's.
import type { CertificateState, IssuanceOutcome, RenewalState } from "./model.ts";

export type CertificateEvent = "issue" | IssuanceOutcome;

export type Transition = { ok: true; state: CertificateState } | { ok: false; reason: string };

const TRANSITIONS: Record<CertificateState, Partial<Record<CertificateEvent, CertificateState>>> = {
  new: { issue: "requesting" },
  requesting: { issued: "issued", failed: "failed", cancelled: "cancelled" },
  issued: {},
  failed: {},
  cancelled: {},
};

export function transition(state: CertificateState, event: CertificateEvent): Transition {
  const next = TRANSITIONS[state][event];
  if (next !== undefined) return { ok: true, state: next };
  const reason =
    event === "issue"
      ? `Certificate cannot be issued in state \`${state}\`, only in state \`new\``
      : `Certificate cannot become \`${event}\` from state \`${state}\``;
  return { ok: false, reason };
}

const RENEWAL_STATE_BY_CERTIFICATE_STATE: Record<CertificateState, RenewalState> = {
  new: "new",
  requesting: "renewing",
  issued: "renewed",
  failed: "failed",
  cancelled: "cancelled",
};

export function renewalStateFor(newCertificateState: CertificateState): RenewalState {
  return RENEWAL_STATE_BY_CERTIFICATE_STATE[newCertificateState];
}

export interface RenewableCertificate {
  state: CertificateState;
  autoRenew: boolean;
}

/** Why this certificate cannot be renewed by hand, or undefined when it can. */
export function renewalRefusal(certificate: RenewableCertificate): string | undefined {
  if (certificate.state !== "issued") {
    return `Certificate cannot be renewed in state \`${certificate.state}\`, only when \`issued\``;
  }
  if (certificate.autoRenew) {
    return "Certificate has auto-renewal enabled: DNSimple renews it, it cannot be renewed manually";
  }
  return undefined;
}

export interface DownloadableCertificate {
  state: CertificateState;
  privateKeyRemoved: boolean;
}

/** Why the certificate cannot be downloaded (DNSimple answers 428), or undefined. */
export function downloadRefusal(certificate: DownloadableCertificate): string | undefined {
  if (certificate.state === "issued") return undefined;
  if (certificate.state === "new" || certificate.state === "requesting") {
    return `Certificate is not issued yet (state \`${certificate.state}\`)`;
  }
  return `Certificate was not issued (state \`${certificate.state}\`)`;
}

/** Why the private key cannot be downloaded (428): not issued yet, or removed since. */
export function privateKeyRefusal(certificate: DownloadableCertificate): string | undefined {
  const refusal = downloadRefusal(certificate);
  if (refusal !== undefined) return refusal;
  if (certificate.privateKeyRemoved) return "The private key of this certificate was removed";
  return undefined;
}
