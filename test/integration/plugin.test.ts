import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NetworkingV1Api } from "@kubernetes/client-node";
import { describe, expect, inject, it } from "vitest";
import { type DnsimpleCertificate, GROUP, RENEW_AT_ANNOTATION } from "../../src/api/v1alpha1.ts";
import type { CheckReport } from "../../src/plugin/check-report.ts";
import type { RenewReport } from "../../src/plugin/renew.ts";
import type { SecretReport } from "../../src/plugin/secret-report.ts";
import type { StatusReport } from "../../src/plugin/status-report.ts";
import { adminKubeConfig, core, objects, useNamespace, waitFor } from "./support/kube.ts";
import {
  createCertificate,
  createReady,
  decoded,
  getCertificate,
  getSecret,
  loggedAction,
  testIssuerName,
  useOperator,
  waitForReady,
} from "./support/operator.ts";
import { runPlugin } from "./support/plugin.ts";
import { purchasesOf } from "./support/simulator.ts";

const ns = useNamespace("plugin");
const TOKEN = "plugin-test-token-7a1d";
const ACCOUNT = 6161;
const env = useOperator({
  namespace: ns,
  simulator: {
    token: TOKEN,
    accountId: ACCOUNT,
    domains: ["example.com", "other.org"],
    issueDelayMs: 200,
  },
  credentials: { token: TOKEN, accountId: String(ACCOUNT) },
  // The operator's own token serves the file's ClusterDnsimpleIssuer (the Ingress's resource).
  flags: [`--dnsimple-token=${TOKEN}`, `--dnsimple-account-id=${ACCOUNT}`, "--resync-interval=2s"],
});
const { credentialsRef } = env;

interface PluginRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Everything the plugin printed in this file, for the secrecy check at the end. */
const printed: string[] = [];

/** Runs the plugin as kubectl would (its arguments as typed), against the shared control plane. */
async function plugin(...args: string[]): Promise<PluginRun> {
  // The admin's kubeconfig by flag (KUBECONFIG cleared), unless the test names one.
  const own = args.some((a) => a.startsWith("--kubeconfig"));
  const run = await runPlugin(own ? args : [...args, `--kubeconfig=${inject("kubeconfig")}`], {
    KUBECONFIG: "",
  });
  printed.push(run.stdout, run.stderr);
  return run;
}

async function pluginJson<T>(...args: string[]): Promise<{ code: number; json: T }> {
  const run = await plugin(...args, "-o", "json");
  expect(run.stderr).toBe("");
  return { code: run.code, json: JSON.parse(run.stdout) as T };
}

/** The value after `Label:` on the line that starts (after indentation) with it. */
function field(text: string, label: string): string | undefined {
  const line = text.split("\n").find((l) => l.trimStart().startsWith(`${label}:`));
  return line?.slice(line.indexOf(":") + 1).trim();
}

