// decide() by table, through an issuer's shared token: the refusals of the issuer's policy, the
// ownership claims that gate every action on a certificate (adoption, drift repair, the
// Secret's certificate), the purchase budget and the renewal floor. No I/O.
import { describe, expect, it } from "vitest";
import type { ClaimOwner } from "../../../src/api/claims.ts";
import type { DnsimpleCertificate } from "../../../src/api/v1alpha1.ts";
import { RENEW_AT_ANNOTATION } from "../../../src/api/v1alpha1.ts";
import { decide } from "../../../src/controller/decide.ts";
import type { AccessObservation, Observation } from "../../../src/controller/observation.ts";
import { statusFor } from "../../../src/controller/status.ts";
import type { IssuerGrant } from "../../../src/issuers/policy.ts";
import { dueSecret, noSecret, now, remoteCertificate, resource } from "./fixtures.ts";

const day = 86_400_000;

const grant: IssuerGrant = {
  label: "ClusterDnsimpleIssuer shared",
  kind: "ClusterDnsimpleIssuer",
  name: "shared",
  budgetScope: "ClusterDnsimpleIssuer shared|web",
  adoptionAllowed: false,
  renewalFloorMs: 0,
  ordersPerDay: 5,
};

const self: ClaimOwner = { namespace: "web", name: "www", uid: "u1" };
const platform: ClaimOwner = { namespace: "finance", name: "vault", uid: "p1" };

function issuer(
  owners: [number, ClaimOwner][] = [],
  overrides: Partial<IssuerGrant> = {},
  used = 0,
  lastPurchaseAt?: Date,
): AccessObservation {
  return {
    kind: "issuer",
    grant: { ...grant, ...overrides },
    owners: new Map(owners),
    budget: used > 0 ? { used, freesAt: new Date(now.getTime() + 3_600_000) } : { used: 0 },
    ...(lastPurchaseAt ? { lastPurchaseAt } : {}),
  };
}

const ok = { kind: "ok", accountId: "1010" } as const;

function observe(partial: Partial<Observation>): Observation {
  return {
    now,
    resource: resource(),
    secret: noSecret,
    access: issuer(),
    pollIntervalMs: 1000,
    resyncIntervalMs: 600_000,
    autoRenewalPickup: { windowMs: 30 * 86_400_000, intervalMs: 3_600_000, polling: true },
    lastAutoRenewCheck: now,
    secretName: { kind: "free" },
    ...partial,
  };
}

function renewAt(r: DnsimpleCertificate, at: Date): DnsimpleCertificate {
  return {
    ...r,
    metadata: { ...r.metadata, annotations: { [RENEW_AT_ANNOTATION]: at.toISOString() } },
  };
}

const issued = { kind: "found", certificate: remoteCertificate() } as const;

