// Tenancy and trust (issue 12), tried as the issue's attacker would: a platform namespace and a
// tenant namespace, one operator watching both, one DNSimple account behind a shared
// ClusterDnsimpleIssuer. DNSimple hands every certificate's private key to whoever holds the
// token, so each path a tenant can write (a spec's certificateId, a forged managed Secret, a
// name outside the policy, a purchase loop) must end in a refusal that buys nothing and
// downloads nothing; and the positive paths (the platform's own certificates, a tenant allowed
// by the policy, a tenant's own token) still become Ready.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLAIM_PLURAL, type DnsimpleCertificateClaim } from "../../src/api/claims.ts";
import { CLUSTER_ISSUER_KIND, CLUSTER_ISSUER_PLURAL } from "../../src/api/issuers.ts";
import {
  type DnsimpleCertificate,
  GROUP,
  MANAGED_SECRET_LABEL,
  RENEW_AT_ANNOTATION,
  SECRET_ANNOTATIONS,
  VERSION,
} from "../../src/api/v1alpha1.ts";
import { core, objects, useNamespace, waitFor } from "./support/kube.ts";
import {
  applyClusterIssuer,
  certificateRef,
  createCertificate,
  createCredentials,
  createReady,
  eventsFor,
  getCertificate,
  getSecret,
  heldCertificateId,
  loggedAction,
  type RunningOperator,
  setAnnotations,
  startOperator,
  waitForReady,
} from "./support/operator.ts";
import { purchasesOf, useSimulator } from "./support/simulator.ts";

const platform = useNamespace("platform");
const tenant = useNamespace("tenant");
const TOKEN = "tenancy-test-token-7d0e";
const ACCOUNT = 73;
const env = useSimulator({
  token: TOKEN,
  accountId: ACCOUNT,
  domains: ["example.com", "other.org"],
  issueDelayMs: 100,
});

/** Serves both namespaces in example.com: no wildcards, no adoption, 4 orders a day, 1h floor. */
const shared = () => `shared-${tenant.name}`;
/** Serves the platform only, and only names under apps.example.com. */
const narrow = () => `narrow-${tenant.name}`;
const sharedRef = () => ({ kind: CLUSTER_ISSUER_KIND, name: shared() }) as const;
const narrowRef = () => ({ kind: CLUSTER_ISSUER_KIND, name: narrow() }) as const;

let operator: RunningOperator;

beforeAll(async () => {
  const name = "kubernetes.io/metadata.name";
  await applyClusterIssuer(shared(), {
    policy: {
      namespaceSelector: {
        matchExpressions: [{ key: name, operator: "In", values: [platform.name, tenant.name] }],
      },
      domains: ["example.com"],
      budget: { ordersPerNamespacePerDay: 4, renewalFloor: "1h" },
    },
  });
  await applyClusterIssuer(narrow(), {
    policy: {
      namespaceSelector: { matchLabels: { [name]: platform.name } },
      dnsNames: ["*.apps.example.com"],
    },
  });
  // No default issuer: every resource here names one (a resource that names none is the
  // migration case below).
  operator = await startOperator([platform.name, tenant.name], env.simulator, [
    `--dnsimple-token=${TOKEN}`,
    `--dnsimple-account-id=${ACCOUNT}`,
    "--default-cluster-issuer=",
    // Inside DNSimple's window (the whole life of these short certificates), auto-renewals are
    // looked for every second, through a domain list kept as long: the tenant's 5-second
    // certificates are renewed over and over, and a list older than that names expired ones.
    "--resync-interval=4s",
    "--auto-renewal-interval=1s",
  ]);
});

afterAll(async () => {
  await operator?.stop();
  for (const name of [shared(), narrow()]) {
    await objects()
      .deleteClusterCustomObject({
        group: GROUP,
        version: VERSION,
        plural: CLUSTER_ISSUER_PLURAL,
        name,
      })
      .catch(() => {});
  }
});

