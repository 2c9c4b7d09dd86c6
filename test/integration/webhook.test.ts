// The DNSimple webhook trigger: with polling set to an hour, only the simulator's
// certificate.issue event can bring the resource to Ready; a forged event changes nothing (the
// operator looks through the API); wrong tokens, malformed and unknown events are refused or
// ignored.
import { beforeAll, describe, expect, it } from "vitest";
import { useNamespace, waitFor } from "./support/kube.ts";
import {
  createCertificate,
  getCertificate,
  useOperator,
  waitForReady,
} from "./support/operator.ts";

const ns = useNamespace("webhook");
const TOKEN = "webhook-test-token-a1";
const HOOK = "hook-secret-0123456789abcdef";
const env = useOperator({
  namespace: ns,
  simulator: { token: TOKEN, accountId: 99, domains: ["example.com"], issueDelayMs: 500 },
  flags: [
    `--dnsimple-token=${TOKEN}`,
    "--poll-interval=1h",
    "--webhook-addr=127.0.0.1:0",
    `--webhook-token=${HOOK}`,
    // Auto-renewals only on DNSimple's events: no list call without one.
    "--auto-renewal-polling=false",
    "--auto-renewal-window=720h",
  ],
});
let hookUrl: string;

// The simulator sends its events to the operator's webhook receiver.
beforeAll(() => {
  hookUrl = `http://127.0.0.1:${env.operator.webhookPort}/webhook/${HOOK}`;
  env.simulator.updateSettings({ webhookUrl: hookUrl });
});

/** The times of the list calls for example.com's certificates (the auto-renewal looks). */
function listCallTimes(): number[] {
  return env.simulator
    .calls()
    .filter((c) => c.method === "GET" && c.path === "/v2/99/domains/example.com/certificates")
    .map((c) => Date.parse(c.time));
}

const post = (url: string, body: string) =>
  fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });

