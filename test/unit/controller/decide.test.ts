// decide() by table: each row is a situation (resource, Secret, what DNSimple said so far) and
// the one next step it must lead to. No I/O.
import { describe, expect, it } from "vitest";
import type { Condition, DnsimpleCertificate } from "../../../src/api/v1alpha1.ts";
import { isFinal } from "../../../src/controller/actions.ts";
import { decide } from "../../../src/controller/decide.ts";
import type { Observation, RemoteCertificate } from "../../../src/controller/observation.ts";
import { setCondition, statusFor } from "../../../src/controller/status.ts";
import { dueSecret, goodSecret, noSecret, now, remoteCertificate, resource } from "./fixtures.ts";

const day = 86_400_000;
const hour = 3_600_000;
const minute = 60_000;

function failedWith(reason: string, agoMs: number, attempts: number): DnsimpleCertificate {
  return resource(
    {},
    {
      observedGeneration: 1,
      failedAttempts: attempts,
      lastFailureTime: new Date(now.getTime() - agoMs).toISOString(),
      conditions: [
        {
          type: "Ready",
          status: "False",
          reason,
          message: "",
          lastTransitionTime: now.toISOString(),
        },
      ],
    },
  );
}

function withAnnotation(r: DnsimpleCertificate, renewAt: string): DnsimpleCertificate {
  return {
    ...r,
    metadata: { ...r.metadata, annotations: { "dnsimple-cert-operator.dev/renew-at": renewAt } },
  };
}

/** The resource asking for a JKS keystore (whose password a Secret holds). */
function withKeystores(r: DnsimpleCertificate): DnsimpleCertificate {
  const passwordSecretRef = { name: "jks-password", key: "password" };
  return { ...r, spec: { ...r.spec, keystores: { jks: { create: true, passwordSecretRef } } } };
}

const passwordMissing = {
  reason: "KeystorePasswordNotFound",
  message: "Secret jks-password does not exist",
} as const;

const certificate = remoteCertificate;

/** Certificate 10, for the spec, expired a second ago. */
const expiredSecret = {
  ...goodSecret,
  notBefore: new Date(now.getTime() - 90 * day),
  notAfter: new Date(now.getTime() - 1000),
};

function remote(overrides: Partial<RemoteCertificate> = {}): Observation["remote"] {
  return { kind: "found", certificate: certificate(overrides) };
}

const ok = { kind: "ok", accountId: "1010" } as const;

/** Certificate 10 downloaded and verified in this pass (an ECDSA key, the default names). */
const verifiedDownload: Observation["download"] = {
  kind: "verified",
  certificateId: 10,
  keyAlgorithm: "ECDSA",
  commonName: "www.example.com",
  dnsNames: ["example.com", "www.example.com"],
  notBefore: now,
  notAfter: now,
  serialNumber: "01",
  validity: { from: now, until: now },
};

function observe(partial: Partial<Observation>): Observation {
  return {
    now,
    resource: resource(),
    secret: noSecret,
    access: { kind: "ownToken" },
    pollIntervalMs: 1000,
    resyncIntervalMs: 600_000,
    autoRenewalPickup: { windowMs: 30 * 86_400_000, intervalMs: 3_600_000, polling: true },
    lastAutoRenewCheck: now,
    // The Secret name was looked up past the cache and is free (see the SecretConflict rows).
    secretName: { kind: "free" },
    ...partial,
  };
}