const rows: [string, Partial<Observation>, Record<string, unknown>][] = [
  [
    "the issuer refuses the resource: NotPermitted before anything, even with a serving Secret",
    {
      secret: dueSecret,
      resource: resource({}, { certificateId: 10 }),
      access: { kind: "refused", failure: { reason: "NotPermitted", message: "no" } },
    },
    { kind: "fail", failure: { reason: "NotPermitted" }, permanent: true },
  ],
  [
    "no issuer set (the old default token): IssuerNotSet",
    { access: { kind: "refused", failure: { reason: "IssuerNotSet", message: "set one" } } },
    { kind: "fail", failure: { reason: "IssuerNotSet" } },
  ],
  [
    "adopting another resource's certificate by id: NotPermitted, not even fetched",
    {
      credentials: ok,
      resource: resource({ certificateId: 10 }),
      access: issuer([[10, platform]], { adoptionAllowed: true }),
    },
    { kind: "fail", failure: { reason: "NotPermitted" } },
  ],
  [
    "adopting an unowned certificate where the policy does not allow adoption: NotPermitted",
    { credentials: ok, resource: resource({ certificateId: 10 }) },
    { kind: "fail", failure: { reason: "NotPermitted" } },
  ],
  [
    "adopting an unowned certificate where the policy allows it, credentials not read: read them",
    { resource: resource({ certificateId: 10 }), access: issuer([], { adoptionAllowed: true }) },
    { kind: "resolveCredentials" },
  ],
  [
    "adopting an unowned certificate where the policy allows it: claim it first",
    {
      credentials: ok,
      resource: resource({ certificateId: 10 }),
      access: issuer([], { adoptionAllowed: true }),
    },
    { kind: "claimCertificate", certificateId: 10 },
  ],
  [
    "adopting a certificate this resource owns: fetch it",
    { credentials: ok, resource: resource({ certificateId: 10 }), access: issuer([[10, self]]) },
    { kind: "fetchCertificate", certificateId: 10 },
  ],
  [
    "a status naming a certificate the resource does not own (forged): no download",
    { credentials: ok, resource: resource({}, { certificateId: 10 }), remote: issued },
    { kind: "fail", failure: { reason: "NotPermitted" } },
  ],
  [
    "a status naming another's certificate: no drift repair",
    {
      credentials: ok,
      resource: resource({}, { certificateId: 10 }),
      remote: issued,
      access: issuer([[10, platform]]),
    },
    { kind: "fail", failure: { reason: "NotPermitted" } },
  ],
  [
    "its own certificate, issued, the Secret gone: download (drift repair)",
    {
      credentials: ok,
      resource: resource({}, { certificateId: 10 }),
      remote: issued,
      access: issuer([[10, self]]),
    },
    { kind: "download", certificateId: 10 },
  ],
  [
    "a (forged) Secret serving the spec with another's certificate id: not kept",
    { secret: dueSecret, access: issuer([[10, platform]]) },
    { kind: "fail", failure: { reason: "NotPermitted" } },
  ],
  [
    "a Secret serving the spec with an unowned certificate id, no adoption: not kept",
    { secret: dueSecret },
    { kind: "fail", failure: { reason: "NotPermitted" } },
  ],
  [
    "a Secret serving the spec with its own certificate: kept (status was lost)",
    { secret: dueSecret, access: issuer([[10, self]]) },
    { kind: "adoptCertificate", certificateId: 10, source: "SecretKept" },
  ],
  [
    "an unowned auto-renewal found in the list: adopted (the step claims it), credentials first",
    {
      resource: resource({ autoRenew: true }, { certificateId: 10 }),
      secret: { ...dueSecret, notAfter: new Date(now.getTime() + 20 * day) },
      access: issuer([[10, self]]),
      lastAutoRenewCheck: new Date(now.getTime() - day),
      autoRenewalSearch: {
        found: remoteCertificate({
          id: 11,
          autoRenew: true,
          expiresAt: new Date(now.getTime() + 90 * day),
        }),
      },
    },
    { kind: "resolveCredentials" },
  ],
  [
    "the namespace's budget is spent: BudgetExhausted until the window frees a slot",
    { credentials: ok, access: issuer([], {}, 5) },
    {
      kind: "fail",
      failure: { reason: "BudgetExhausted", retryAt: new Date(now.getTime() + 3_600_000) },
    },
  ],
  [
    "a renewal is due but the budget is spent: it waits too",
    {
      credentials: ok,
      resource: resource({}, { certificateId: 10 }),
      secret: dueSecret,
      access: issuer([[10, self]], {}, 5),
    },
    { kind: "fail", failure: { reason: "BudgetExhausted" } },
  ],
  ["within the budget: order", { credentials: ok, access: issuer([], {}, 4) }, { kind: "order" }],
  [
    "renewal time reached but under the renewal floor: ready, looked at again at the floor",
    {
      credentials: ok,
      resource: resource({}, { certificateId: 10 }),
      secret: dueSecret,
      access: issuer([[10, self]], { renewalFloorMs: 70 * day }),
    },
    { kind: "ready", requeueAt: new Date(now.getTime() + 9 * day) },
  ],
  [
    "renew-at asked under the renewal floor: nothing bought, looked at again at the floor",
    {
      credentials: ok,
      resource: renewAt(resource({}, { certificateId: 10 }), now),
      secret: { ...dueSecret, notBefore: new Date(now.getTime() - 3_600_000) },
      access: issuer([[10, self]], { renewalFloorMs: day }),
    },
    { kind: "ready", requeueAt: new Date(now.getTime() + day - 3_600_000) },
  ],
  [
    "renew-at asked past the renewal floor: renew",
    {
      credentials: ok,
      resource: renewAt(resource({}, { certificateId: 10 }), now),
      secret: { ...dueSecret, notBefore: new Date(now.getTime() - 2 * day) },
      access: issuer([[10, self]], { renewalFloorMs: day }),
    },
    { kind: "order", renewalOf: 10 },
  ],
  [
    "renew-at over a Secret whose notBefore was set years back, bought an hour ago: the floor counts from the purchase",
    {
      credentials: ok,
      resource: renewAt(resource({}, { certificateId: 10 }), now),
      secret: { ...dueSecret, notBefore: new Date(now.getTime() - 3 * 365 * day) },
      access: issuer([[10, self]], { renewalFloorMs: day }, 0, new Date(now.getTime() - 3_600_000)),
    },
    { kind: "ready", requeueAt: new Date(now.getTime() + day - 3_600_000) },
  ],
  [
    "a resource's own token (credentialsRef): no claims, no budget",
    {
      credentials: ok,
      resource: resource({ certificateId: 10, credentialsRef: { name: "own" } }),
      access: { kind: "ownToken" },
    },
    { kind: "fetchCertificate", certificateId: 10 },
  ],
];

describe("decide through an issuer", () => {
  it.each(rows)("%s", (_situation, partial, expected) => {
    expect(decide(observe(partial))).toMatchObject(expected);
  });

  it("status shows the renewal time the floor sets, not the one renewBefore asks for", () => {
    const observation = observe({
      resource: resource({ renewBefore: "2159h" }, { certificateId: 10 }),
      secret: { ...dueSecret, notBefore: now, notAfter: new Date(now.getTime() + 90 * day) },
      access: issuer([[10, self]], { renewalFloorMs: day }),
    });
    const action = decide(observation);
    expect(action.kind).toBe("ready");
    if (action.kind !== "ready") return;
    const { status } = statusFor(observation, action);
    expect(status.renewalTime).toBe(new Date(now.getTime() + day).toISOString());
  });

  it("a refusal is Ready=False even while the Secret serves (a forged one, or a policy narrowed)", () => {
    const observation = observe({ secret: dueSecret, access: issuer([[10, platform]]) });
    const action = decide(observation);
    expect(action.kind).toBe("fail");
    if (action.kind !== "fail") return;
    const ready = statusFor(observation, action).status.conditions?.find((c) => c.type === "Ready");
    expect(ready).toMatchObject({ status: "False", reason: "NotPermitted" });
  });

  it("a refusal about another's certificate names only the id the tenant gave", () => {
    const action = decide(
      observe({
        credentials: ok,
        resource: resource({ certificateId: 10 }),
        access: issuer([[10, platform]]),
      }),
    );
    const message = action.kind === "fail" ? action.failure.message : "";
    expect(message).toContain("certificate 10");
    expect(message).not.toContain("finance");
    expect(message).not.toContain("vault");
  });
});
