// The selection rules by table: which lost order, which auto-renewal, which resource keeps a
// contested Secret, whether an issue call is a renewal's. No I/O.

import type { V1Secret } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import {
  type DnsimpleCertificate,
  MANAGED_SECRET_LABEL,
  type PendingOrder,
  TAKEOVER_ANNOTATION,
} from "../../../src/api/v1alpha1.ts";
import type { RemoteCertificate } from "../../../src/controller/observation.ts";
import {
  createdInRenewalWindow,
  lostOrderAmong,
  newestIssuedAmong,
  renewalInFlight,
  secretKeeper,
  secretNameLookupOf,
} from "../../../src/controller/selection.ts";
import { now, remoteCertificate, resource } from "./fixtures.ts";

const minute = 60_000;
const day = 86_400_000;

/** A listed certificate for the spec's names, just ordered (state new). */
function listed(id: number, overrides: Partial<RemoteCertificate> = {}): RemoteCertificate {
  return remoteCertificate({ id, state: "new", ...overrides });
}

const intent: PendingOrder = {
  startedAt: now.toISOString(),
  accountId: "1010",
  domain: "example.com",
  commonName: "www.example.com",
};
const spec = resource().spec;

describe("lostOrderAmong", () => {
  const rows: [
    string,
    RemoteCertificate[],
    PendingOrder | undefined,
    number | undefined,
    number | undefined,
  ][] = [
    ["nothing listed: none", [], intent, undefined, undefined],
    ["one made after the intent: that one", [listed(5)], intent, undefined, 5],
    [
      "made within DNSimple's clock skew before the intent: still that one",
      [listed(5, { createdAt: new Date(now.getTime() - 59_000) })],
      intent,
      undefined,
      5,
    ],
    [
      "made before the intent (beyond the skew): not the lost order",
      [listed(5, { createdAt: new Date(now.getTime() - 2 * minute) })],
      intent,
      undefined,
      undefined,
    ],
    ["the certificate in status before: not it", [listed(5)], intent, 5, undefined],
    [
      "the certificate being renewed: not it",
      [listed(5)],
      { ...intent, renewalOf: 5 },
      undefined,
      undefined,
    ],
    [
      "another common name than the intent's: not it",
      [listed(5, { commonName: "www.example.net" })],
      intent,
      undefined,
      undefined,
    ],
    [
      "other names than the spec's: not it",
      [listed(5, { alternateNames: ["docs.example.com"] })],
      intent,
      undefined,
      undefined,
    ],
    ["two candidates: the oldest order (lowest id)", [listed(9), listed(7)], intent, undefined, 7],
  ];
  it.each(rows)("%s", (_why, certificates, pending, previous, expected) => {
    expect(lostOrderAmong(certificates, pending, spec, previous)?.id).toBe(expected);
  });
});

describe("newestIssuedAmong", () => {
  const expiring = (days: number) => new Date(now.getTime() + days * day);
  const rows: [string, RemoteCertificate[], number | undefined][] = [
    ["nothing listed: none", [], undefined],
    ["only one being issued: none", [listed(5, { state: "requesting" })], undefined],
    [
      "the issued one that expires last",
      [
        listed(5, { state: "issued", expiresAt: expiring(30) }),
        listed(6, { state: "issued", expiresAt: expiring(90) }),
        listed(7, { state: "issued", expiresAt: expiring(60) }),
      ],
      6,
    ],
    [
      "a later one for other names does not count",
      [
        listed(5, { state: "issued", expiresAt: expiring(30) }),
        listed(6, {
          state: "issued",
          expiresAt: expiring(90),
          name: "api",
          commonName: "api.example.com",
        }),
      ],
      5,
    ],
  ];
  it.each(rows)("%s", (_why, certificates, expected) => {
    expect(newestIssuedAmong(certificates, spec)?.id).toBe(expected);
  });
});