// The expected value is matched partially (toMatchObject): only the fields a row names.
const rows: [string, Partial<Observation>, Record<string, unknown>][] = [
  [
    "no Secret in the cache and its name not looked up yet: look before ordering",
    { credentials: ok, secretName: undefined },
    { kind: "lookUpSecret" },
  ],
  [
    "a Secret someone else made holds the name: SecretConflict, nothing ordered",
    { credentials: ok, secretName: { kind: "foreign", takeoverAllowed: false } },
    { kind: "fail", failure: { reason: "SecretConflict" }, permanent: false },
  ],
  [
    "a labelled Secret the operator never wrote, its tls.crt written by another: SecretConflict",
    {
      credentials: ok,
      resource: resource({}, { certificateId: 10 }),
      remote: remote(),
      secret: { ...noSecret, exists: true, otherWriters: ["tenant-tool"] },
      download: verifiedDownload,
    },
    {
      kind: "fail",
      failure: { reason: "SecretConflict", message: expect.stringContaining("tenant-tool") },
    },
  ],
  [
    "the same, handed over by its owner (allow-takeover): written",
    {
      credentials: ok,
      resource: resource({}, { certificateId: 10 }),
      remote: remote(),
      secret: { ...noSecret, exists: true, otherWriters: ["tenant-tool"], takeoverAllowed: true },
      download: verifiedDownload,
    },
    { kind: "writeSecret", certificateId: 10 },
  ],
  [
    "a Secret someone else made, handed over to this resource: order",
    { credentials: ok, secretName: { kind: "foreign", takeoverAllowed: true } },
    { kind: "order" },
  ],
  [
    "the lookup finds one of the operator's own Secrets (the cache lags): order",
    { credentials: ok, secretName: { kind: "managed" } },
    { kind: "order" },
  ],
  [
    "downloaded and verified, but someone else's Secret holds the name: SecretConflict, not written",
    {
      credentials: ok,
      resource: resource({}, { certificateId: 10 }),
      remote: remote(),
      secretName: { kind: "foreign", takeoverAllowed: false },
      download: verifiedDownload,
    },
    { kind: "fail", failure: { reason: "SecretConflict" } },
  ],
  ["a fresh resource needs credentials first", {}, { kind: "resolveCredentials" }],
  [
    "credentials that failed end the reconcile, permanently for a 401",
    { credentials: { kind: "failed", failure: { reason: "Unauthorized", message: "no" } } },
    { kind: "fail", permanent: true },
  ],
  [
    "missing credentials are retried (the Secret may appear)",
    { credentials: { kind: "failed", failure: { reason: "CredentialsNotFound", message: "no" } } },
    { kind: "fail", permanent: false },
  ],
  ["no certificate yet: order", { credentials: ok }, { kind: "order" }],
  [
    "an intent without an id: look for the lost order first",
    {
      credentials: ok,
      resource: resource({}, { pendingOrder: { startedAt: now.toISOString() } }),
    },
    { kind: "findPendingOrder" },
  ],
  [
    "the lost order was found: adopt it",
    {
      credentials: ok,
      resource: resource({}, { pendingOrder: { startedAt: now.toISOString() } }),
      pendingOrderSearch: {
        found: certificate({ id: 33, state: "new" }),
      },
    },
    { kind: "adoptCertificate", certificateId: 33 },
  ],
  [
    "the lost order is not in the list yet: wait (it may still show up), do not order",
    {
      credentials: ok,
      resource: resource(
        {},
        { pendingOrder: { startedAt: new Date(now.getTime() - 10_000).toISOString() } },
      ),
      pendingOrderSearch: {},
    },
    { kind: "fail", failure: { reason: "OrderOutcomeUnknown" }, permanent: false },
  ],
  [
    "the lost order was not there after the grace period: order",
    {
      credentials: ok,
      resource: resource(
        {},
        { pendingOrder: { startedAt: new Date(now.getTime() - 60_000).toISOString() } },
      ),
      pendingOrderSearch: {},
    },
    { kind: "order" },
  ],
  [
    "a spec change whose order lost its answer: look for that order, not a third",
    {
      credentials: ok,
      resource: resource(
        { alternateNames: ["docs.example.com"] },
        { certificateId: 10, pendingOrder: { startedAt: now.toISOString() } },
      ),
      remote: remote(),
    },
    { kind: "findPendingOrder" },
  ],
  [
    "the Secret serves the spec but status lost its certificate id: take the Secret's",
    { resource: resource({}, {}), secret: goodSecret },
    { kind: "adoptCertificate", certificateId: 10 },
  ],
  [
    "a permanent failure a minute ago, same spec: back off without calling DNSimple",
    { resource: failedWith("Unauthorized", 60_000, 1) },
    { kind: "backoff", until: new Date(now.getTime() - 60_000 + 15 * 60_000) },
  ],
  [
    "a transient failure whose backoff ran out: try again",
    { resource: failedWith("ApiUnavailable", 60_000, 1) },
    { kind: "resolveCredentials" },
  ],
  [
    "a permanent failure, but the spec changed since: try again at once",
    {
      resource: {
        ...failedWith("Unauthorized", 60_000, 1),
        metadata: { ...failedWith("Unauthorized", 60_000, 1).metadata, generation: 2 },
      },
    },
    { kind: "resolveCredentials" },
  ],
  [
    "a failed issuance and a spec change since: order again",
    {
      credentials: ok,
      resource: {
        ...resource({}, { certificateId: 10, observedGeneration: 1 }),
        metadata: { name: "www", namespace: "web", uid: "u1", generation: 2 },
      },
      remote: remote({ state: "failed" }),
    },
    { kind: "order" },
  ],
  [
    "an ordered certificate: learn its state",
    { credentials: ok, resource: resource({}, { certificateId: 10 }) },
    { kind: "fetchCertificate", certificateId: 10 },
  ],
  [
    "an adopted certificate: learn its state, never order",
    { credentials: ok, resource: resource({ certificateId: 77 }) },
    { kind: "fetchCertificate", certificateId: 77 },
  ],
  [
    "state new: issue",
    {
      credentials: ok,
      resource: resource({}, { certificateId: 10 }),
      remote: remote({ state: "new" }),
    },
    { kind: "issue", certificateId: 10 },
  ],
  [
    "state requesting: poll, starting at the poll interval",
    {
      credentials: ok,
      resource: resource({}, { certificateId: 10 }),
      remote: remote({ state: "requesting" }),
    },
    { kind: "poll", requeueAfterMs: 1000 },
  ],
  [
    "state failed: IssuanceFailed, permanent",
    {
      credentials: ok,
      resource: resource({}, { certificateId: 10, observedGeneration: 1 }),
      remote: remote({ state: "failed" }),
    },
    { kind: "fail", permanent: true },
  ],
  [
    "state cancelled: IssuanceFailed",
    {
      credentials: ok,
      resource: resource({}, { certificateId: 10, observedGeneration: 1 }),
      remote: remote({ state: "cancelled" }),
    },
    { kind: "fail" },
  ],
  [
    "issued: download",
    { credentials: ok, resource: resource({}, { certificateId: 10 }), remote: remote() },
    { kind: "download", certificateId: 10 },
  ],
  [
    "downloaded and verified: write the Secret",
    {
      credentials: ok,
      resource: resource({}, { certificateId: 10 }),
      remote: remote(),
      download: verifiedDownload,
    },
    { kind: "writeSecret", certificateId: 10 },
  ],
  [
    "a download that failed verification: InvalidCertificateData, nothing written",
    {
      credentials: ok,
      resource: resource({}, { certificateId: 10 }),
      remote: remote(),
      download: {
        kind: "failed",
        certificateId: 10,
        failure: { reason: "InvalidCertificateData", message: "key mismatch" },
      },
    },
    { kind: "fail", failure: { reason: "InvalidCertificateData", message: "key mismatch" } },
  ],
  [
    "the Secret serves the spec: ready at the renewal time, no DNSimple call",
    { resource: resource({}, { certificateId: 10 }), secret: goodSecret },
    { kind: "ready", requeueAt: new Date(now.getTime() + 50 * day) },
  ],
  [
    "ready but the template labels changed: rewrite the metadata only",
    {
      resource: resource({}, { certificateId: 10 }),
      secret: { ...goodSecret, metadataCurrent: false },
    },
    { kind: "refreshSecret" },
  ],
  [
    "serving, keystores asked for and not looked at in this pass: read the passwords, judge the held keys",
    { resource: withKeystores(resource({}, { certificateId: 10 })), secret: goodSecret },
    { kind: "checkOutputs", judgeHeld: true },
  ],
  [
    "serving, a keystore password cannot be read: KeystorePasswordNotFound, nothing written",
    {
      resource: withKeystores(resource({}, { certificateId: 10 })),
      secret: goodSecret,
      outputs: { kind: "failed", failure: passwordMissing },
    },
    { kind: "fail", failure: { reason: "KeystorePasswordNotFound" } },
  ],
  [
    "serving, the held keystores do not open with the password: write them again",
    {
      resource: withKeystores(resource({}, { certificateId: 10 })),
      secret: { ...goodSecret, ownedExtraKeys: ["keystore.jks"] },
      outputs: { kind: "checked", stale: "keystore.jks: it does not open" },
    },
    { kind: "refreshSecret" },
  ],
  [
    "serving, the held keystores are right: ready, nothing written (no churn from the salt)",
    {
      resource: withKeystores(resource({}, { certificateId: 10 })),
      secret: { ...goodSecret, ownedExtraKeys: ["keystore.jks"] },
      outputs: { kind: "checked" },
    },
    { kind: "ready" },
  ],
  [
    "serving, the template changed and keystores asked for: look at them first (the rewrite carries them)",
    {
      resource: withKeystores(resource({}, { certificateId: 10 })),
      secret: { ...goodSecret, metadataCurrent: false },
    },
    { kind: "checkOutputs", judgeHeld: true },
  ],
  [
    "serving, no format asked for but the Secret holds one the operator wrote: look (to drop it)",
    {
      resource: resource({}, { certificateId: 10 }),
      secret: { ...goodSecret, ownedExtraKeys: ["key.der"] },
    },
    { kind: "checkOutputs", judgeHeld: true },
  ],
  [
    "serving, no format asked for and none held: ready, no password read",
    { resource: resource({}, { certificateId: 10 }), secret: goodSecret },
    { kind: "ready" },
  ],
  [
    "issued with keystores asked for: read the passwords before downloading (the Secret is rewritten: not judged)",
    {
      credentials: ok,
      resource: withKeystores(resource({}, { certificateId: 10 })),
      remote: remote(),
    },
    { kind: "checkOutputs", judgeHeld: false },
  ],
  [
    "issued, a keystore password missing: fail before the download (no DNSimple call wasted)",
    {
      credentials: ok,
      resource: withKeystores(resource({}, { certificateId: 10 })),
      remote: remote(),
      outputs: { kind: "failed", failure: passwordMissing },
    },
    { kind: "fail", failure: { reason: "KeystorePasswordNotFound" } },
  ],
  [
    "issued, passwords read: download",
    {
      credentials: ok,
      resource: withKeystores(resource({}, { certificateId: 10 })),
      remote: remote(),
      outputs: { kind: "checked" },
    },
    { kind: "download", certificateId: 10 },
  ],
  [
    "still requesting with keystores asked for: poll, the passwords are not read yet",
    {
      credentials: ok,
      resource: withKeystores(resource({}, { certificateId: 10 })),
      remote: remote({ state: "requesting" }),
    },
    { kind: "poll" },
  ],
  [
    "the Secret was deleted: fetch and restore (no order)",
    { credentials: ok, resource: resource({}, { certificateId: 10 }), secret: noSecret },
    { kind: "fetchCertificate", certificateId: 10 },
  ],
  [
    "the Secret holds another certificate that serves the spec: keep that one, order nothing",
    {
      credentials: ok,
      resource: resource({}, { certificateId: 11 }),
      secret: goodSecret,
    },
    { kind: "adoptCertificate", certificateId: 10 },
  ],
  [
    "the key algorithm changed in the spec: the downloaded certificate shows it, order anew",
    {
      credentials: ok,
      resource: resource({ signatureAlgorithm: "RSA" }, { certificateId: 10 }),
      secret: goodSecret,
      remote: remote(),
      download: verifiedDownload,
    },
    { kind: "order" },
  ],
  [
    "alternate names changed: the old certificate does not fit, order a new one",
    {
      credentials: ok,
      resource: resource({ alternateNames: ["docs.example.com"] }, { certificateId: 10 }),
      secret: goodSecret,
      remote: remote(),
    },
    { kind: "order" },
  ],
  [
    "an adopted certificate for other names: CertificateMismatch, never an order",
    {
      credentials: ok,
      resource: resource({ certificateId: 10, name: "api" }),
      remote: remote(),
    },
    { kind: "fail", permanent: true },
  ],
  [
    "a numeric domain id: names are checked against the certificate's own domain",
    {
      resource: resource({ domain: "42" }, { certificateId: 10 }),
      secret: goodSecret,
    },
    { kind: "ready" },
  ],
  [
    "the Secret's certificate expired (its renewals failed until then): renew it, not download it again",
    {
      credentials: ok,
      resource: resource({}, { certificateId: 10 }),
      secret: expiredSecret,
    },
    { kind: "order", renewalOf: 10 },
  ],
  [
    "autoRenew, expired unrenewed: look for DNSimple's renewal (never download the expired one)",
    {
      credentials: ok,
      resource: resource({ autoRenew: true }, { certificateId: 10 }),
      secret: expiredSecret,
      lastAutoRenewCheck: new Date(now.getTime() - hour),
    },
    { kind: "findAutoRenewal", expiringAfter: expiredSecret.notAfter },
  ],
  [
    "autoRenew, expired, DNSimple's renewal found: take it",
    {
      credentials: ok,
      resource: resource({ autoRenew: true }, { certificateId: 10 }),
      secret: expiredSecret,
      lastAutoRenewCheck: new Date(now.getTime() - hour),
      autoRenewalSearch: {
        found: certificate({ id: 12, expiresAt: new Date(now.getTime() + 90 * day) }),
      },
    },
    { kind: "adoptCertificate", certificateId: 12, source: "AutoRenewalFound" },
  ],
  [
    "autoRenew, expired, looked since: no call, the next look an interval after that look",
    {
      resource: resource({ autoRenew: true }, { certificateId: 10 }),
      secret: expiredSecret,
      lastAutoRenewCheck: new Date(now.getTime() - 500),
    },
    { kind: "ready", requeueAt: new Date(now.getTime() + hour - 500) },
  ],
  [
    "autoRenew, polling off, expired unrenewed (its webhook lost?): look all the same",
    {
      credentials: ok,
      resource: resource({ autoRenew: true }, { certificateId: 10 }),
      secret: expiredSecret,
      lastAutoRenewCheck: new Date(now.getTime() - day),
      autoRenewalPickup: { windowMs: 30 * day, intervalMs: hour, polling: false },
    },
    { kind: "findAutoRenewal" },
  ],
  [
    "the certificate in status is not in spec.domain (the domain changed): order",
    {
      credentials: ok,
      resource: resource({ domain: "example.net" }, { certificateId: 10 }),
      remote: {
        kind: "failed",
        certificateId: 10,
        failure: { reason: "CertificateNotFound", message: "404" },
      },
    },
    { kind: "order" },
  ],
  [
    "an adopted id that DNSimple does not know: CertificateNotFound, never an order",
    {
      credentials: ok,
      resource: resource({ certificateId: 99 }),
      remote: {
        kind: "failed",
        certificateId: 99,
        failure: { reason: "CertificateNotFound", message: "404" },
      },
    },
    { kind: "fail", permanent: true },
  ],
  [
    "another resource already writes this secretName: refuse, permanently, with no call",
    { secretNameOwner: "other" },
    { kind: "fail", failure: { reason: "DuplicateSecretName" }, permanent: true },
  ],
  [
    "a failed DNSimple call of this reconcile ends it",
    {
      credentials: ok,
      failure: { reason: "ApiUnavailable", message: "down" },
    },
    { kind: "fail", permanent: false },
  ],
  // Lifecycle: renewal, auto-renewal, the renew-at annotation.
  [
    "renewal time reached: order a renewal of the certificate the Secret holds",
    { credentials: ok, resource: resource({}, { certificateId: 10 }), secret: dueSecret },
    { kind: "order", renewalOf: 10 },
  ],
  [
    "renewal time reached but credentials are needed first",
    { resource: resource({}, { certificateId: 10 }), secret: dueSecret },
    { kind: "resolveCredentials" },
  ],
  [
    "renewal time reached but the last renewal failed a moment ago: back off (not `ready`, which would clear the failure from status)",
    {
      credentials: ok,
      resource: resource(
        {},
        {
          certificateId: 10,
          failedAttempts: 1,
          lastFailureTime: new Date(now.getTime() - 1000).toISOString(),
        },
      ),
      secret: dueSecret,
    },
    { kind: "backoff", until: new Date(now.getTime() + 4000) },
  ],
  [
    "a renewal intent without its answer: look for it first",
    {
      credentials: ok,
      resource: resource(
        {},
        { certificateId: 10, pendingOrder: { startedAt: now.toISOString(), renewalOf: 10 } },
      ),
      secret: dueSecret,
    },
    { kind: "findPendingOrder" },
  ],
  [
    "a renewal in flight: the new certificate is not in the Secret yet, so fetch it",
    {
      credentials: ok,
      resource: resource({}, { certificateId: 11, renewalId: 5, renewedCertificateId: 10 }),
      secret: goodSecret,
    },
    { kind: "fetchCertificate", certificateId: 11 },
  ],
  [
    "a renewal that ended failed: go back to the old certificate and retry later",
    {
      credentials: ok,
      resource: resource({}, { certificateId: 11, renewalId: 5, renewedCertificateId: 10 }),
      secret: goodSecret,
      remote: remote({ id: 11, state: "failed" }),
    },
    { kind: "abandonRenewal", failure: { reason: "RenewalFailed" } },
  ],
  [
    "autoRenew, inside DNSimple's window, an interval since the last look: look (never order)",
    {
      credentials: ok,
      resource: resource({ autoRenew: true }, { certificateId: 10 }),
      secret: dueSecret,
      lastAutoRenewCheck: new Date(now.getTime() - hour),
    },
    { kind: "findAutoRenewal", expiringAfter: dueSecret.notAfter },
  ],
  [
    "autoRenew, inside the window, looked 10 minutes ago: no call, the next look an interval after the last",
    {
      resource: resource({ autoRenew: true }, { certificateId: 10 }),
      secret: dueSecret,
      lastAutoRenewCheck: new Date(now.getTime() - 10 * minute),
    },
    { kind: "ready", requeueAt: new Date(now.getTime() + 50 * minute) },
  ],
  [
    "autoRenew: a newer issued certificate for the same names is taken over",
    {
      credentials: ok,
      resource: resource({ autoRenew: true }, { certificateId: 10 }),
      secret: dueSecret,
      lastAutoRenewCheck: new Date(now.getTime() - hour),
      autoRenewalSearch: {
        found: certificate({ id: 12, expiresAt: new Date(now.getTime() + 90 * day) }),
      },
    },
    { kind: "adoptCertificate", certificateId: 12 },
  ],
  [
    "autoRenew: nothing newer yet: ready, the next look an interval from now",
    {
      credentials: ok,
      resource: resource({ autoRenew: true }, { certificateId: 10 }),
      secret: dueSecret,
      lastAutoRenewCheck: new Date(now.getTime() - hour),
      autoRenewalSearch: { found: certificate({ id: 10, expiresAt: dueSecret.notAfter }) },
    },
    { kind: "ready", requeueAt: new Date(now.getTime() + hour) },
  ],
  [
    "autoRenew, before the window (50 days to go), last look a day ago: no call until the window opens",
    {
      resource: resource({ autoRenew: true }, { certificateId: 10 }),
      secret: goodSecret,
      lastAutoRenewCheck: new Date(now.getTime() - day),
    },
    { kind: "ready", requeueAt: new Date(now.getTime() + 50 * day) },
  ],
  [
    "autoRenew, the window opened since the last look: look at once",
    {
      credentials: ok,
      resource: resource({ autoRenew: true }, { certificateId: 10 }),
      secret: { ...goodSecret, notAfter: new Date(now.getTime() + 30 * day - minute) },
      lastAutoRenewCheck: new Date(now.getTime() - 5 * minute),
    },
    { kind: "findAutoRenewal" },
  ],
  [
    "autoRenew, a webhook hint since the last look: look at once, window or not",
    {
      credentials: ok,
      resource: resource({ autoRenew: true }, { certificateId: 10 }),
      secret: goodSecret,
      lastAutoRenewCheck: new Date(now.getTime() - minute),
      autoRenewalHintAt: new Date(now.getTime() - 1000),
    },
    { kind: "findAutoRenewal", expiringAfter: goodSecret.notAfter },
  ],
  [
    "autoRenew, a hint older than the last look: already looked, no call",
    {
      resource: resource({ autoRenew: true }, { certificateId: 10 }),
      secret: goodSecret,
      lastAutoRenewCheck: new Date(now.getTime() - minute),
      autoRenewalHintAt: new Date(now.getTime() - 2 * minute),
    },
    { kind: "ready" },
  ],
  [
    "autoRenew, polling off, inside the window a day after the last look: only a hint makes it look",
    {
      resource: resource({ autoRenew: true }, { certificateId: 10 }),
      secret: dueSecret,
      lastAutoRenewCheck: new Date(now.getTime() - day),
      autoRenewalPickup: { windowMs: 30 * day, intervalMs: hour, polling: false },
    },
    { kind: "ready", requeueAt: dueSecret.notAfter },
  ],
  [
    "autoRenew, polling off, a hint: look",
    {
      credentials: ok,
      resource: resource({ autoRenew: true }, { certificateId: 10 }),
      secret: dueSecret,
      lastAutoRenewCheck: new Date(now.getTime() - day),
      autoRenewalHintAt: new Date(now.getTime() - minute),
      autoRenewalPickup: { windowMs: 30 * day, intervalMs: hour, polling: false },
    },
    { kind: "findAutoRenewal" },
  ],
  [
    "renew-at in the past, not yet handled: renew now",
    {
      credentials: ok,
      resource: withAnnotation(resource({}, { certificateId: 10 }), "2026-11-26T11:00:00Z"),
      secret: goodSecret,
    },
    { kind: "order", renewalOf: 10, requested: "2026-11-26T11:00:00Z" },
  ],
  [
    "renew-at already handled: nothing",
    {
      resource: withAnnotation(
        resource({}, { certificateId: 10, renewRequestHandled: "2026-11-26T11:00:00Z" }),
        "2026-11-26T11:00:00Z",
      ),
      secret: goodSecret,
    },
    { kind: "ready" },
  ],
  [
    "renew-at in the future: ready until then",
    {
      resource: withAnnotation(resource({}, { certificateId: 10 }), "2026-11-26T13:00:00Z"),
      secret: goodSecret,
    },
    { kind: "ready", requeueAt: new Date("2026-11-26T13:00:00Z") },
  ],
  [
    "renew-at with autoRenew: a new order (DNSimple does not renew auto-renewing certificates)",
    {
      credentials: ok,
      resource: withAnnotation(
        resource({ autoRenew: true }, { certificateId: 10 }),
        "2026-11-26T11:00:00Z",
      ),
      secret: goodSecret,
    },
    { kind: "order", requested: "2026-11-26T11:00:00Z" },
  ],
  [
    "the key is gone at DNSimple (428) and the Secret was lost: fail, never order on its own",
    {
      credentials: ok,
      resource: resource({}, { certificateId: 10 }),
      remote: remote(),
      download: {
        kind: "failed",
        certificateId: 10,
        failure: { reason: "PrivateKeyUnavailable", message: "428" },
      },
    },
    { kind: "fail", failure: { reason: "PrivateKeyUnavailable" } },
  ],
  [
    "the key is gone and the user asks (renew-at): order a new certificate",
    {
      credentials: ok,
      resource: withAnnotation(resource({}, { certificateId: 10 }), "2026-11-26T11:00:00Z"),
      remote: remote(),
      download: {
        kind: "failed",
        certificateId: 10,
        failure: { reason: "PrivateKeyUnavailable", message: "428" },
      },
    },
    { kind: "order", requested: "2026-11-26T11:00:00Z" },
  ],
  [
    "a failed issuance and the user asks: order again",
    {
      credentials: ok,
      resource: withAnnotation(resource({}, { certificateId: 10 }), "2026-11-26T11:00:00Z"),
      remote: remote({ state: "failed" }),
    },
    { kind: "order", requested: "2026-11-26T11:00:00Z" },
  ],
  [
    "an adopted certificate, once adopted, is renewed like an ordered one",
    {
      credentials: ok,
      resource: resource({ certificateId: 10 }, { certificateId: 10, adoptedCertificateId: 10 }),
      secret: dueSecret,
    },
    { kind: "order", renewalOf: 10 },
  ],
];

