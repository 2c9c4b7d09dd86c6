// spec.additionalOutputFormats and spec.keystores against the real control plane and the
// simulator, each extra key read by the consumer that would read it in production: OpenSSL for
// the combined PEM, the DER key and PKCS#12, Java's keytool for PKCS#12 and JKS. And the rules
// around them: verified before written, rewritten only when the certificate or the password
// changes (never on a resync), a missing password refused with a reason and nothing written.
import { execFileSync, spawnSync } from "node:child_process";
import { createHash, createPrivateKey, X509Certificate } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { V1Secret } from "@kubernetes/client-node";
import { afterAll, describe, expect, it } from "vitest";
import { core, objects, useNamespace, waitFor } from "./support/kube.ts";
import {
  certificateRef,
  createCertificate,
  eventsFor,
  getCertificate,
  getSecret,
  loggedAction,
  useOperator,
  waitForReady,
} from "./support/operator.ts";

const ns = useNamespace("formats");
const TOKEN = "formats-test-token-7d1e";
const RESYNC_MS = 1_500;
const env = useOperator({
  namespace: ns,
  simulator: {
    token: TOKEN,
    accountId: 5151,
    domains: ["example.com"],
    issueDelayMs: 100,
    includeRoot: true,
  },
  credentials: { token: TOKEN, accountId: "5151" },
  flags: [`--resync-interval=${RESYNC_MS}ms`],
});
const { credentialsRef } = env;

const PASSWORD = "changeit-7Qx!";
const NEW_PASSWORD = "rotated-9Kp#";