/** DNSimple calls that read a certificate's private key. */
function keyReadsOf(certificateId: number): number {
  return env.simulator
    .calls()
    .filter(
      (c) => c.method === "GET" && c.path.endsWith(`/certificates/${certificateId}/private_key`),
    ).length;
}

/** The claim of a certificate, if any (a cluster-scoped object only the operator writes). */
async function claimOf(certificateId: number): Promise<DnsimpleCertificateClaim | undefined> {
  const list = (await objects().listClusterCustomObject({
    group: GROUP,
    version: VERSION,
    plural: CLAIM_PLURAL,
  })) as { items: DnsimpleCertificateClaim[] };
  return list.items.find(
    (c) => c.spec.certificateId === certificateId && c.spec.accountId === String(ACCOUNT),
  );
}

let platformId = 0;

/** See the test "does not pick up the platform's auto-renewal as its own". */
async function crossOwnerRenewals(): Promise<void> {
  let portal = await createReady(platform.name, "portal", {
    autoRenew: true,
    issuerRef: sharedRef(),
  });
  const first = portal.status?.certificateId;
  portal = await waitFor(
    "the platform's portal picks up its auto-renewal",
    async () => {
      const r = await getCertificate(platform.name, "portal");
      return r.status?.certificateId !== first && ready(r) ? r : undefined;
    },
    90_000,
  );
  const platformRenewal = portal.status?.certificateId ?? 0;
  expect((await claimOf(platformRenewal))?.spec).toMatchObject({
    owner: { namespace: platform.name, name: "portal" },
    via: "AutoRenewal",
  });
  // The tenant's certificate for the same names lives 5 s: the platform's renewal is in the
  // domain's list, issued, and expires after it, so only its claim keeps it from being taken.
  // (Such short certificates are Expiring at once: the swap is what is waited for, not Ready.)
  env.simulator.updateSettings({ validityMs: 5_000 });
  const mine = await createReady(tenant.name, "portal", {
    autoRenew: true,
    issuerRef: sharedRef(),
  });
  const own = mine.status?.certificateId;
  const renewed = await waitFor(
    "the tenant's portal picks up an auto-renewal",
    async () => {
      const r = await getCertificate(tenant.name, "portal");
      const held = heldCertificateId(await getSecret(tenant.name, "portal-tls"));
      return r.status?.certificateId !== own && held === r.status?.certificateId ? r : undefined;
    },
    60_000,
  );
  expect(renewed.status?.certificateId).not.toBe(platformRenewal);
  expect((await claimOf(renewed.status?.certificateId ?? 0))?.spec.owner).toMatchObject({
    namespace: tenant.name,
    name: "portal",
  });
  // Both keep looking once a second while their short certificates live: deleted, so that the
  // zero-call tests below see only their own resources' calls.
  for (const namespace of [platform.name, tenant.name]) {
    await objects().deleteNamespacedCustomObject(certificateRef(namespace, "portal"));
  }
  await waitFor("the auto-renewal looks to stop", () => {
    const lists = env.simulator.calls().filter((c) => c.path.endsWith("/certificates"));
    const last = Date.parse(lists.at(-1)?.time ?? "1970-01-01T00:00:00Z");
    return Date.now() - last > 3_000 ? true : undefined;
  });
}

function readyOf(resource: DnsimpleCertificate) {
  return resource.status?.conditions?.find((c) => c.type === "Ready");
}

function ready(resource: DnsimpleCertificate): boolean {
  return readyOf(resource)?.status === "True";
}

/** The Ready message once the resource is Ready=False for `reason`. */
async function refusalOf(namespace: string, name: string, reason: string): Promise<string> {
  return readyOf(await waitForReady(namespace, name, "False", reason))?.message ?? "";
}

describe("the platform's own certificate", () => {
  it("becomes Ready through the shared issuer, claimed by the resource that ordered it", async () => {
    const bank = await createReady(platform.name, "bank", { issuerRef: sharedRef() });
    platformId = bank.status?.certificateId ?? 0;
    expect(platformId).toBeGreaterThan(0);
    const claim = await claimOf(platformId);
    expect(claim?.spec).toMatchObject({
      owner: { namespace: platform.name, name: "bank", uid: bank.metadata.uid },
      issuer: { kind: CLUSTER_ISSUER_KIND, name: shared() },
      via: "Order",
    });
  });
});