describe("decide", () => {
  it.each(rows)("%s", (_situation, partial, expected) => {
    expect(decide(observe(partial))).toMatchObject(expected);
  });

  /** The poll delay of a certificate DNSimple is still issuing, Issuing=True with `reason` for `ms`. */
  const pollDelayAfter = (reason: string, ms: number) => {
    const issuing = resource(
      {},
      {
        certificateId: 10,
        conditions: [
          {
            type: "Issuing",
            status: "True",
            reason,
            message: "",
            lastTransitionTime: new Date(now.getTime() - ms).toISOString(),
          },
        ],
      },
    );
    const action = decide(
      observe({ credentials: ok, resource: issuing, remote: remote({ state: "requesting" }) }),
    );
    return action.kind === "poll" ? action.requeueAfterMs : -1;
  };

  it("backs polling off as the issuance takes longer, up to five minutes", () => {
    const delay = (waitedMs: number) => pollDelayAfter("Requesting", waitedMs);
    expect(delay(0)).toBe(1000);
    expect(delay(20_000)).toBe(5000);
    expect(delay(120_000)).toBe(30_000);
    expect(delay(3 * 3_600_000)).toBe(300_000);
  });

  it("polls an order that waited for budget from its order, not from when it queued", () => {
    expect(pollDelayAfter("Queued", 120_000)).toBe(1000);
  });
});

