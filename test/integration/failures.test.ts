// Every failure becomes Ready=False with an actionable reason and a Warning Event, writes no
// Secret from bad data, and never buys a certificate twice. At the end, no token and no private
// key appears in any log line, Event or status of the run.
import { generateKeyPairSync } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import type { DnsimpleCertificate } from "../../src/api/v1alpha1.ts";
import { core, useNamespace, waitFor } from "./support/kube.ts";
import {
  createCertificate,
  createCredentials,
  createReady,
  decoded,
  eventsFor,
  getCertificate,
  getSecret,
  loggedAction,
  setAnnotations,
  useOperator,
  waitForReady,
  waitForWarning,
} from "./support/operator.ts";
import { purchasesOf } from "./support/simulator.ts";

const ns = useNamespace("failures");
const TOKEN = "failures-test-token-9d1e77";
const WRONG_TOKEN = "wrong-token-0000ffff";
const env = useOperator({
  namespace: ns,
  simulator: { token: TOKEN, accountId: 777, domains: ["example.com"], issueDelayMs: 300 },
  credentials: { token: TOKEN, accountId: "777" },
});
const { credentialsRef } = env;
const privateKeys: string[] = [];

// A second credentials Secret, whose token DNSimple refuses.
beforeAll(async () => {
  await createCredentials(ns.name, "wrong", { token: WRONG_TOKEN });
});

function readyMessage(resource: DnsimpleCertificate): string {
  return resource.status?.conditions?.find((c) => c.type === "Ready")?.message ?? "";
}