describe("a tenant with the shared issuer", () => {
  it("cannot adopt the platform's certificate by id: NotPermitted, no Secret, no key read", async () => {
    const keyReads = keyReadsOf(platformId);
    await createCertificate(tenant.name, "steal", {
      domain: "example.com",
      name: "bank",
      certificateId: platformId,
      secretName: "stolen-tls",
      issuerRef: sharedRef(),
    });
    const message = await refusalOf(tenant.name, "steal", "NotPermitted");
    expect(message).toContain(`certificate ${platformId}`);
    // Nothing about the platform's certificate beyond the id the tenant gave.
    expect(message).not.toContain(platform.name);
    expect(await getSecret(tenant.name, "stolen-tls")).toBeUndefined();
    expect(keyReadsOf(platformId)).toBe(keyReads);
    const warnings = (await eventsFor(tenant.name, "steal")).filter((e) => e.type === "Warning");
    expect(warnings.map((e) => e.reason)).toContain("NotPermitted");
  });

  it("cannot make a forged managed Secret naming the platform's certificate its own", async () => {
    // The tenant's own, valid certificate for the same names (the policy allows them), in a
    // Secret it labels as the operator's and annotates with the platform's certificate id:
    // without ownership records the operator would keep it, take that id into status, and
    // repair the Secret from DNSimple with the platform's key.
    await createReady(tenant.name, "bank-own", { name: "bank", issuerRef: sharedRef() });
    const own = await getSecret(tenant.name, "bank-own-tls");
    const keyReads = keyReadsOf(platformId);
    const secret = await core().createNamespacedSecret({
      namespace: tenant.name,
      body: {
        metadata: {
          name: "forged-tls",
          labels: { [MANAGED_SECRET_LABEL]: "true" },
          annotations: {
            [SECRET_ANNOTATIONS.certificateId]: String(platformId),
            [SECRET_ANNOTATIONS.owner]: "forger",
          },
        },
        type: "kubernetes.io/tls",
        data: { "tls.crt": own?.data?.["tls.crt"] ?? "", "tls.key": own?.data?.["tls.key"] ?? "" },
      },
    });
    await createCertificate(tenant.name, "forger", {
      domain: "example.com",
      name: "bank",
      secretName: "forged-tls",
      issuerRef: sharedRef(),
    });
    const message = await refusalOf(tenant.name, "forger", "NotPermitted");
    expect(message).toContain(`certificate ${platformId}`);
    const after = await getSecret(tenant.name, "forged-tls");
    expect(after?.metadata?.resourceVersion).toBe(secret.metadata?.resourceVersion);
    expect((await getCertificate(tenant.name, "forger")).status?.certificateId).toBeUndefined();
    expect(keyReadsOf(platformId)).toBe(keyReads);
  });

  it("gains nothing by forging status's record of the Secret's check", async () => {
    // Where tenants may write status (no admission policy): a Secret of garbage naming the
    // platform's certificate, and a status that records that very version as checked, with
    // the facts of the tenant's own valid certificate for the names. The operator believes the
    // record (verified-secret.ts), and the Secret then looks like the forged managed Secret
    // above, with the same end: ownership is the claim's, NotPermitted.
    const own = await getCertificate(tenant.name, "bank-own");
    const keyReads = keyReadsOf(platformId);
    const secret = await core().createNamespacedSecret({
      namespace: tenant.name,
      body: {
        metadata: {
          name: "recorded-tls",
          labels: { [MANAGED_SECRET_LABEL]: "true" },
          annotations: {
            [SECRET_ANNOTATIONS.certificateId]: String(platformId),
            [SECRET_ANNOTATIONS.owner]: "recorder",
          },
        },
        type: "kubernetes.io/tls",
        data: { "tls.crt": btoa("garbage"), "tls.key": btoa("garbage") },
      },
    });
    await createCertificate(tenant.name, "recorder", {
      domain: "example.com",
      name: "bank",
      secretName: "recorded-tls",
      issuerRef: sharedRef(),
    });
    // Checked in full, the Secret is someone else's (its tls.* written by another manager).
    await refusalOf(tenant.name, "recorder", "SecretConflict");
    const { commonName, alternateNames, notBefore, notAfter, serialNumber } = own.status ?? {};
    const verifiedSecret = {
      name: "recorded-tls",
      resourceVersion: secret.metadata?.resourceVersion ?? "",
      validFrom: notBefore ?? "",
      validUntil: notAfter ?? "",
      keyAlgorithm: "ECDSA",
    };
    const forged = {
      commonName,
      alternateNames,
      notBefore,
      notAfter,
      serialNumber,
      verifiedSecret,
    };
    // The whole status replaced: no failure on record (so no backoff) and no conditions, which
    // only the operator's next pass puts back.
    await objects().patchNamespacedCustomObjectStatus({
      ...certificateRef(tenant.name, "recorder"),
      body: [{ op: "replace", path: "/status", value: { ...forged, observedGeneration: 1 } }],
    });
    const judged = await waitFor("the operator judges the forged status", async () => {
      const r = await getCertificate(tenant.name, "recorder");
      return readyOf(r) ? r : undefined;
    });
    expect(readyOf(judged)).toMatchObject({ status: "False", reason: "NotPermitted" });
    expect(readyOf(judged)?.message).toContain(`certificate ${platformId}`);
    // The record was believed (a full check would have found garbage and dropped it) ...
    expect(judged.status?.verifiedSecret).toEqual(verifiedSecret);
    // ... and bought nothing: no certificate taken, no key read, the Secret as it was.
    expect(judged.status?.certificateId).toBeUndefined();
    expect(keyReadsOf(platformId)).toBe(keyReads);
    const after = await getSecret(tenant.name, "recorded-tls");
    expect(after?.metadata?.resourceVersion).toBe(secret.metadata?.resourceVersion);
  });

  it("gets its own certificate, for names the policy allows", async () => {
    const app = await createReady(tenant.name, "app", { issuerRef: sharedRef() });
    const claim = await claimOf(app.status?.certificateId ?? 0);
    expect(claim?.spec.owner).toMatchObject({ namespace: tenant.name, name: "app" });
  });

  it("does not pick up the platform's auto-renewal as its own, though it is newer", async () => {
    // The platform's auto-renewing certificate lives 30 s: the simulator renews it 20 s in, as
    // DNSimple does before expiry, and the platform's resource picks the renewal up (claimed).
    env.simulator.updateSettings({ validityMs: 30_000 });
    try {
      await crossOwnerRenewals();
    } finally {
      env.simulator.updateSettings({ validityMs: 90 * 86_400_000 });
    }
  });

  it("stops at its purchase budget: BudgetExhausted, nothing bought, the platform unaffected", async () => {
    await createReady(tenant.name, "second", { issuerRef: sharedRef() });
    await createCertificate(tenant.name, "third", {
      domain: "example.com",
      name: "third",
      secretName: "third-tls",
      issuerRef: sharedRef(),
    });
    const message = await refusalOf(tenant.name, "third", "BudgetExhausted");
    expect(message).toContain("ordersPerNamespacePerDay");
    expect(purchasesOf(env.simulator, "third")).toHaveLength(0);
  });

  it("is refused a wildcard, and a domain outside the policy, with zero DNSimple calls", async () => {
    env.simulator.resetCalls();
    await createCertificate(tenant.name, "wild", {
      domain: "example.com",
      name: "*",
      secretName: "wild-tls",
      issuerRef: sharedRef(),
    });
    await createCertificate(tenant.name, "elsewhere", {
      domain: "other.org",
      name: "www",
      secretName: "elsewhere-tls",
      issuerRef: sharedRef(),
    });
    expect(await refusalOf(tenant.name, "wild", "NotPermitted")).toContain(
      "spec.policy.allowWildcards",
    );
    expect(await refusalOf(tenant.name, "elsewhere", "NotPermitted")).toContain(
      "spec.policy.domains",
    );
    expect(env.simulator.calls()).toHaveLength(0);
  });
});