describe("createdInRenewalWindow", () => {
  // The held certificate expires in 10 days; DNSimple's window is 30 days; 1 minute of skew.
  const notAfter = new Date(now.getTime() + 10 * day);
  const created = (ms: number) => listed(9, { createdAt: new Date(notAfter.getTime() + ms) });
  const rows: [string, RemoteCertificate, Date | undefined, boolean][] = [
    ["created inside the window: may be its renewal", created(-20 * day), notAfter, true],
    ["created before the window opened: another's", created(-31 * day), notAfter, false],
    [
      "created a moment before the window (skew): may be",
      created(-30 * day - 30_000),
      notAfter,
      true,
    ],
    ["created after the held one expired: another's", created(2 * minute), notAfter, false],
    ["created at its expiry, within the skew: may be", created(30_000), notAfter, true],
    ["no expiry known: may be", created(-100 * day), undefined, true],
  ];
  it.each(rows)("%s", (_why, candidate, expiry, expected) => {
    expect(createdInRenewalWindow(candidate, expiry, 30 * day)).toBe(expected);
  });
});

describe("secretKeeper", () => {
  const claimant = (
    name: string,
    createdMinutesAgo: number,
    deleting = false,
  ): DnsimpleCertificate => {
    const r = resource();
    return {
      ...r,
      metadata: {
        ...r.metadata,
        name,
        uid: `uid-${name}`,
        creationTimestamp: new Date(now.getTime() - createdMinutesAgo * minute),
        ...(deleting ? { deletionTimestamp: now } : {}),
      },
    };
  };
  const rows: [string, DnsimpleCertificate[], string | undefined, string | undefined][] = [
    ["the one the Secret names as its writer", [claimant("a", 10), claimant("b", 5)], "b", "b"],
    ["no writer named: the oldest", [claimant("a", 5), claimant("b", 10)], undefined, "b"],
    ["a writer that is gone: the oldest", [claimant("a", 5), claimant("b", 10)], "c", "b"],
    ["created at the same time: by name", [claimant("b", 5), claimant("a", 5)], undefined, "a"],
    ["one being deleted does not keep it", [claimant("a", 10, true), claimant("b", 5)], "a", "b"],
  ];
  it.each(rows)("%s", (_why, claimants, writer, expected) => {
    expect(secretKeeper(claimants, writer)?.metadata.name).toBe(expected);
  });
});

describe("secretNameLookupOf", () => {
  const secret = (labels: Record<string, string>, annotations: Record<string, string>) => ({
    metadata: { name: "www-tls", namespace: "web", labels, annotations },
  });
  const rows: [string, V1Secret | undefined, object][] = [
    ["no Secret: the name is free", undefined, { kind: "free" }],
    [
      "the operator's label: its own",
      secret({ [MANAGED_SECRET_LABEL]: "true" }, {}),
      { kind: "managed" },
    ],
    ["no label: someone else's", secret({}, {}), { kind: "foreign", takeoverAllowed: false }],
    [
      "someone else's, handed over to this resource",
      secret({}, { [TAKEOVER_ANNOTATION]: "www" }),
      { kind: "foreign", takeoverAllowed: true },
    ],
    [
      "someone else's, handed over to another resource",
      secret({}, { [TAKEOVER_ANNOTATION]: "api" }),
      { kind: "foreign", takeoverAllowed: false },
    ],
  ];
  it.each(rows)("%s", (_why, found, expected) => {
    expect(secretNameLookupOf(found, "www")).toEqual(expected);
  });
});

describe("renewalInFlight", () => {
  const rows: [string, DnsimpleCertificate["status"], number, object | undefined][] = [
    ["no renewal in status: an order's issue", { certificateId: 11 }, 11, undefined],
    [
      "a renewal whose new certificate is the one issued",
      { certificateId: 11, renewalId: 3, renewedCertificateId: 10 },
      11,
      { renewalId: 3, renewedCertificateId: 10 },
    ],
    [
      "a renewal, but another certificate is issued",
      { certificateId: 11, renewalId: 3, renewedCertificateId: 10 },
      12,
      undefined,
    ],
    [
      "a recovered renewal (no renewal id): an order's issue",
      { certificateId: 11, renewedCertificateId: 10 },
      11,
      undefined,
    ],
  ];
  it.each(rows)("%s", (_why, status, certificateId, expected) => {
    expect(renewalInFlight(status, certificateId)).toEqual(expected);
  });
});