describe("failures", () => {
  it("a missing credentials Secret: CredentialsNotFound, then recovers once it exists", async () => {
    await createCertificate(ns.name, "nocreds", {
      domain: "example.com",
      name: "nocreds",
      secretName: "nocreds-tls",
      credentialsRef: { name: "not-there" },
    });
    const failed = await waitForReady(ns.name, "nocreds", "False", "CredentialsNotFound");
    expect(readyMessage(failed)).toContain(`Secret ${ns.name}/not-there`);
    await waitForWarning(ns.name, "nocreds", "CredentialsNotFound");
    expect(env.simulator.purchases()).toHaveLength(0);
    // Credentials Secrets are not watched (only the operator's own are); the backoff retry finds it.
    await createCredentials(ns.name, "not-there", { token: TOKEN });
    await waitForReady(ns.name, "nocreds", "True", undefined, 30_000);
  });

  it("a bad token: Unauthorized, no retry storm", async () => {
    await createCertificate(ns.name, "badtoken", {
      domain: "example.com",
      name: "badtoken",
      secretName: "badtoken-tls",
      credentialsRef: { name: "wrong" },
    });
    const failed = await waitForReady(ns.name, "badtoken", "False", "Unauthorized");
    expect(readyMessage(failed)).toContain(`Secret ${ns.name}/wrong`);
    // Permanent: the next attempt is a long backoff away (or a change of the resource).
    expect(readyMessage(failed)).toContain("retrying in 15m or when the resource changes");
    expect(failed.status?.failedAttempts).toBe(1);
    await waitForWarning(ns.name, "badtoken", "Unauthorized");

    // Another look at the resource (here: a new annotation) does not call DNSimple again.
    const calls = env.simulator.calls().length;
    const seen = env.operator.logs.length;
    await setAnnotations(ns.name, "badtoken", { touched: "yes" });
    await waitFor("the operator to back off", async () =>
      loggedAction(env.operator, ns.name, "badtoken", "backoff", seen) ? true : undefined,
    );
    expect(env.simulator.calls().length).toBe(calls);
    expect((await getCertificate(ns.name, "badtoken")).status?.failedAttempts).toBe(1);
  });

  it("an unknown domain: DomainNotFound", async () => {
    await createCertificate(ns.name, "nodomain", {
      domain: "not-in-account.com",
      secretName: "nodomain-tls",
      credentialsRef,
    });
    const failed = await waitForReady(ns.name, "nodomain", "False", "DomainNotFound");
    expect(readyMessage(failed)).toContain("not-in-account.com");
    await waitForWarning(ns.name, "nodomain", "DomainNotFound");
  });

  it("a custom name on a personal plan: NotAllowed (412)", async () => {
    env.simulator.updateSettings({ plan: "personal" });
    try {
      await createCertificate(ns.name, "personal", {
        domain: "example.com",
        name: "api",
        secretName: "personal-tls",
        credentialsRef,
      });
      const failed = await waitForReady(ns.name, "personal", "False", "NotAllowed");
      expect(readyMessage(failed)).toContain("Professional");
    } finally {
      env.simulator.updateSettings({ plan: "professional" });
    }
  });

  it("input DNSimple refuses: Rejected (400)", async () => {
    // The CRD cannot check names under a numeric domain id; DNSimple can.
    await createCertificate(ns.name, "rejected", {
      domain: "1",
      name: "www",
      alternateNames: ["docs.elsewhere.net"],
      secretName: "rejected-tls",
      credentialsRef,
    });
    await waitForReady(ns.name, "rejected", "False", "Rejected");
    await waitForWarning(ns.name, "rejected", "Rejected");
  });

  it("an issuance that ends failed: IssuanceFailed, no second order", async () => {
    env.simulator.addIssuanceOutcome({ outcome: "failed", name: "doomed" });
    await createCertificate(ns.name, "doomed", {
      domain: "example.com",
      name: "doomed",
      secretName: "doomed-tls",
      credentialsRef,
    });
    const failed = await waitForReady(ns.name, "doomed", "False", "IssuanceFailed");
    expect(failed.status?.state).toBe("failed");
    expect(purchasesOf(env.simulator, "doomed")).toHaveLength(1);
    expect(await getSecret(ns.name, "doomed-tls")).toBeUndefined();
  });

  it("428 while the key cannot be downloaded yet: retried until it can", async () => {
    env.simulator.addOneShotFault({
      method: "GET",
      path: "/v2/777/domains/example.com/certificates/*/private_key",
      action: "status",
      status: 428,
      body: { message: "Certificate is not ready" },
    });
    const ready = await createReady(ns.name, "notready", { credentialsRef });
    await waitForWarning(ns.name, "notready", "PrivateKeyUnavailable");
    privateKeys.push(decoded(await getSecret(ns.name, "notready-tls"), "tls.key"));
    // The certificate downloaded before the 428 was kept: downloaded once, the key asked twice.
    const callsFor = (tail: string) =>
      env.simulator
        .calls()
        .filter((c) => c.path.endsWith(`/certificates/${ready.status?.certificateId}/${tail}`));
    expect(callsFor("download")).toHaveLength(1);
    expect(callsFor("private_key")).toHaveLength(2);
  });

  it("a private key that does not match: InvalidCertificateData, nothing written", async () => {
    const stranger = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
    env.simulator.addOneShotFault({
      method: "GET",
      path: "/v2/777/domains/example.com/certificates/*/private_key",
      action: "status",
      status: 200,
      body: { data: { private_key: stranger.export({ type: "sec1", format: "pem" }) } },
      times: 100,
    });
    try {
      await createCertificate(ns.name, "mismatch", {
        domain: "example.com",
        name: "mismatch",
        secretName: "mismatch-tls",
        credentialsRef,
      });
      const failed = await waitForReady(ns.name, "mismatch", "False", "InvalidCertificateData");
      expect(readyMessage(failed)).toMatch(/key/i);
      expect(await getSecret(ns.name, "mismatch-tls")).toBeUndefined();
      await waitForWarning(ns.name, "mismatch", "InvalidCertificateData");
    } finally {
      env.simulator.clearFaults();
    }
  });

  it("an order whose answer is lost: found again, exactly one purchase", async () => {
    env.simulator.addOneShotFault({
      method: "POST",
      path: "/v2/777/domains/example.com/certificates/letsencrypt",
      action: "process-then-drop",
    });
    const before = env.simulator.purchases().length;
    const ready = await createReady(ns.name, "lost", { credentialsRef });
    expect(env.simulator.purchases()).toHaveLength(before + 1);
    expect(env.simulator.purchases().at(-1)?.certificateId).toBe(ready.status?.certificateId);
    expect(ready.status?.pendingOrder).toBeUndefined();
    const reasons = (await eventsFor(ns.name, "lost")).map((e) => e.reason);
    expect(reasons).toContain("OrderRecovered");
    privateKeys.push(decoded(await getSecret(ns.name, "lost-tls"), "tls.key"));
  });

  it("a second resource for the same Secret: DuplicateSecretName, the first keeps it", async () => {
    await createCertificate(ns.name, "dup-a", {
      domain: "example.com",
      name: "dupa",
      secretName: "shared-tls",
      credentialsRef,
    });
    await waitForReady(ns.name, "dup-a", "True");
    const before = env.simulator.purchases().length;
    await createCertificate(ns.name, "dup-b", {
      domain: "example.com",
      name: "dupb",
      secretName: "shared-tls",
      credentialsRef,
    });
    const loser = await waitForReady(ns.name, "dup-b", "False", "DuplicateSecretName");
    expect(readyMessage(loser)).toContain("dup-a");
    expect(env.simulator.purchases().length).toBe(before);
    expect(
      (await getSecret(ns.name, "shared-tls"))?.metadata?.annotations?.[
        "dnsimple-cert-operator.dev/certificate-name"
      ],
    ).toBe("dup-a");
  });

  it("never shows a token or a private key in logs, Events or status", async () => {
    const events = await core().listNamespacedEvent({ namespace: ns.name });
    const statuses = await Promise.all(
      [
        "nocreds",
        "badtoken",
        "nodomain",
        "personal",
        "rejected",
        "doomed",
        "notready",
        "mismatch",
        "lost",
      ].map((n) => getCertificate(ns.name, n)),
    );
    const everything = [
      ...env.operator.logs,
      ...events.items.map((e) => `${e.reason} ${e.message}`),
      ...statuses.map((s) => JSON.stringify(s.status)),
    ].join("\n");
    expect(env.operator.logs.length).toBeGreaterThan(20);
    expect(events.items.length).toBeGreaterThan(10);
    for (const secret of [TOKEN, WRONG_TOKEN]) expect(everything).not.toContain(secret);
    expect(everything).not.toContain("PRIVATE KEY");
    for (const key of privateKeys) {
      const body = key.split("\n").slice(1, -2).join("");
      expect(body.length).toBeGreaterThan(40);
      expect(everything.replaceAll("\n", "")).not.toContain(body.slice(0, 40));
    }
  });
});
