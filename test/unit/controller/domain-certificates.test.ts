// The shared, paged list behind auto-renewal pickup, against the simulator: it reads newest
// expiry first, only as many pages as an asker needs, shares calls, and forgets failures.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DomainCertificates } from "../../../src/controller/domain-certificates.ts";
import type { Simulator } from "../../../src/simulator/simulator.ts";
import {
  ACCOUNT_ID,
  callsTo,
  certificatesPath,
  DOMAIN,
  rejectionOf,
  startTestSimulator,
  testClient,
  waitFor,
} from "../dnsimple/helpers.ts";

const DAY = 86_400_000;
// More than two pages of 100: certificate i (1-based) is valid for i days.
const COUNT = 230;

let simulator: Simulator;
const expiryOf = new Map<number, Date>(); // validity in days -> expiry

beforeAll(async () => {
  simulator = await startTestSimulator({ issueDelayMs: 0 });
  const client = testClient(simulator.url);
  for (let days = 1; days <= COUNT; days++) {
    simulator.updateSettings({ validityMs: days * DAY });
    const purchase = await client.orderLetsencrypt(ACCOUNT_ID, DOMAIN, { name: `n${days}` });
    await client.issueLetsencrypt(ACCOUNT_ID, DOMAIN, purchase.certificate_id);
    // Issued (and its validity fixed) before the next one changes the setting.
    await waitFor(`n${days} issued`, async () =>
      simulator
        .certificates()
        .find((c) => c.id === purchase.certificate_id && c.state === "issued"),
    );
  }
  const issued = simulator.certificates();
  for (const c of issued) expiryOf.set(Number(c.name.slice(1)), new Date(c.notAfter ?? ""));
}, 60_000);

afterAll(() => simulator.close());

function listCalls(): number {
  return callsTo(simulator, "GET", certificatesPath()).length;
}

function names(list: { common_name: string }[]): string[] {
  return list.map((c) => c.common_name.split(".")[0] ?? "");
}

describe("DomainCertificates", () => {
  it("without a bound, reads every page, newest expiry first", async () => {
    simulator.resetCalls();
    const list = await new DomainCertificates(60_000).list(
      testClient(simulator.url),
      ACCOUNT_ID,
      DOMAIN,
    );
    expect(list).toHaveLength(COUNT);
    expect(names(list).slice(0, 3)).toEqual(["n230", "n229", "n228"]);
    expect(names(list).at(-1)).toBe("n1");
    expect(listCalls()).toBe(3);
    expect(simulator.calls().map((c) => c.pathWithQuery)).toEqual([
      expect.stringContaining("page=1"),
      expect.stringContaining("page=2"),
      expect.stringContaining("page=3"),
    ]);
  });

  it("reads only down to the asker's own expiry, and later askers continue where it stopped", async () => {
    simulator.resetCalls();
    const shared = new DomainCertificates(60_000);
    const client = testClient(simulator.url);

    // Page 1 holds validities 230..131: enough for a certificate valid 200 days.
    const first = await shared.list(client, ACCOUNT_ID, DOMAIN, expiryOf.get(200));
    expect(listCalls()).toBe(1);
    expect(names(first)).toContain("n201");

    // A certificate valid 50 days needs page 2 (130..31) too; page 1 is not read again.
    const second = await shared.list(client, ACCOUNT_ID, DOMAIN, expiryOf.get(50));
    expect(listCalls()).toBe(2);
    expect(names(second)).toContain("n51");
    expect(names(second)).not.toContain("n30");

    // Asking again within the TTL costs nothing.
    await shared.list(client, ACCOUNT_ID, DOMAIN, expiryOf.get(120));
    expect(listCalls()).toBe(2);
  });

  it("shares the calls of concurrent askers", async () => {
    simulator.resetCalls();
    const shared = new DomainCertificates(60_000);
    const client = testClient(simulator.url);
    const lists = await Promise.all(
      [10, 100, 200, undefined, 5].map((days) =>
        shared.list(
          client,
          ACCOUNT_ID,
          DOMAIN,
          days === undefined ? undefined : expiryOf.get(days),
        ),
      ),
    );
    expect(listCalls()).toBe(3);
    for (const list of lists) expect(list).toHaveLength(COUNT);
  });

  it("reads again after the TTL", async () => {
    simulator.resetCalls();
    let now = 0;
    const shared = new DomainCertificates(1_000, () => now);
    const client = testClient(simulator.url);
    await shared.list(client, ACCOUNT_ID, DOMAIN, expiryOf.get(200));
    now = 999;
    await shared.list(client, ACCOUNT_ID, DOMAIN, expiryOf.get(200));
    expect(listCalls()).toBe(1);
    now = 1_000;
    await shared.list(client, ACCOUNT_ID, DOMAIN, expiryOf.get(200));
    expect(listCalls()).toBe(2);
  });

  it("does not keep a failed read: the next asker starts again", async () => {
    const shared = new DomainCertificates(60_000);
    const client = testClient(simulator.url, {
      retry: { retries: 0, minTimeoutMs: 1, maxTimeoutMs: 1 },
    });
    await shared.list(client, ACCOUNT_ID, DOMAIN, expiryOf.get(200));
    simulator.addOneShotFault({
      method: "GET",
      path: certificatesPath(),
      action: "status",
      status: 500,
    });
    simulator.resetCalls();
    const err = await rejectionOf(shared.list(client, ACCOUNT_ID, DOMAIN, expiryOf.get(50)));
    expect(err).toBeInstanceOf(Error);
    const list = await shared.list(client, ACCOUNT_ID, DOMAIN, expiryOf.get(50));
    expect(names(list)).toContain("n51");
    // page 2 (failed), then pages 1 and 2 again
    expect(simulator.calls().map((c) => /page=(\d+)/.exec(c.pathWithQuery)?.[1])).toEqual([
      "2",
      "1",
      "2",
    ]);
  });
});
