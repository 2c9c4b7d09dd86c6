// The auto-renewal pickup on the real control plane and the simulator, with time compressed:
// no list call at all while the certificate is outside DNSimple's renewal window, then at most
// one per interval for the domain inside it, until DNSimple's renewal is taken, never ordered.
// An operator that was away while its certificate expired takes DNSimple's renewal as soon as
// it is back. (The rule itself is table-tested in test/unit/controller/auto-renewal-pickup.test.ts;
// the webhook-driven pickup with polling off is in webhook.test.ts.)
import { describe, expect, it } from "vitest";
import type { DnsimpleCertificate } from "../../src/api/v1alpha1.ts";
import { useNamespace, waitFor } from "./support/kube.ts";
import {
  createCertificate,
  eventsFor,
  getCertificate,
  getSecret,
  heldCertificateId,
  useOperator,
  waitForReady,
} from "./support/operator.ts";
import { purchasesOf } from "./support/simulator.ts";

const ns = useNamespace("pickup");
const TOKEN = "pickup-test-token-4e2a";
const ACCOUNT = 6161;
const DOMAIN = "pickup.example";
// The simulator backdates by a minute: lifetime 120 s; it auto-renews when a third is left
// (40 s before expiry). The operator's window (45 s) opens 5 s before that.
const VALIDITY_MS = 60_000;
const WINDOW_MS = 45_000;
const INTERVAL_MS = 3_000;
/** The interval of the operator started next (the away test restarts with an hour). */
let interval = `${INTERVAL_MS}ms`;
const env = useOperator({
  namespace: ns,
  simulator: {
    token: TOKEN,
    accountId: ACCOUNT,
    domains: [DOMAIN],
    issueDelayMs: 100,
    validityMs: VALIDITY_MS,
  },
  credentials: { token: TOKEN, accountId: String(ACCOUNT) },
  // Resyncs every second: each one is a pass that must decide not to call.
  flags: () => [
    "--resync-interval=1s",
    `--auto-renewal-window=${WINDOW_MS}ms`,
    `--auto-renewal-interval=${interval}`,
  ],
});

/** The times of the list calls for the domain's certificates. */
function listCallTimes(): number[] {
  return env.simulator
    .calls()
    .filter((c) => c.method === "GET" && c.path === `/v2/${ACCOUNT}/domains/${DOMAIN}/certificates`)
    .map((c) => Date.parse(c.time));
}

describe("auto-renewal pickup", () => {
  it("makes no call before DNSimple's window, one list per interval inside it, and takes the renewal", async () => {
    const names = ["a", "b"];
    for (const name of names) {
      await createCertificate(ns.name, name, {
        domain: DOMAIN,
        name,
        autoRenew: true,
        secretName: `${name}-tls`,
        credentialsRef: env.credentialsRef,
      });
    }
    const first = await Promise.all(names.map((n) => waitForReady(ns.name, n, "True")));
    const notAfter = Math.min(...first.map((r) => Date.parse(r.status?.notAfter ?? "")));
    const opensAt = notAfter - WINDOW_MS;
    const renewed = await Promise.all(
      names.map((n, i) =>
        waitFor(
          `${n} picks up DNSimple's renewal`,
          async (): Promise<DnsimpleCertificate | undefined> => {
            const r = await getCertificate(ns.name, n);
            const held = heldCertificateId(await getSecret(ns.name, `${n}-tls`));
            return held !== first[i]?.status?.certificateId && held === r.status?.certificateId
              ? r
              : undefined;
          },
          90_000,
        ),
      ),
    );
    const pickedUpAt = Date.now();
    const lists = listCallTimes();
    // Not one list call before the window opened (the clocks are this process's: one machine).
    expect(lists.filter((t) => t < opensAt - 250)).toEqual([]);
    expect(lists.length).toBeGreaterThan(0);
    // Inside it, the two resources share each list: one per interval, plus one at each edge.
    const inside = Math.max(0, pickedUpAt - opensAt);
    expect(lists.length).toBeLessThanOrEqual(Math.ceil(inside / INTERVAL_MS) + 2);
    for (const [i, name] of names.entries()) {
      expect(purchasesOf(env.simulator, name, "renewal")).toHaveLength(0);
      const auto = purchasesOf(env.simulator, name, "auto_renewal");
      expect(auto.map((p) => p.certificateId)).toContain(renewed[i]?.status?.certificateId);
      expect((await eventsFor(ns.name, name)).map((e) => e.reason)).toContain("AutoRenewalFound");
    }
    expect(notAfter).toBeGreaterThan(pickedUpAt);
  });

  it("takes DNSimple's renewal of a certificate that expired while the operator was away", async () => {
    // A 15-second certificate that DNSimple renews 10 s in, with a 60-second one: the operator
    // is stopped in the first 10 s (it looks every 3 s, and would take the renewal at once).
    env.simulator.updateSettings({ validityMs: 15_000 });
    await createCertificate(ns.name, "away", {
      domain: DOMAIN,
      name: "away",
      autoRenew: true,
      secretName: "away-tls",
      credentialsRef: env.credentialsRef,
    });
    const expiring = await waitFor("away's short certificate in its Secret", async () => {
      const r = await getCertificate(ns.name, "away");
      const held = heldCertificateId(await getSecret(ns.name, "away-tls"));
      return held !== undefined && held === r.status?.certificateId ? r : undefined;
    });
    env.simulator.updateSettings({ validityMs: VALIDITY_MS });
    await env.stopOperator();
    const expired = expiring.status?.certificateId ?? 0;
    // The operator stopped before it could take the renewal (else this test tries nothing).
    expect(heldCertificateId(await getSecret(ns.name, "away-tls"))).toBe(expired);
    // From DNSimple's record: status may not carry notAfter yet (written after the Secret).
    const record = env.simulator.certificates().find((c) => c.id === expired);
    const notAfter = Date.parse(record?.notAfter ?? "");
    expect(notAfter).toBeGreaterThan(0);
    const renewal = await waitFor("the certificate expired, and DNSimple renewed it", () => {
      const issued = env.simulator
        .certificates()
        .find(
          (c) =>
            c.origin.kind === "auto_renewal" &&
            c.origin.oldCertificateId === expired &&
            c.state === "issued",
        );
      return Date.now() > notAfter && issued ? issued : undefined;
    });
    env.simulator.resetCalls();
    // An hour between looks: an expired certificate must look at once after the restart,
    // not an interval after it.
    interval = "1h";
    await env.startOperator();

    // Its status names the renewal before the Secret is written: Ready=True is the end.
    const renewed = await waitFor("away takes DNSimple's renewal, Ready again", async () => {
      const r = await getCertificate(ns.name, "away");
      return readyOf(r)?.status === "True" && r.status?.certificateId === renewal.id
        ? r
        : undefined;
    });
    expect(renewed.status?.notAfter).toBe(renewal.notAfter);
    expect(heldCertificateId(await getSecret(ns.name, "away-tls"))).toBe(renewal.id);
    // The expired certificate was not downloaded again, and nothing was ordered for it.
    const paths = env.simulator.calls().map((c) => c.path);
    expect(paths.filter((p) => p.includes(`/certificates/${expired}/`))).toEqual([]);
    expect(purchasesOf(env.simulator, "away", "renewal")).toHaveLength(0);
    expect(purchasesOf(env.simulator, "away", "certificate")).toHaveLength(1);
  });
});

function readyOf(resource: DnsimpleCertificate) {
  return resource.status?.conditions?.find((c) => c.type === "Ready");
}