describe("kubectl dnscert", () => {
  let ready: DnsimpleCertificate;

  it("status of a Ready resource: conditions, Events, DNSimple's side, the Secret, the renewal; exit 0", async () => {
    ready = await createReady(ns.name, "www", { credentialsRef });
    await waitFor("an Ordered Event", async () =>
      (await plugin("status", "www", "-n", ns.name)).stdout.includes("Ordered") ? true : undefined,
    );
    const status = ready.status ?? {};
    const human = await plugin("status", "www", "-n", ns.name);
    expect(human.code).toBe(0);
    expect(human.stderr).toBe("");
    const text = human.stdout;
    expect(field(text, "Ready")).toMatch(
      /^True \(Ready\) for \S+: Secret www-tls holds certificate/,
    );
    expect(text).toMatch(/^ {2}Ready +True +Ready +\S+ +Secret www-tls/m);
    expect(text).toMatch(
      /^Events:\n {2}TYPE +REASON +AGE +COUNT +MESSAGE\n(.*\n)*? {2}Normal +Ordered /m,
    );
    expect(field(text, "Certificate ID")).toBe(String(status.certificateId));
    expect(field(text, "Renewal ID")).toBe("none");
    expect(field(text, "State")).toBe("issued");
    // status.dnsimple is written by operators that know it; the plugin says so either way.
    const recorded = (status as { dnsimple?: { autoRenew?: boolean; expiresAt?: string } })
      .dnsimple;
    expect(field(text, "Auto-renew")).toBe(
      recorded?.autoRenew === undefined ? "not recorded" : String(recorded.autoRenew),
    );
    expect(field(text, "Expires")).toMatch(
      recorded?.expiresAt === undefined ? /^not recorded$/ : new RegExp(`^${recorded.expiresAt}`),
    );
    expect(text).toContain("Secret www-tls:\n");
    expect(field(text, "Serial")).toBe(status.serialNumber);
    expect(field(text, "SANs")).toBe("example.com, www.example.com");
    expect(field(text, "Key")).toBe("ECDSA, matches the server certificate");
    expect(field(text, "Check")).toMatch(/^passes the operator's checks/);
    expect(field(text, "Chain")).toBe("tls.crt 1 CN=www.example.com, signed by tls.crt 2");
    expect(text).toMatch(
      /^ +tls\.crt 2 CN=.*Intermediate CA, signed by .*Root CA, not in this Secret$/m,
    );
    expect(field(text, "Next")).toMatch(new RegExp(`^${status.renewalTime} \\(in \\d+d\\)$`));
    // The simulator backdates notBefore by a minute: a lifetime of 90d1m.
    expect(field(text, "Why")).toMatch(
      /^two thirds into the certificate's lifetime \(90d\S*\): no renewBefore is set$/,
    );
    expect(field(text, "Issuer")).toBe("none (credentialsRef: Secret dnsimple)");

    const { code, json } = await pluginJson<StatusReport>("status", "www", "-n", ns.name);
    expect(code).toBe(0);
    expect(json).toMatchObject({
      namespace: ns.name,
      name: "www",
      ready: { status: "True", reason: "Ready" },
      dnsimple: {
        certificateId: status.certificateId,
        renewalId: null,
        state: "issued",
        autoRenew: recorded?.autoRenew ?? null,
        expiresAt: recorded?.expiresAt ?? null,
      },
      secret: { name: "www-tls", found: true },
      renewal: { renewalTime: status.renewalTime, basis: "lifetime", requestedAt: null },
      credentials: { kind: "credentialsRef", name: "dnsimple" },
      issuer: null,
      source: null,
    });
    expect(json.conditions.map((c) => [c.type, c.status])).toEqual([["Ready", "True"]]);
    expect(json.events.some((e) => e.type === "Normal" && e.reason === "Ordered")).toBe(true);
    expect(json.secret.report?.certificates[0]).toMatchObject({
      serialNumber: status.serialNumber,
      notAfter: status.notAfter,
      signedBy: "tls.crt 2",
    });
    expect(json.secret.report?.key.matchesCertificate).toBe(true);
  });

  it("status of a failing resource: Ready=False with its reason, exit 1", async () => {
    await createCertificate(ns.name, "broken", {
      domain: "example.com",
      name: "broken",
      secretName: "broken-tls",
      credentialsRef: { name: "no-such-secret" },
    });
    await waitForReady(ns.name, "broken", "False", "CredentialsNotFound");
    const human = await plugin("status", "broken", "-n", ns.name);
    expect(human.code).toBe(1);
    expect(field(human.stdout, "Ready")).toMatch(
      /^False \(CredentialsNotFound\) for \S+: .*no-such-secret/,
    );
    expect(human.stdout).toContain("Secret broken-tls: not found");
    expect(field(human.stdout, "Certificate ID")).toBe("none");
    expect(field(human.stdout, "Why")).toMatch(/no certificate in the Secret yet/);
    const { code, json } = await pluginJson<StatusReport>("status", "broken", "-n", ns.name);
    expect(code).toBe(1);
    expect(json.ready).toMatchObject({ status: "False", reason: "CredentialsNotFound" });
    expect(json.secret).toEqual({ name: "broken-tls", found: false, report: null });
  });

  it("a missing resource or Secret exits 3, a wrong command line 2, an unreachable cluster 4", async () => {
    for (const args of [
      ["status", "nope"],
      ["renew", "nope"],
      ["inspect", "secret", "nope"],
    ]) {
      const run = await plugin(...args, "-n", ns.name);
      expect(run.code, args.join(" ")).toBe(3);
      expect(run.stdout).toBe("");
      expect(run.stderr).toMatch(
        new RegExp(`^error: (DnsimpleCertificate|Secret) ${ns.name}/nope not found\n$`),
      );
    }
    // A cluster that does not answer: exit 4, whatever the command.
    const unreachable = join(mkdtempSync(join(tmpdir(), "plugin-kubeconfig-")), "kubeconfig");
    const kc = adminKubeConfig();
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error("the admin kubeconfig has no cluster");
    kc.clusters = kc.clusters.map((c) =>
      c.name === cluster.name ? { ...c, server: "https://127.0.0.1:1" } : c,
    );
    writeFileSync(unreachable, kc.exportConfig(), { mode: 0o600 });
    const down = await plugin("status", "www", "-n", ns.name, `--kubeconfig=${unreachable}`);
    expect(down.code).toBe(4);
    expect(down.stderr).toMatch(/^error: get DnsimpleCertificate .* failed/);
    const noContext = await plugin("check", "--context", "nowhere");
    expect(noContext.code).toBe(4);
    expect(noContext.stderr).toMatch(/^error: context "nowhere" is not in the kubeconfig/);

    const usage = await plugin("renew", "www", "-l", "app=web", "-n", ns.name);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("See 'kubectl dnscert renew --help' for usage.");
    const help = await plugin("status", "--help");
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(
      /Examples:\n[\s\S]*Options:\n[\s\S]*Exit codes:\n[\s\S]*Usage:\n {2}kubectl dnscert status NAME \[options\]/,
    );
  });

  it("inspect secret: the operator's Secret, its chain, key and owner; exit 0", async () => {
    const human = await plugin("inspect", "secret", "www-tls", "-n", ns.name);
    expect(human.code).toBe(0);
    expect(field(human.stdout, "Owner")).toBe(
      "DnsimpleCertificate www (by annotation, which names this Secret)",
    );
    expect(field(human.stdout, "Key")).toBe("ECDSA, matches the server certificate");
    expect(human.stdout).toContain("Chain (tls.crt, server certificate first; in order):");
    expect(human.stdout).toMatch(/^ {2}tls\.crt 1: CN=www\.example\.com \(server certificate\)$/m);
    expect(human.stdout).toMatch(/^ {2}tls\.crt 2: .* \(CA\)$/m);

    const { code, json } = await pluginJson<SecretReport>(
      "inspect",
      "secret",
      "www-tls",
      "-n",
      ns.name,
    );
    expect(code).toBe(0);
    expect(json.type).toBe("kubernetes.io/tls");
    expect(json.certificates.map((c) => c.signedBy)).toEqual([
      "tls.crt 2",
      json.caCertificates.length > 0 ? "ca.crt 1" : null,
    ]);
    expect(json.owner).toMatchObject({ name: "www", confirmed: true });
    expect(json.verdict.valid).toBe(true);
  });

  it("inspect secret: any TLS Secret, with another certificate's key and extra keys; exit 1", async () => {
    const www = await getSecret(ns.name, "www-tls");
    const broken = await createReady(ns.name, "other", { credentialsRef });
    const otherKey = decoded(await getSecret(ns.name, broken.spec.secretName), "tls.key");
    await core().createNamespacedSecret({
      namespace: ns.name,
      body: {
        metadata: { name: "hand-made" },
        type: "kubernetes.io/tls",
        stringData: {
          "tls.crt": decoded(www, "tls.crt"),
          "tls.key": otherKey,
          "keystore.p12": "0123456789",
        },
      },
    });
    const human = await plugin("inspect", "secret", "hand-made", "-n", ns.name);
    expect(human.code).toBe(1);
    expect(field(human.stdout, "Owner")).toBe("none (no DnsimpleCertificate names this Secret)");
    expect(field(human.stdout, "Key")).toBe("ECDSA, does NOT match the server certificate");
    expect(field(human.stdout, "Check")).toMatch(/^FAILS: KeyMismatch: /);
    expect(human.stdout).toContain("keystore.p12: 10 B (PKCS#12 keystore, password protected)");
    const { code, json } = await pluginJson<SecretReport>(
      "inspect",
      "secret",
      "hand-made",
      "-n",
      ns.name,
    );
    expect(code).toBe(1);
    expect(json.otherKeys).toEqual([
      { key: "keystore.p12", bytes: 10, description: "PKCS#12 keystore, password protected" },
    ]);
    expect(json.key.matchesCertificate).toBe(false);
  });

  it("renew NAME: the annotation at the current time, and exactly one renewal order", async () => {
    const before = await getCertificate(ns.name, "www");
    const renewalsBefore = purchasesOf(env.simulator, "www", "renewal").length;
    const run = await plugin("renew", "www", "-n", ns.name);
    expect(run.code).toBe(0);
    const line = /^Manually triggered renewal of (\S+) at (\S+)\n$/.exec(run.stdout);
    expect(line?.[1]).toBe(`${ns.name}/www`);
    const renewAt = line?.[2] ?? "";
    expect(new Date(renewAt).toISOString()).toBe(renewAt);
    expect((await getCertificate(ns.name, "www")).metadata.annotations?.[RENEW_AT_ANNOTATION]).toBe(
      renewAt,
    );
    await waitForRenewed("www", renewAt, before.status?.certificateId);
    // One more pass over the resource after the swap orders nothing more.
    const seen = env.operator.logs.length;
    await waitFor("another pass over www", async () =>
      loggedAction(env.operator, ns.name, "www", "ready", seen) ? true : undefined,
    );
    expect(purchasesOf(env.simulator, "www", "renewal")).toHaveLength(renewalsBefore + 1);
    const after = await pluginJson<StatusReport>("status", "www", "-n", ns.name);
    expect(after.json.renewal.requestedAt).toBeNull();
    expect(after.json.dnsimple.certificateId).not.toBe(before.status?.certificateId);
  });

  it("renew -l SELECTOR -o json: those the selector picks, one order each", async () => {
    await createCertificate(ns.name, "labelled", {
      domain: "example.com",
      name: "labelled",
      secretName: "labelled-tls",
      credentialsRef,
    });
    await labelCertificate("labelled", { "renew-me": "yes" });
    const first = await waitForReady(ns.name, "labelled", "True");
    const { code, json } = await pluginJson<RenewReport>(
      "renew",
      "-l",
      "renew-me=yes",
      "-n",
      ns.name,
    );
    expect(code).toBe(0);
    expect(json).toEqual({
      renewAt: json.renewAt,
      annotation: RENEW_AT_ANNOTATION,
      renewals: [{ namespace: ns.name, name: "labelled" }],
    });
    await waitForRenewed("labelled", json.renewAt, first.status?.certificateId);
    expect(purchasesOf(env.simulator, "labelled", "renewal")).toHaveLength(1);
    expect(purchasesOf(env.simulator, "www", "renewal")).toHaveLength(1);

    const none = await plugin("renew", "-l", "renew-me=nobody", "-n", ns.name);
    expect(none.code).toBe(0);
    expect(none.stdout).toBe("");
    expect(none.stderr).toBe(
      `No DnsimpleCertificates matching renew-me=nobody found in namespace ${ns.name}: nothing renewed\n`,
    );
  });

  it("status of a generated resource: its Ingress, that Ingress's BadConfig warnings, the issuer's Ready", async () => {
    const issuer = testIssuerName(ns.name);
    await adminKubeConfig()
      .makeApiClient(NetworkingV1Api)
      .createNamespacedIngress({
        namespace: ns.name,
        body: {
          metadata: { name: "shop", annotations: { [`${GROUP}/cluster-issuer`]: issuer } },
          spec: {
            tls: [
              { hosts: ["shop.example.com"], secretName: "shop-tls" },
              // Two DNSimple domains cannot be one certificate: a BadConfig warning.
              { hosts: ["www.example.com", "www.other.org"], secretName: "split-tls" },
            ],
            rules: [{ host: "shop.example.com" }],
          },
        },
      });
    await waitForReady(ns.name, "shop-tls", "True");
    const text = await waitFor("the BadConfig warning in status", async () => {
      const run = await plugin("status", "shop-tls", "-n", ns.name);
      return run.stdout.includes("BadConfig") ? run.stdout : undefined;
    });
    expect(field(text, "Source")).toBe(`generated from Ingress ${ns.name}/shop`);
    expect(text).toMatch(
      /^ {2}Ingress warnings \(BadConfig\):\n {4}TYPE +REASON +AGE +COUNT +MESSAGE\n {4}Warning +BadConfig +\S+ +\d+ +.*2 domains/m,
    );
    expect(field(text, "Issuer")).toMatch(
      new RegExp(`^ClusterDnsimpleIssuer ${issuer}: Ready True \\(Verified\\)`),
    );
    const { code, json } = await pluginJson<StatusReport>("status", "shop-tls", "-n", ns.name);
    expect(code).toBe(0);
    expect(json.source).toMatchObject({
      kind: "Ingress",
      name: "shop",
      namespace: ns.name,
      labelled: true,
    });
    expect(
      json.source?.warnings.every((w) => w.type === "Warning" && w.reason === "BadConfig"),
    ).toBe(true);
    expect(json.source?.warnings.length).toBeGreaterThan(0);
    expect(json.issuer).toMatchObject({
      kind: "ClusterDnsimpleIssuer",
      name: issuer,
      found: true,
      ready: { status: "True" },
    });
    expect(json.credentials).toEqual({ kind: "issuerRef", name: issuer });
  });

  it("check -o json has the documented shape (the shared control plane's issuers decide its exit)", async () => {
    const { code, json } = await pluginJson<CheckReport>("check", "--operator-namespace", ns.name);
    expect(json.crds.map((c) => [c.name, c.found, c.established])).toEqual([
      ["dnsimplecertificates.dnsimple-cert-operator.dev", true, true],
      ["dnsimpleissuers.dnsimple-cert-operator.dev", true, true],
      ["clusterdnsimpleissuers.dnsimple-cert-operator.dev", true, true],
      ["dnsimplecertificateclaims.dnsimple-cert-operator.dev", true, true],
    ]);
    // No Pods carry the chart's labels in this namespace: that alone fails the check.
    expect(json.problems).toContain(
      `no operator Pods in namespace ${ns.name} (labels app.kubernetes.io/part-of=dnsimple-cert-operator,app.kubernetes.io/component=operator)`,
    );
    expect(json.ok).toBe(false);
    expect(code).toBe(1);
  });

  it("never prints a private key, the token or a Secret's raw data", async () => {
    const secrets = [await getSecret(ns.name, "www-tls"), await getSecret(ns.name, "hand-made")];
    const keyLines = secrets.flatMap((s) =>
      decoded(s, "tls.key")
        .split("\n")
        .filter((l) => l.length > 40),
    );
    expect(keyLines.length).toBeGreaterThan(0);
    const all = printed.join("\n");
    expect(printed.length).toBeGreaterThan(20);
    expect(all).not.toContain("PRIVATE KEY");
    expect(all).not.toContain(TOKEN);
    for (const line of keyLines) expect(all).not.toContain(line);
    for (const secret of secrets) {
      for (const value of Object.values(secret?.data ?? {}))
        expect(all).not.toContain(value.slice(0, 40));
    }
  });
});

/** Waits until the resource acted on `renewAt` and its Secret holds a new, Ready certificate. */
async function waitForRenewed(
  name: string,
  renewAt: string,
  previousId: number | undefined,
): Promise<void> {
  await waitFor(
    `${name} renewed for ${renewAt}`,
    async () => {
      const resource = await getCertificate(ns.name, name);
      const status = resource.status;
      const isReady = status?.conditions?.some((c) => c.type === "Ready" && c.status === "True");
      return status?.renewRequestHandled === renewAt &&
        isReady &&
        status.renewalId === undefined &&
        status.certificateId !== previousId
        ? true
        : undefined;
    },
    60_000,
  );
}

async function labelCertificate(name: string, labels: Record<string, string>): Promise<void> {
  await objects().patchNamespacedCustomObject({
    group: GROUP,
    version: "v1alpha1",
    plural: "dnsimplecertificates",
    namespace: ns.name,
    name,
    body: [{ op: "add", path: "/metadata/labels", value: labels }],
  });
}