function run(command: string, args: string[]): string {
  return execFileSync(command, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** `openssl pkcs12 -info`: it prints the MAC and the algorithms on stderr, the rest on stdout. */
function pkcs12Info(path: string, password: string): string {
  const result = spawnSync(
    "openssl",
    ["pkcs12", "-info", "-in", path, "-passin", `pass:${password}`, "-noenc"],
    { encoding: "utf8" },
  );
  if (result.status !== 0) throw new Error(`openssl pkcs12 -info failed: ${result.stderr}`);
  return `${result.stderr}${result.stdout}`;
}

/** Runs a command that must fail; returns its stderr and stdout. */
function refused(command: string, args: string[]): string {
  try {
    run(command, args);
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    return `${e.stdout ?? ""}${e.stderr ?? ""}`;
  }
  throw new Error(`${command} ${args.join(" ")} succeeded`);
}

/** Folders holding keys, removed after the file's tests. */
const folders: string[] = [];
afterAll(() => {
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

/** The Secret's keys written to a fresh folder, as files of their names. */
function filesOf(secret: V1Secret | undefined): string {
  const dir = mkdtempSync(join(tmpdir(), "formats-"));
  folders.push(dir);
  for (const [key, value] of Object.entries(secret?.data ?? {})) {
    writeFileSync(join(dir, key), Buffer.from(value, "base64"));
  }
  return dir;
}

const bytes = (secret: V1Secret | undefined, key: string) =>
  Buffer.from(secret?.data?.[key] ?? "", "base64");
const text = (secret: V1Secret | undefined, key: string) => bytes(secret, key).toString("utf8");

/** The SubjectPublicKeyInfo PEM `openssl pkey -pubout` prints for a key file. */
function publicKeyOfKeyFile(path: string, inform: "PEM" | "DER" = "PEM"): string {
  return run("openssl", ["pkey", "-inform", inform, "-in", path, "-pubout"]);
}

function leafPublicKey(secret: V1Secret | undefined): string {
  return new X509Certificate(text(secret, "tls.crt")).publicKey
    .export({ type: "spki", format: "pem" })
    .toString();
}

function sha256Fingerprint(pem: string): string {
  const der = new X509Certificate(pem).raw;
  return createHash("sha256")
    .update(der)
    .digest("hex")
    .toUpperCase()
    .replace(/(..)(?!$)/g, "$1:");
}

function keytoolList(path: string, type: "PKCS12" | "JKS", password: string): string {
  return run("keytool", [
    "-list",
    "-v",
    "-storetype",
    type,
    "-keystore",
    path,
    "-storepass",
    password,
  ]);
}

/** What keytool says when it refuses to open a keystore with `password`. */
function keytoolRefuses(path: string, type: "PKCS12" | "JKS", password: string): string {
  return refused("keytool", [
    "-list",
    "-storetype",
    type,
    "-keystore",
    path,
    "-storepass",
    password,
  ]);
}

async function writePassword(name: string, value: string): Promise<void> {
  const body = {
    metadata: { name, namespace: ns.name },
    stringData: { password: value },
  };
  try {
    await core().replaceNamespacedSecret({ name, namespace: ns.name, body });
  } catch {
    await core().createNamespacedSecret({ namespace: ns.name, body });
  }
}

const keystores = (passwordSecret: string, profile?: "Modern2023" | "LegacyDES") => ({
  pkcs12: {
    create: true,
    ...(profile ? { profile } : {}),
    passwordSecretRef: { name: passwordSecret, key: "password" },
  },
  jks: { create: true, passwordSecretRef: { name: passwordSecret, key: "password" } },
});

describe("additional output formats and keystores", () => {
  it("writes every format, and each one is read by its real consumer", async () => {
    await writePassword("keystore-password", PASSWORD);
    await createCertificate(ns.name, "all", {
      domain: "example.com",
      name: "app",
      secretName: "all-tls",
      credentialsRef,
      additionalOutputFormats: [{ type: "CombinedPEM" }, { type: "DER" }],
      keystores: keystores("keystore-password"),
    });
    const ready = await waitForReady(ns.name, "all", "True");
    expect(ready.status?.dnsimple).toMatchObject({
      certificateId: ready.status?.certificateId,
      autoRenew: false,
    });
    expect(Date.parse(ready.status?.dnsimple?.expiresAt ?? "")).toBeGreaterThan(Date.now());
    const secret = await getSecret(ns.name, "all-tls");
    expect(Object.keys(secret?.data ?? {}).sort()).toEqual([
      "ca.crt",
      "key.der",
      "keystore.jks",
      "keystore.p12",
      "tls-combined.pem",
      "tls.crt",
      "tls.key",
      "truststore.jks",
      "truststore.p12",
    ]);
    const dir = filesOf(secret);
    const leafKey = leafPublicKey(secret);
    const chain = text(secret, "tls.crt");
    const rootPem = text(secret, "ca.crt");
    expect(sha256Fingerprint(rootPem)).toBe(sha256Fingerprint(env.simulator.rootPem));

    // CombinedPEM: the key, then the chain, as cert-manager lays it out.
    expect(text(secret, "tls-combined.pem")).toBe(`${text(secret, "tls.key")}${chain}`);
    expect(publicKeyOfKeyFile(join(dir, "tls-combined.pem"))).toBe(leafKey);
    expect(
      run("openssl", ["x509", "-in", join(dir, "tls-combined.pem"), "-noout", "-subject"]),
    ).toContain("app.example.com");

    // DER: the key in DER, read by OpenSSL.
    expect(publicKeyOfKeyFile(join(dir, "key.der"), "DER")).toBe(leafKey);
    expect(
      createPrivateKey({ key: bytes(secret, "key.der"), format: "der", type: "sec1" }),
    ).toBeDefined();

    // PKCS#12, the modern profile: OpenSSL names its algorithms and gives back key and chain.
    const p12 = join(dir, "keystore.p12");
    const info = pkcs12Info(p12, PASSWORD);
    expect(info).toContain("MAC: sha256");
    expect(info).toMatch(/PBES2, PBKDF2, AES-256-CBC, Iteration \d+, PRF hmacWithSHA256/);
    writeFileSync(
      join(dir, "p12-key.pem"),
      run("openssl", ["pkcs12", "-in", p12, "-passin", `pass:${PASSWORD}`, "-nocerts", "-noenc"]),
    );
    expect(publicKeyOfKeyFile(join(dir, "p12-key.pem"))).toBe(leafKey);
    const p12Certs = run("openssl", [
      "pkcs12",
      "-in",
      p12,
      "-passin",
      `pass:${PASSWORD}`,
      "-nokeys",
    ]);
    for (const block of chain.match(
      /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g,
    ) ?? []) {
      expect(p12Certs).toContain(block);
    }
    expect(
      refused("openssl", ["pkcs12", "-info", "-in", p12, "-passin", "pass:wrong", "-noenc"]),
    ).toMatch(/mac verify failure|invalid password/i);

    // keytool: the PKCS#12 key entry with its chain, the truststore's root, and the same in JKS.
    const leafFingerprint = sha256Fingerprint(chain);
    const p12List = keytoolList(p12, "PKCS12", PASSWORD);
    expect(p12List).toContain("Entry type: PrivateKeyEntry");
    expect(p12List).toContain("Certificate chain length: 2");
    expect(p12List).toContain(leafFingerprint);
    const trustP12 = keytoolList(join(dir, "truststore.p12"), "PKCS12", PASSWORD);
    expect(trustP12).toContain("Entry type: trustedCertEntry");
    expect(trustP12).toContain(sha256Fingerprint(rootPem));
    const jks = keytoolList(join(dir, "keystore.jks"), "JKS", PASSWORD);
    expect(jks).toMatch(/Alias name: certificate[\s\S]*Entry type: PrivateKeyEntry/);
    expect(jks).toContain("Certificate chain length: 2");
    expect(jks).toContain(leafFingerprint);
    expect(jks).toMatch(/Alias name: ca[\s\S]*Entry type: trustedCertEntry/);
    const trustJks = keytoolList(join(dir, "truststore.jks"), "JKS", PASSWORD);
    expect(trustJks).toContain("Entry type: trustedCertEntry");
    expect(trustJks).toContain(sha256Fingerprint(rootPem));
    expect(keytoolRefuses(join(dir, "keystore.jks"), "JKS", "wrong-pass")).toMatch(
      /password was incorrect|tampered/i,
    );

    // The key the JKS holds is the certificate's: keytool converts it to PKCS#12 for OpenSSL.
    const converted = join(dir, "from-jks.p12");
    run("keytool", [
      "-importkeystore",
      "-srckeystore",
      join(dir, "keystore.jks"),
      "-srcstoretype",
      "JKS",
      "-srcstorepass",
      PASSWORD,
      "-srcalias",
      "certificate",
      "-destkeystore",
      converted,
      "-deststoretype",
      "PKCS12",
      "-deststorepass",
      PASSWORD,
      "-noprompt",
    ]);
    writeFileSync(
      join(dir, "jks-key.pem"),
      run("openssl", [
        "pkcs12",
        "-in",
        converted,
        "-passin",
        `pass:${PASSWORD}`,
        "-nocerts",
        "-noenc",
      ]),
    );
    expect(publicKeyOfKeyFile(join(dir, "jks-key.pem"))).toBe(leafKey);

    const reasons = (await eventsFor(ns.name, "all")).map((e) => e.message);
    expect(reasons.join("\n")).toContain("with tls-combined.pem, key.der, keystore.p12");
  });

  it("leaves the Secret alone across resyncs: same resourceVersion, keystores not rebuilt", async () => {
    const before = await getSecret(ns.name, "all-tls");
    const seen = env.operator.logs.length;
    // Three resync passes that each read the password and open every keystore.
    await waitFor("three resync passes over all", () =>
      env.operator.logs
        .slice(seen)
        .filter((l) => l.includes(`"resource":"${ns.name}/all"`) && l.includes('"action":"ready"'))
        .length >= 3
        ? true
        : undefined,
    );
    const after = await getSecret(ns.name, "all-tls");
    expect(after?.metadata?.resourceVersion).toBe(before?.metadata?.resourceVersion);
    expect(after?.data).toEqual(before?.data);
    expect(loggedAction(env.operator, ns.name, "all", "refreshSecret", seen)).toBe(false);
  });

  it("rewrites the keystores when the password changes, and keeps the certificate", async () => {
    const before = await getSecret(ns.name, "all-tls");
    await writePassword("keystore-password", NEW_PASSWORD);
    const after = await waitFor("the keystores rewritten for the new password", async () => {
      const s = await getSecret(ns.name, "all-tls");
      return s?.metadata?.resourceVersion !== before?.metadata?.resourceVersion ? s : undefined;
    });
    for (const key of ["tls.crt", "tls.key", "ca.crt", "tls-combined.pem", "key.der"]) {
      expect(after?.data?.[key]).toBe(before?.data?.[key]);
    }
    const dir = filesOf(after);
    expect(keytoolList(join(dir, "keystore.p12"), "PKCS12", NEW_PASSWORD)).toContain(
      "Entry type: PrivateKeyEntry",
    );
    expect(keytoolList(join(dir, "keystore.jks"), "JKS", NEW_PASSWORD)).toContain(
      "Entry type: PrivateKeyEntry",
    );
    expect(keytoolRefuses(join(dir, "keystore.jks"), "JKS", PASSWORD)).toMatch(
      /password was incorrect|tampered/i,
    );
    expect(env.simulator.purchases()).toHaveLength(1);
    const events = (await eventsFor(ns.name, "all")).filter((e) => e.reason === "OutputsWritten");
    expect(events.map((e) => e.message).join("\n")).toContain("does not open");
  });

  it("writes the legacy PKCS#12 profile, and drops the keys no longer asked for", async () => {
    await objects().patchNamespacedCustomObject({
      ...certificateRef(ns.name, "all"),
      body: [
        { op: "replace", path: "/spec/additionalOutputFormats", value: [{ type: "DER" }] },
        {
          op: "replace",
          path: "/spec/keystores",
          value: { pkcs12: keystores("keystore-password", "LegacyDES").pkcs12 },
        },
      ],
    });
    const secret = await waitFor("keystore.jks and tls-combined.pem dropped", async () => {
      const s = await getSecret(ns.name, "all-tls");
      return s?.data?.["keystore.jks"] === undefined ? s : undefined;
    });
    expect(Object.keys(secret?.data ?? {}).sort()).toEqual([
      "ca.crt",
      "key.der",
      "keystore.p12",
      "tls.crt",
      "tls.key",
      "truststore.p12",
    ]);
    const dir = filesOf(secret);
    const info = pkcs12Info(join(dir, "keystore.p12"), NEW_PASSWORD);
    expect(info).toContain("MAC: sha1");
    expect(info).toContain("pbeWithSHA1And3-KeyTripleDES-CBC");
    writeFileSync(
      join(dir, "legacy-key.pem"),
      run("openssl", [
        "pkcs12",
        "-in",
        join(dir, "keystore.p12"),
        "-passin",
        `pass:${NEW_PASSWORD}`,
        "-nocerts",
        "-noenc",
      ]),
    );
    expect(publicKeyOfKeyFile(join(dir, "legacy-key.pem"))).toBe(leafPublicKey(secret));
    expect(keytoolList(join(dir, "keystore.p12"), "PKCS12", NEW_PASSWORD)).toContain(
      "Entry type: PrivateKeyEntry",
    );
    expect(env.simulator.purchases()).toHaveLength(1);
  });

  it("refuses to write keystores without their password: Ready=False, an Event, no Secret", async () => {
    await createCertificate(ns.name, "nopass", {
      domain: "example.com",
      name: "nopass",
      secretName: "nopass-tls",
      credentialsRef,
      keystores: { jks: { create: true, passwordSecretRef: { name: "later", key: "password" } } },
    });
    const failing = await waitForReady(ns.name, "nopass", "False", "KeystorePasswordNotFound");
    expect(failing.status?.conditions?.find((c) => c.type === "Ready")?.message).toContain(
      "Secret later does not exist",
    );
    expect(await getSecret(ns.name, "nopass-tls")).toBeUndefined();
    expect(
      (await eventsFor(ns.name, "nopass")).some(
        (e) => e.type === "Warning" && e.reason === "KeystorePasswordNotFound",
      ),
    ).toBe(true);
    // Given the password, the next retry writes the Secret: the certificate bought once.
    await writePassword("later", PASSWORD);
    await waitForReady(ns.name, "nopass", "True");
    const dir = filesOf(await getSecret(ns.name, "nopass-tls"));
    expect(keytoolList(join(dir, "keystore.jks"), "JKS", PASSWORD)).toContain(
      "Entry type: PrivateKeyEntry",
    );
    expect(env.simulator.purchases().filter((p) => p.name === "nopass")).toHaveLength(1);
  });

  it("never shows a password in logs, Events or status", async () => {
    const statuses = JSON.stringify([
      await getCertificate(ns.name, "all"),
      await getCertificate(ns.name, "nopass"),
    ]);
    const events = JSON.stringify([
      ...(await eventsFor(ns.name, "all")),
      ...(await eventsFor(ns.name, "nopass")),
    ]);
    const logs = env.operator.logs.join("\n");
    for (const secret of [PASSWORD, NEW_PASSWORD]) {
      expect(statuses).not.toContain(secret);
      expect(events).not.toContain(secret);
      expect(logs).not.toContain(secret);
    }
  });
});
