// Renewal in real time with short-lived certificates: the operator renews at renewalTime (and
// not before), retries a failed renewal, picks up DNSimple's own auto-renewals without ordering,
// and renews on request (renew-at annotation). The Secret keeps serving throughout.
import { X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import { type DnsimpleCertificate, RENEW_AT_ANNOTATION } from "../../src/api/v1alpha1.ts";
import { useNamespace, waitFor } from "./support/kube.ts";
import {
  createCertificate,
  createReady,
  decoded,
  eventsFor,
  getCertificate,
  getSecret,
  heldCertificateId,
  loggedAction,
  setAnnotations,
  useOperator,
  waitForReady,
  waitForWarning,
} from "./support/operator.ts";
import { purchasesOf } from "./support/simulator.ts";

const ns = useNamespace("renewal");
const TOKEN = "renewal-test-token-c0ffee";
const RESYNC_MS = 2_000;
const env = useOperator({
  namespace: ns,
  simulator: {
    token: TOKEN,
    accountId: 55,
    domains: ["example.com", "auto.example"],
    issueDelayMs: 300,
    // Short-lived certificates: lifetime = validity + the simulator's one-minute backdating.
    validityMs: 40_000,
  },
  credentials: { token: TOKEN, accountId: "55" },
  // The 30-day window covers these short certificates' whole life: inside it, one look per
  // resync-length interval (auto-renewal-pickup.test.ts tests the window itself).
  flags: [`--resync-interval=${RESYNC_MS}ms`, `--auto-renewal-interval=${RESYNC_MS}ms`],
});
const { credentialsRef } = env;

async function secretSerial(secretName: string): Promise<string> {
  return new X509Certificate(decoded(await getSecret(ns.name, secretName), "tls.crt")).serialNumber;
}

function readyTransition(resource: DnsimpleCertificate): string | undefined {
  return resource.status?.conditions?.find((c) => c.type === "Ready")?.lastTransitionTime;
}

/** Waits until the resource is Ready with a certificate other than `previousId` in its Secret. */
async function waitForSwap(
  name: string,
  previousId: number | undefined,
): Promise<DnsimpleCertificate> {
  return waitFor(
    `${name} renewed`,
    async () => {
      const resource = await getCertificate(ns.name, name);
      const secret = await getSecret(ns.name, resource.spec.secretName);
      const held = heldCertificateId(secret);
      const ready = resource.status?.conditions?.find((c) => c.type === "Ready")?.status === "True";
      // Settled: the Secret holds the new certificate and the status no longer shows a renewal.
      const settled =
        resource.status?.renewalId === undefined &&
        resource.status?.renewedCertificateId === undefined;
      return ready && settled && held !== previousId && held === resource.status?.certificateId
        ? resource
        : undefined;
    },
    60_000,
  );
}

describe("renewal", () => {
  it("renews at renewalTime: one renewal order, a new serial, Ready never drops", async () => {
    await createCertificate(ns.name, "renew", {
      domain: "example.com",
      name: "renew",
      renewBefore: "28s",
      secretName: "renew-tls",
      credentialsRef,
    });
    const first = await waitForReady(ns.name, "renew", "True");
    const firstSerial = await secretSerial("renew-tls");
    const renewalTime = Date.parse(first.status?.renewalTime ?? "");
    expect(renewalTime).toBe(Date.parse(first.status?.notAfter ?? "") - 28_000);

    const renewed = await waitForSwap("renew", first.status?.certificateId);
    expect(await secretSerial("renew-tls")).not.toBe(firstSerial);
    const renewals = purchasesOf(env.simulator, "renew", "renewal");
    expect(renewals).toHaveLength(1);
    expect(renewals[0]?.oldCertificateId).toBe(first.status?.certificateId);
    expect(renewals[0]?.certificateId).toBe(renewed.status?.certificateId);
    // Not a moment before its time.
    expect(Date.parse(renewals[0]?.time ?? "")).toBeGreaterThanOrEqual(renewalTime);
    expect(purchasesOf(env.simulator, "renew", "certificate")).toHaveLength(1);
    expect(readyTransition(renewed)).toBe(readyTransition(first));
    expect(renewed.status?.renewalId).toBeUndefined();
    expect(renewed.status?.renewedCertificateId).toBeUndefined();
    const reasons = (await eventsFor(ns.name, "renew")).map((e) => e.reason);
    expect(reasons).toEqual(expect.arrayContaining(["RenewalOrdered", "Issued", "SecretWritten"]));
  });

  it("retries a failed renewal with backoff, keeping the old certificate meanwhile", async () => {
    await createCertificate(ns.name, "retry", {
      domain: "example.com",
      name: "retry",
      renewBefore: "28s",
      secretName: "retry-tls",
      credentialsRef,
    });
    const first = await waitForReady(ns.name, "retry", "True");
    env.simulator.addIssuanceOutcome({ outcome: "failed", name: "retry", count: 1 });

    await waitForWarning(ns.name, "retry", "RenewalFailed", 60_000);
    const failing = await getCertificate(ns.name, "retry");
    expect(failing.status?.certificateId).toBe(first.status?.certificateId);
    expect(failing.status?.conditions?.find((c) => c.type === "Issuing")).toMatchObject({
      status: "False",
      reason: "RenewalFailed",
    });
    expect(failing.status?.conditions?.find((c) => c.type === "Ready")?.status).toBe("True");
    expect(heldCertificateId(await getSecret(ns.name, "retry-tls"))).toBe(
      first.status?.certificateId,
    );

    const renewed = await waitForSwap("retry", first.status?.certificateId);
    expect(purchasesOf(env.simulator, "retry", "renewal")).toHaveLength(2);
    expect(renewed.status?.failedAttempts).toBeUndefined();
  });

  it("picks up DNSimple's auto-renewals without ordering, one list call per domain per interval", async () => {
    env.simulator.updateSettings({ validityMs: 30_000 });
    try {
      for (const name of ["auto1", "auto2"]) {
        await createCertificate(ns.name, name, {
          domain: "auto.example",
          name,
          autoRenew: true,
          secretName: `${name}-tls`,
          credentialsRef,
        });
      }
      const first = await Promise.all(
        ["auto1", "auto2"].map((n) => waitForReady(ns.name, n, "True")),
      );
      const watchedFrom = Date.now();
      const listsBefore = listCalls("auto.example");
      const renewed = await Promise.all(
        ["auto1", "auto2"].map((n, i) => waitForSwap(n, first[i]?.status?.certificateId)),
      );
      const elapsed = Date.now() - watchedFrom;
      for (const [i, name] of ["auto1", "auto2"].entries()) {
        expect(purchasesOf(env.simulator, name, "renewal")).toHaveLength(0);
        expect(purchasesOf(env.simulator, name, "certificate")).toHaveLength(1);
        const auto = purchasesOf(env.simulator, name, "auto_renewal");
        expect(auto.map((p) => p.certificateId)).toContain(renewed[i]?.status?.certificateId);
      }
      // Both resources share each listing: at most one call per interval (plus one at the
      // edges of the watched time).
      const lists = listCalls("auto.example") - listsBefore;
      expect(lists).toBeGreaterThan(0);
      expect(lists).toBeLessThanOrEqual(Math.ceil(elapsed / RESYNC_MS) + 2);
      const reasons = (await eventsFor(ns.name, "auto1")).map((e) => e.reason);
      expect(reasons).toContain("AutoRenewalFound");
      expect(reasons).not.toContain("RenewalOrdered");
    } finally {
      env.simulator.updateSettings({ validityMs: 40_000 });
    }
  });

  it("renews on request (renew-at annotation), once per value", async () => {
    env.simulator.updateSettings({ validityMs: 90 * 86_400_000 });
    try {
      const first = await createReady(ns.name, "manual", { credentialsRef });
      const firstSerial = await secretSerial("manual-tls");
      const requestedAt = new Date().toISOString();
      await annotate("manual", requestedAt);
      const renewed = await waitForSwap("manual", first.status?.certificateId);
      expect(await secretSerial("manual-tls")).not.toBe(firstSerial);
      expect(renewed.status?.renewRequestHandled).toBe(requestedAt);
      expect(purchasesOf(env.simulator, "manual", "renewal")).toHaveLength(1);

      // The same value again changes nothing; the operator sees the update and lets it be.
      const seen = env.operator.logs.length;
      await annotate("manual", requestedAt, { touch: "1" });
      await waitFor("the operator to look at the touched resource", async () =>
        loggedAction(env.operator, ns.name, "manual", "ready", seen) ? true : undefined,
      );
      expect(purchasesOf(env.simulator, "manual", "renewal")).toHaveLength(1);
    } finally {
      env.simulator.updateSettings({ validityMs: 40_000 });
    }
  });
});

function listCalls(domain: string): number {
  return env.simulator
    .calls()
    .filter((c) => c.method === "GET" && c.path === `/v2/55/domains/${domain}/certificates`).length;
}

async function annotate(
  name: string,
  renewAt: string,
  extra: Record<string, string> = {},
): Promise<void> {
  await setAnnotations(ns.name, name, { [RENEW_AT_ANNOTATION]: renewAt, ...extra });
}
