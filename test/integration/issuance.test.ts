// The main job end to end: a DnsimpleCertificate becomes an ordered, issued, verified
// kubernetes.io/tls Secret, against the real control plane and the DNSimple simulator.
import { execFileSync } from "node:child_process";
import { createPrivateKey, X509Certificate } from "node:crypto";
import { once } from "node:events";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, createServer } from "node:tls";
import { describe, expect, it } from "vitest";
import { core, kubectl, useNamespace, waitFor } from "./support/kube.ts";
import {
  createCertificate,
  decoded,
  eventsFor,
  getCertificate,
  getSecret,
  loggedAction,
  useOperator,
  waitForReady,
} from "./support/operator.ts";

const ns = useNamespace("issuance");
const TOKEN = "issuance-test-token-5f2c";
// Credentials without an account id: the operator finds it with whoami.
const env = useOperator({
  namespace: ns,
  simulator: {
    token: TOKEN,
    accountId: 4242,
    domains: ["example.com", "example.org"],
    issueDelayMs: 300,
  },
  credentials: { token: TOKEN },
});
const { credentialsRef } = env;

function openssl(args: string[]): string {
  return execFileSync("openssl", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

describe("issuance", () => {
  it("orders, issues, verifies and writes an ECDSA certificate", async () => {
    await createCertificate(ns.name, "www", {
      domain: "example.com",
      secretName: "www-tls",
      credentialsRef,
    });
    const resource = await waitForReady(ns.name, "www", "True");
    expect(resource.status).toMatchObject({
      state: "issued",
      commonName: "www.example.com",
      observedGeneration: 1,
    });
    expect(resource.status?.alternateNames?.sort()).toEqual(["example.com", "www.example.com"]);
    expect(resource.status?.conditions?.map((c) => c.type)).toEqual(["Ready"]);

    const secret = await getSecret(ns.name, "www-tls");
    expect(secret?.type).toBe("kubernetes.io/tls");
    const tlsCrt = decoded(secret, "tls.crt");
    const tlsKey = decoded(secret, "tls.key");
    const blocks = tlsCrt.match(
      /-----BEGIN CERTIFICATE-----\n[\s\S]*?\n-----END CERTIFICATE-----\n/g,
    );
    expect(blocks).toHaveLength(2);
    expect(blocks?.join("")).toBe(tlsCrt);
    const leaf = new X509Certificate(tlsCrt);
    expect(leaf.publicKey.asymmetricKeyType).toBe("ec");
    expect(resource.status?.certificateId).toBe(
      Number(secret?.metadata?.annotations?.["dnsimple-cert-operator.dev/certificate-id"]),
    );

    const dir = mkdtempSync(join(tmpdir(), "issued-"));
    writeFileSync(join(dir, "root.pem"), env.simulator.rootPem);
    writeFileSync(join(dir, "tls.crt"), tlsCrt);
    writeFileSync(join(dir, "leaf.pem"), blocks?.[0] ?? "");
    writeFileSync(join(dir, "chain.pem"), blocks?.[1] ?? "");
    expect(
      openssl([
        "verify",
        "-CAfile",
        join(dir, "root.pem"),
        "-untrusted",
        join(dir, "chain.pem"),
        join(dir, "leaf.pem"),
      ]),
    ).toContain(": OK");
    expect(leaf.checkPrivateKey(createPrivateKey(tlsKey))).toBe(true);

    expect(env.simulator.purchases()).toHaveLength(1);
    const reasons = (await eventsFor(ns.name, "www")).map((e) => e.reason);
    expect(reasons).toEqual(
      expect.arrayContaining(["Ordered", "IssueRequested", "Issued", "SecretWritten"]),
    );
  });

  it("serves the Secret over TLS to a client that trusts only the simulator's root", async () => {
    const secret = await getSecret(ns.name, "www-tls");
    const server = createServer(
      { cert: decoded(secret, "tls.crt"), key: decoded(secret, "tls.key") },
      (socket) => socket.end("hello"),
    );
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : 0;
    try {
      const client = connect({
        host: "127.0.0.1",
        port,
        servername: "www.example.com",
        ca: env.simulator.rootPem,
      });
      const [data] = (await once(client, "data")) as [Buffer];
      expect(client.authorized).toBe(true);
      expect(data.toString()).toBe("hello");
      client.end();
    } finally {
      server.close();
    }
  });

  it("issues RSA, a wildcard and alternate names as asked", async () => {
    await createCertificate(ns.name, "rsa", {
      domain: "example.org",
      name: "api",
      signatureAlgorithm: "RSA",
      alternateNames: ["docs.example.org", "status.example.org"],
      secretName: "rsa-tls",
      credentialsRef,
    });
    await createCertificate(ns.name, "wildcard", {
      domain: "example.org",
      name: "*",
      secretName: "wildcard-tls",
      credentialsRef,
    });
    await waitForReady(ns.name, "rsa", "True");
    await waitForReady(ns.name, "wildcard", "True");
    const rsa = new X509Certificate(decoded(await getSecret(ns.name, "rsa-tls"), "tls.crt"));
    expect(rsa.publicKey.asymmetricKeyType).toBe("rsa");
    expect(rsa.subjectAltName?.split(", ").sort()).toEqual([
      "DNS:api.example.org",
      "DNS:docs.example.org",
      "DNS:status.example.org",
    ]);
    expect(decoded(await getSecret(ns.name, "rsa-tls"), "tls.key")).toContain(
      "BEGIN RSA PRIVATE KEY",
    );
    const wildcard = new X509Certificate(
      decoded(await getSecret(ns.name, "wildcard-tls"), "tls.crt"),
    );
    expect(wildcard.subjectAltName).toBe("DNS:*.example.org");
  });

  it("adopts an existing certificate by id without ordering", async () => {
    // Order one directly at DNSimple (as a person would in the web UI), leave it unissued.
    const response = await fetch(
      `${env.simulator.url}/v2/4242/domains/example.com/certificates/letsencrypt`,
      {
        method: "POST",
        headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
        body: JSON.stringify({ name: "shop" }),
      },
    );
    const { data } = (await response.json()) as { data: { certificate_id: number } };
    const purchasesBefore = env.simulator.purchases().length;
    await createCertificate(ns.name, "adopted", {
      domain: "example.com",
      name: "shop",
      certificateId: data.certificate_id,
      secretName: "adopted-tls",
      credentialsRef,
    });
    const resource = await waitForReady(ns.name, "adopted", "True");
    expect(resource.status?.certificateId).toBe(data.certificate_id);
    expect(env.simulator.purchases()).toHaveLength(purchasesBefore);
    const secret = await getSecret(ns.name, "adopted-tls");
    expect(secret?.metadata?.annotations?.["dnsimple-cert-operator.dev/certificate-id"]).toBe(
      String(data.certificate_id),
    );
  });

  it("polls a slow issuance, showing Issuing until it is done", async () => {
    env.simulator.updateSettings({ issueDelayMs: 3_000 });
    try {
      await createCertificate(ns.name, "slow", {
        domain: "example.com",
        name: "slow",
        secretName: "slow-tls",
        credentialsRef,
      });
      const issuing = await waitForReady(ns.name, "slow", "False", "Issuing");
      expect(issuing.status?.conditions?.find((c) => c.type === "Issuing")).toMatchObject({
        status: "True",
        reason: "Requesting",
      });
      expect(issuing.status?.state).toBe("requesting");
      const ready = await waitForReady(ns.name, "slow", "True");
      expect(ready.status?.conditions?.some((c) => c.type === "Issuing")).toBe(false);
      const polls = env.simulator
        .calls()
        .filter(
          (c) =>
            c.method === "GET" && c.path.endsWith(`/certificates/${ready.status?.certificateId}`),
        );
      // Backing off: a handful of polls over three seconds, not one per 200 ms.
      expect(polls.length).toBeGreaterThanOrEqual(2);
      expect(polls.length).toBeLessThan(15);
    } finally {
      env.simulator.updateSettings({ issueDelayMs: 300 });
    }
  });

  it("shows the resource in kubectl get and satisfies kubectl wait", async () => {
    const wait = await kubectl([
      "wait",
      "--for=condition=Ready",
      "-n",
      ns.name,
      "dnscert/www",
      "--timeout=30s",
    ]);
    expect(wait.code).toBe(0);
    const table = await kubectl(["get", "dnscerts", "-n", ns.name, "www"]);
    const [header, row] = table.stdout.trim().split("\n");
    expect(header?.split(/\s{2,}/)).toEqual([
      "NAME",
      "READY",
      "SECRET",
      "COMMON NAME",
      "STATE",
      "EXPIRES",
      "AGE",
    ]);
    expect(row).toMatch(/^www\s+True\s+www-tls\s+www\.example\.com\s+issued\s+/);
  });

  it("exposes Prometheus metrics with the right values", async () => {
    const www = await getCertificate(ns.name, "www");
    const text = await (await fetch(`http://127.0.0.1:${env.operator.metricsPort}/metrics`)).text();
    const value = (series: string) => {
      const line = text.split("\n").find((l) => l.startsWith(`${series} `));
      return line === undefined ? undefined : Number(line.slice(series.length + 1));
    };
    const labels = `name="www",namespace="${ns.name}"`;
    expect(
      value(`dnsimple_cert_operator_certificate_expiration_timestamp_seconds{${labels}}`),
    ).toBe(Date.parse(www.status?.notAfter ?? "") / 1000);
    expect(value(`dnsimple_cert_operator_certificate_renewal_timestamp_seconds{${labels}}`)).toBe(
      Date.parse(www.status?.renewalTime ?? "") / 1000,
    );
    expect(
      value(`dnsimple_cert_operator_certificate_ready_status{${labels},condition="True"}`),
    ).toBe(1);
    expect(
      value(`dnsimple_cert_operator_certificate_ready_status{${labels},condition="False"}`),
    ).toBe(0);
    // The operator's own orders: "shop" was ordered by the adoption test itself.
    const orders = env.simulator
      .purchases()
      .filter((p) => p.kind === "certificate" && p.name !== "shop").length;
    expect(
      value(
        'dnsimple_cert_operator_dnsimple_requests_total{method="POST",endpoint="/v2/:account/domains/:domain/certificates/letsencrypt",status="201"}',
      ),
    ).toBe(orders);
    expect(text).toMatch(
      /^dnsimple_cert_operator_dnsimple_request_duration_seconds_count\{method="GET",/m,
    );
    const remaining = text.match(
      /^dnsimple_cert_operator_dnsimple_rate_limit_remaining\{token_fingerprint="[0-9a-f]{12}"\} (\d+)$/m,
    );
    expect(Number(remaining?.[1])).toBeGreaterThan(2000);
    expect(text).not.toContain(TOKEN);
    expect(value('dnsimple_cert_operator_reconcile_total{result="ready"}')).toBeGreaterThan(0);
    // Every reconcile is timed: at least as many durations as ready outcomes.
    expect(value("dnsimple_cert_operator_reconcile_duration_seconds_count")).toBeGreaterThanOrEqual(
      Number(value('dnsimple_cert_operator_reconcile_total{result="ready"}')),
    );
    expect(value("dnsimple_cert_operator_reconcile_duration_seconds_sum")).toBeGreaterThan(0);
    expect(value("dnsimple_cert_operator_workqueue_depth")).toBeGreaterThanOrEqual(0);
    expect(value("dnsimple_cert_operator_leader_election_status")).toBe(1);
    expect(text).toMatch(/^dnsimple_cert_operator_process_resident_memory_bytes \d+$/m);
  });

  it("ends an issuance with one Ready pass: the echo of its own Secret write starts none", async () => {
    const passes = (name: string) =>
      env.operator.logs.filter(
        (l) => l.includes(`"resource":"${ns.name}/${name}"`) && l.includes('"msg":"reconciled"'),
      );
    await createCertificate(ns.name, "echo", {
      domain: "example.org",
      name: "echo",
      secretName: "echo-tls",
      credentialsRef,
    });
    await waitForReady(ns.name, "echo", "True");
    // A barrier: the Secret watch delivers in order, so once the operator has acted on a later
    // Secret event (the deletion of another resource's Secret, restored by a pass), echo's own
    // write has come back to it too.
    await createCertificate(ns.name, "echo-after", {
      domain: "example.org",
      name: "echo-after",
      secretName: "echo-after-tls",
      credentialsRef,
    });
    await waitForReady(ns.name, "echo-after", "True");
    const readyPasses = (name: string) =>
      passes(name).filter((l) => l.includes('"action":"ready"')).length;
    const before = readyPasses("echo-after");
    await core().deleteNamespacedSecret({ namespace: ns.name, name: "echo-after-tls" });
    await waitFor("echo-after's Secret restored", async () =>
      readyPasses("echo-after") > before ? true : undefined,
    );
    const ready = passes("echo").filter((l) => l.includes('"action":"ready"'));
    expect(ready).toHaveLength(1);
    expect(passes("echo").every((l) => /"action":"(poll|ready)"/.test(l))).toBe(true);
  });

  it("costs no DNSimple call and rewrites no Secret when restarted over Ready resources", async () => {
    const names = ["www", "rsa", "wildcard", "adopted", "slow"];
    const before = await Promise.all(names.map((n) => getCertificate(ns.name, n)));
    const secretVersions = await Promise.all(
      before.map(
        async (r) => (await getSecret(ns.name, r.spec.secretName))?.metadata?.resourceVersion,
      ),
    );
    // Each status records the very version of its Secret that passed the check (the write's
    // answer), so the new operator takes the facts from status (verified-secret.ts).
    expect(before.map((r) => r.status?.verifiedSecret?.resourceVersion)).toEqual(secretVersions);
    expect(before.map((r) => r.status?.verifiedSecret?.name)).toEqual(
      before.map((r) => r.spec.secretName),
    );
    await env.stopOperator();
    env.simulator.resetCalls();
    await env.startOperator();
    // Wait until the new operator has reconciled every resource (it logs each outcome).
    const reconciled = (n: string) => loggedAction(env.operator, ns.name, n, "ready");
    await waitFor("every resource reconciled", async () =>
      names.every(reconciled) ? true : undefined,
    );
    expect(env.simulator.calls()).toEqual([]);
    expect(env.operator.logs.filter((l) => l.includes('"msg":"status written"'))).toEqual([]);
    const after = await Promise.all(
      before.map(
        async (r) => (await getSecret(ns.name, r.spec.secretName))?.metadata?.resourceVersion,
      ),
    );
    expect(after).toEqual(secretVersions);
    const statuses = await Promise.all(names.map((n) => getCertificate(ns.name, n)));
    expect(statuses.map((r) => r.metadata.resourceVersion)).toEqual(
      before.map((r) => r.metadata.resourceVersion),
    );
  });
});