describe("setCondition", () => {
  const at = (s: number) => new Date(Date.parse("2026-12-01T00:00:00Z") + s * 1000);
  const issuing = (status: "True" | "False", reason: string, since: number): Condition => ({
    type: "Issuing",
    status,
    reason,
    message: "",
    lastTransitionTime: at(since).toISOString(),
  });
  const rows: Array<[string, Condition | undefined, "True" | "False", string, number]> = [
    ["a new condition starts now", undefined, "True", "Requesting", 100],
    ["the same status keeps its time", issuing("True", "Requesting", 10), "True", "Renewing", 10],
    ["another status starts now", issuing("True", "Requesting", 10), "False", "Failed", 100],
    ["Queued to issuing starts now", issuing("True", "Queued", 10), "True", "Requesting", 100],
    ["Queued stays Queued: its time kept", issuing("True", "Queued", 10), "True", "Queued", 10],
    ["issuing to Queued starts now", issuing("True", "Renewing", 10), "True", "Queued", 100],
  ];
  it.each(rows)("%s", (_name, previous, status, reason, expected) => {
    const next = { type: "Issuing" as const, status, reason, message: "" };
    const [set] = setCondition(previous ? [previous] : [], next, at(100));
    expect(set?.lastTransitionTime).toBe(at(expected).toISOString());
  });
});