describe("the webhook trigger", () => {
  it("brings a certificate to Ready on certificate.issue, long before the next poll", async () => {
    await createCertificate(ns.name, "www", { domain: "example.com", secretName: "www-tls" });
    // The first poll after issuing would be an hour away: only the event can make it Ready.
    const ready = await waitForReady(ns.name, "www", "True", undefined, 30_000);
    expect(
      env.simulator
        .webhookDeliveries()
        .some((d) => d.name === "certificate.issue" && d.status === 202),
    ).toBe(true);
    const polls = env.simulator
      .calls()
      .filter(
        (c) =>
          c.method === "GET" && c.path.endsWith(`/certificates/${ready.status?.certificateId}`),
      );
    // One look after the event (and none from the hour-long poll).
    expect(polls).toHaveLength(1);
  });

  it("never trusts the payload: a forged event only makes the operator look", async () => {
    env.simulator.updateSettings({ issueDelayMs: 60_000, webhookUrl: null });
    try {
      await createCertificate(ns.name, "slow", {
        domain: "example.com",
        name: "slow",
        secretName: "slow-tls",
      });
      const issuing = await waitForReady(ns.name, "slow", "False", "Issuing");
      const id = issuing.status?.certificateId;
      const looks = () =>
        env.simulator.calls().filter((c) => c.path.endsWith(`/certificates/${id}`)).length;
      const before = looks();
      const forged = await post(
        hookUrl,
        JSON.stringify({
          name: "certificate.issue",
          data: { certificate: { id, state: "issued" } },
        }),
      );
      expect(forged.status).toBe(202);
      expect(await forged.text()).toContain("1 resource");
      await waitFor("the operator to look again", async () =>
        looks() > before ? true : undefined,
      );
      const after = await getCertificate(ns.name, "slow");
      expect(after.status?.state).toBe("requesting");
      expect(after.status?.conditions?.find((c) => c.type === "Ready")?.reason).toBe("Issuing");
    } finally {
      env.simulator.updateSettings({ issueDelayMs: 500, webhookUrl: hookUrl });
    }
  });

  it("picks up an auto-renewal on its certificate.issue event, with polling off: no list call before it", async () => {
    // Short-lived: the simulator auto-renews 30 s after issuing (a third of 90 s left).
    env.simulator.updateSettings({ validityMs: 30_000 });
    try {
      await createCertificate(ns.name, "auto", {
        domain: "example.com",
        name: "auto",
        autoRenew: true,
        secretName: "auto-tls",
      });
      const first = await waitForReady(ns.name, "auto", "True", undefined, 30_000);
      const renewed = await waitFor(
        "the auto-renewal picked up",
        async () => {
          const r = await getCertificate(ns.name, "auto");
          return r.status?.certificateId !== first.status?.certificateId &&
            r.status?.conditions?.find((c) => c.type === "Ready")?.status === "True" &&
            r.status?.renewalId === undefined
            ? r
            : undefined;
        },
        60_000,
      );
      const issued = env.simulator
        .webhookDeliveries()
        .find(
          (d) =>
            d.name === "certificate.issue" && d.certificateId === renewed.status?.certificateId,
        );
      expect(issued?.status).toBe(202);
      const lists = listCallTimes();
      // Polling off: every look came after the renewal's event, and one was enough.
      expect(lists.length).toBeGreaterThan(0);
      expect(lists.length).toBeLessThanOrEqual(2);
      expect(Math.min(...lists)).toBeGreaterThanOrEqual(Date.parse(issued?.time ?? "") - 250);
    } finally {
      env.simulator.updateSettings({ validityMs: 90 * 86_400_000 });
    }
  });

  it("drops a redelivered event (the same request_identifier) without a second look", async () => {
    const event = JSON.stringify({
      name: "certificate.issue",
      request_identifier: "redelivered-0001",
      data: { certificate: { id: 424242, common_name: "auto.example.com" } },
    });
    const listsBefore = listCallTimes().length;
    const firstDelivery = await post(hookUrl, event);
    expect(firstDelivery.status).toBe(202);
    expect(await firstDelivery.text()).toContain("1 resource");
    await waitFor("the hinted look", () =>
      listCallTimes().length > listsBefore ? true : undefined,
    );
    const looked = listCallTimes().length;
    const again = await post(hookUrl, event);
    expect(again.status).toBe(200);
    expect(await again.text()).toBe("duplicate");
    // Dropped before anything is enqueued or hinted: counted as a duplicate, no look.
    const metrics = await (
      await fetch(`http://127.0.0.1:${env.operator.metricsPort}/metrics`)
    ).text();
    expect(metrics).toMatch(
      /dnsimple_cert_operator_webhook_events_total\{event="certificate.issue",outcome="duplicate"\} 1/,
    );
    expect(listCallTimes().length).toBe(looked);
  });

  it("refuses a wrong token, and answers malformed and unknown events without acting", async () => {
    const base = `http://127.0.0.1:${env.operator.webhookPort}`;
    const calls = env.simulator.calls().length;
    expect((await post(`${base}/webhook/wrong-token-0000000000`, "{}")).status).toBe(404);
    expect((await post(`${base}/other`, "{}")).status).toBe(404);
    expect((await fetch(hookUrl)).status).toBe(405);
    expect((await post(hookUrl, "not json")).status).toBe(400);
    expect((await post(hookUrl, JSON.stringify({ data: {} }))).status).toBe(400);
    expect(
      (await post(hookUrl, JSON.stringify({ name: "certificate.issue", data: {} }))).status,
    ).toBe(400);
    const unknown = await post(
      hookUrl,
      JSON.stringify({ name: "domain.create", data: { domain: { id: 1 } } }),
    );
    expect(unknown.status).toBe(200);
    const stranger = await post(
      hookUrl,
      JSON.stringify({ name: "certificate.issue", data: { certificate: { id: 999999 } } }),
    );
    expect(await stranger.text()).toContain("0 resource");
    expect(env.simulator.calls().length).toBe(calls);
    const metrics = await (
      await fetch(`http://127.0.0.1:${env.operator.metricsPort}/metrics`)
    ).text();
    expect(metrics).toMatch(
      /dnsimple_cert_operator_webhook_events_total\{event="",outcome="unauthorized"\} 2/,
    );
    expect(metrics).toMatch(
      /dnsimple_cert_operator_webhook_events_total\{event="",outcome="malformed"\} 3/,
    );
  });
});