describe("an issuer that does not serve the namespace, or the name", () => {
  it("refuses a namespace outside its selector with NotPermitted and zero DNSimple calls", async () => {
    env.simulator.resetCalls();
    await createCertificate(tenant.name, "outside", {
      domain: "example.com",
      name: "shop.apps",
      secretName: "outside-tls",
      issuerRef: narrowRef(),
    });
    const message = await refusalOf(tenant.name, "outside", "NotPermitted");
    expect(message).toContain(
      `ClusterDnsimpleIssuer ${narrow()} does not serve namespace ${tenant.name}`,
    );
    expect(env.simulator.calls()).toHaveLength(0);
  });

  it("refuses a name outside its dnsNames patterns, and serves one inside", async () => {
    env.simulator.resetCalls();
    await createCertificate(platform.name, "www", {
      domain: "example.com",
      name: "www",
      secretName: "www-tls",
      issuerRef: narrowRef(),
    });
    const message = await refusalOf(platform.name, "www", "NotPermitted");
    expect(message).toContain("spec.policy.dnsNames");
    expect(env.simulator.calls()).toHaveLength(0);
    await createReady(platform.name, "shop", { name: "shop.apps", issuerRef: narrowRef() });
  });
});

describe("the renewal floor", () => {
  it("holds a renewBefore just under the lifetime and a renew-at every minute to one purchase", async () => {
    // The simulator's certificates live 90 days: this renewBefore asks for a renewal a minute
    // after issuance. The platform has orders left today (bank and shop were the first two).
    const floor = await createReady(platform.name, "floor", {
      issuerRef: sharedRef(),
      renewBefore: "2159h59m",
    });
    // The floor counts from the later of the certificate's notBefore and its purchase (the claim).
    const notBefore = Date.parse(floor.status?.notBefore ?? "");
    const claim = await claimOf(floor.status?.certificateId ?? 0);
    const bought = Date.parse(claim?.spec.claimedAt ?? "");
    expect(bought).toBeGreaterThan(0);
    expect(Date.parse(floor.status?.renewalTime ?? "")).toBe(
      Math.max(notBefore, bought) + 3_600_000,
    );
    const since = operator.logs.length;
    await setAnnotations(platform.name, "floor", {
      [RENEW_AT_ANNOTATION]: new Date().toISOString(),
    });
    await waitFor("the pass after the renew-at annotation", async () =>
      loggedAction(operator, platform.name, "floor", "ready", since) ? true : undefined,
    );
    expect(purchasesOf(env.simulator, "floor")).toHaveLength(1);
    const after = await getCertificate(platform.name, "floor");
    expect(after.status?.renewRequestHandled).toBeUndefined();
  });
});

describe("a tenant's own token (spec.credentialsRef)", () => {
  it("is the simple case: no issuer policy, Ready even past the shared issuer's budget", async () => {
    await createCredentials(tenant.name, "own-token", { token: TOKEN, accountId: String(ACCOUNT) });
    await createReady(tenant.name, "mine", { credentialsRef: { name: "own-token" } });
  });
});

describe("migration: a resource that used the operator's default token", () => {
  it("is refused with a reason that says which ClusterDnsimpleIssuer to create", async () => {
    env.simulator.resetCalls();
    await createCertificate(tenant.name, "legacy", {
      domain: "example.com",
      name: "legacy",
      secretName: "legacy-tls",
    });
    const message = await refusalOf(tenant.name, "legacy", "IssuerNotSet");
    expect(message).toContain("ClusterDnsimpleIssuer");
    expect(message).toContain("spec.issuerRef");
    expect(env.simulator.calls()).toHaveLength(0);
  });
});

describe("secrets stay secret", () => {
  it("never logs the token or a private key", () => {
    const all = operator.logs.join("\n");
    expect(all).not.toContain(TOKEN);
    expect(all).not.toContain("PRIVATE KEY");
  });
});