describe("decide, what a refusal tells", () => {
  it("an adopted id for other names: the message does not tell that certificate's names", () => {
    const action = decide(
      observe({
        credentials: ok,
        resource: resource({ certificateId: 10, name: "api" }),
        remote: remote(),
      }),
    );
    expect(action).toMatchObject({ kind: "fail", failure: { reason: "CertificateMismatch" } });
    const message = action.kind === "fail" ? action.failure.message : "";
    expect(message).toContain("certificate 10");
    expect(message).not.toContain("www.example.com");
  });
});

describe("statusFor", () => {
  it("ends a failure streak once DNSimple is issuing: the next look polls, not backs off", () => {
    // Six lost order answers, then the order went through and DNSimple is issuing.
    const failing = resource(
      {},
      {
        certificateId: 10,
        failedAttempts: 6,
        lastFailureTime: new Date(now.getTime() - 10_000).toISOString(),
      },
    );
    const o = observe({
      credentials: ok,
      resource: failing,
      remote: remote({ state: "requesting" }),
    });
    const action = decide(o);
    expect(action.kind).toBe("poll");
    if (!isFinal(action)) throw new Error("poll is final");
    const { status } = statusFor(o, action);
    expect(status.failedAttempts).toBeUndefined();
    expect(status.lastFailureTime).toBeUndefined();

    const later = new Date(now.getTime() + 1_000);
    const next = decide({ ...observe({ resource: { ...failing, status } }), now: later });
    expect(next.kind).not.toBe("backoff");
  });

  it.each([
    [false, /expired at \d{4}-\d\d-\d\dT[\d:.]+Z$/],
    [true, /expired at .*: DNSimple has not renewed it \(spec.autoRenew/],
  ])(
    "an expired certificate awaiting its look (autoRenew %s): Ready=False, Expired",
    (autoRenew, message) => {
      const o = observe({
        resource: resource({ autoRenew }, { certificateId: 10 }),
        secret: expiredSecret,
        lastAutoRenewCheck: now,
      });
      const waiting = { kind: "ready", requeueAt: new Date(now.getTime() + hour) } as const;
      const ready = statusFor(o, waiting).status.conditions?.find((c) => c.type === "Ready");
      expect(ready).toMatchObject({ status: "False", reason: "Expired" });
      expect(ready?.message).toMatch(message);
    },
  );

  it("counts a real failure after a lost order's waits as the second attempt, not the fifth", () => {
    // The dropped order (1), then waits for its answer: still 1.
    const waited = resource({}, { failedAttempts: 1, lastFailureTime: now.toISOString() });
    const wait = {
      kind: "fail",
      permanent: false,
      failure: {
        reason: "OrderOutcomeUnknown",
        message: "m",
        retryAt: new Date(now.getTime() + 10_000),
      },
    } as const;
    expect(statusFor(observe({ resource: waited }), wait).status.failedAttempts).toBe(1);
    // A 500 on the issue after the order went through: attempt 2, a 10 s backoff.
    const issue500 = {
      kind: "fail",
      permanent: false,
      failure: { reason: "ApiUnavailable", message: "m" },
    } as const;
    const outcome = statusFor(observe({ resource: waited }), issue500);
    expect(outcome.status.failedAttempts).toBe(2);
    expect(outcome.requeueAfterMs).toBe(10_000);
  });
});
