// inspect secret's reading of a TLS Secret, on real material (the simulator's CA): chain order
// and links with where ca.crt fits, the key match, the operator's verdict, the owner, the other
// keys by size, and never a byte of the key.
import { describe, expect, it } from "vitest";
import { SECRET_ANNOTATIONS } from "../../../src/api/v1alpha1.ts";
import { assembleBundle } from "../../../src/certs/bundle.ts";
import { reportSecret, type SecretInput } from "../../../src/plugin/secret-report.ts";
import { secretText } from "../../../src/plugin/secret-text.ts";
import { createAuthority, issueDownload, NOW } from "../certs/material.ts";

const authority = await createAuthority();
const issued = await issueDownload(authority, {
  name: "www",
  algorithm: "ECDSA",
  includeRoot: true,
});
const other = await issueDownload(authority, { name: "api", algorithm: "RSA" });
const bundle = assembleBundle(issued.download, issued.privateKey);
const b64 = (text: string) => Buffer.from(text).toString("base64");

function secret(data: Record<string, string>, metadata: SecretInput["metadata"] = {}): SecretInput {
  const encoded: Record<string, string> = {};
  for (const [key, value] of Object.entries(data)) encoded[key] = b64(value);
  return {
    metadata: { name: "www-tls", namespace: "web", ...metadata },
    type: "kubernetes.io/tls",
    data: encoded,
  };
}

const good = secret({
  "tls.crt": bundle.tlsCrt,
  "tls.key": bundle.tlsKey,
  "ca.crt": bundle.caCrt ?? "",
});

describe("reportSecret", () => {
  it("reads the chain in order, each certificate with its signer, ca.crt at the top", () => {
    const report = reportSecret(good, NOW);
    expect(report.certificates.map((c) => [c.position, c.signedBy, c.isCa])).toEqual([
      ["tls.crt 1", "tls.crt 2", false],
      ["tls.crt 2", "ca.crt 1", true],
    ]);
    expect(report.caCertificates.map((c) => [c.position, c.signedBy])).toEqual([
      ["ca.crt 1", "self"],
    ]);
    expect(report.chainInOrder).toBe(true);
    expect(report.certificates[0]?.dnsNames.sort()).toEqual(["example.com", "www.example.com"]);
    expect(report.key).toEqual({ present: true, algorithm: "ECDSA", matchesCertificate: true });
    expect(report.verdict).toEqual({ valid: true, problem: null, message: null });
    expect(report.unreadable).toEqual([]);
  });

  it("shows a chain out of order: the intermediate first, signed by nothing after it", () => {
    const [leaf, intermediate] = bundle.tlsCrt.split(/(?<=-----END CERTIFICATE-----\n)/);
    const report = reportSecret(
      secret({ "tls.crt": `${intermediate}${leaf}`, "tls.key": bundle.tlsKey }),
      NOW,
    );
    expect(report.chainInOrder).toBe(false);
    expect(report.certificates.map((c) => c.signedBy)).toEqual([null, "tls.crt 1"]);
    expect(report.verdict).toMatchObject({ valid: false, problem: "ChainOutOfOrder" });
  });

  it("says when the key is another certificate's", () => {
    const report = reportSecret(
      secret({ "tls.crt": bundle.tlsCrt, "tls.key": other.privateKey }),
      NOW,
    );
    expect(report.key).toEqual({ present: true, algorithm: "RSA", matchesCertificate: false });
    expect(report.verdict.problem).toBe("KeyMismatch");
  });

  it("reads what it can of garbage and says which part is unreadable", () => {
    const report = reportSecret(secret({ "tls.crt": "not pem", "tls.key": "" }), NOW);
    expect(report.certificates).toEqual([]);
    expect(report.key).toEqual({ present: false, algorithm: null, matchesCertificate: null });
    expect(report.unreadable.map((u) => u.key)).toEqual(["tls.crt"]);
    expect(report.verdict.valid).toBe(false);
  });

  it("names the owner by annotation and owner reference, confirmed by the lookup", () => {
    const owned = secret(
      { "tls.crt": bundle.tlsCrt, "tls.key": bundle.tlsKey },
      {
        annotations: { [SECRET_ANNOTATIONS.owner]: "www" },
        ownerReferences: [
          {
            apiVersion: "dnsimple-cert-operator.dev/v1alpha1",
            kind: "DnsimpleCertificate",
            name: "www",
            uid: "u",
          },
        ],
      },
    );
    expect(reportSecret(owned, NOW, { found: true, secretName: "www-tls" }).owner).toMatchObject({
      name: "www",
      namedBy: ["annotation", "ownerReference"],
      confirmed: true,
    });
    expect(reportSecret(owned, NOW, { found: true, secretName: "other" }).owner.confirmed).toBe(
      false,
    );
    expect(reportSecret(owned, NOW, { found: false }).owner.confirmed).toBe(false);
    expect(reportSecret(good, NOW).owner).toMatchObject({
      name: null,
      namedBy: [],
      confirmed: null,
    });
  });

  it("lists the other keys by size only, and nothing of the key reaches the report or its text", () => {
    const withExtras = secret({
      "tls.crt": bundle.tlsCrt,
      "tls.key": bundle.tlsKey,
      "tls-combined.pem": `${bundle.tlsKey}${bundle.tlsCrt}`,
      "keystore.p12": "x".repeat(2000),
      custom: "abc",
    });
    const report = reportSecret(withExtras, NOW);
    expect(report.otherKeys).toEqual([
      { key: "custom", bytes: 3, description: null },
      { key: "keystore.p12", bytes: 2000, description: "PKCS#12 keystore, password protected" },
      {
        key: "tls-combined.pem",
        bytes: bundle.tlsKey.length + bundle.tlsCrt.length,
        description: "key and chain (CombinedPEM)",
      },
    ]);
    const keyBody = bundle.tlsKey.split("\n")[1] ?? "";
    expect(keyBody.length).toBeGreaterThan(20);
    for (const text of [JSON.stringify(report), secretText(report, NOW).join("\n")]) {
      expect(text).not.toContain("PRIVATE KEY");
      expect(text).not.toContain(keyBody);
      expect(text).not.toContain(b64(bundle.tlsKey).slice(0, 40));
    }
  });

  it("writes the chain and the verdict for people", () => {
    const text = secretText(reportSecret(good, NOW), NOW);
    expect(text).toContain("Chain (tls.crt, server certificate first; in order):");
    expect(text.join("\n")).toMatch(/tls\.crt 1: CN=www\.example\.com \(server certificate\)/);
    expect(text.join("\n")).toMatch(/Signed by: +tls\.crt 2/);
    expect(text.join("\n")).toMatch(/Signed by: +itself \(a root\)/);
    expect(text.join("\n")).toMatch(/Key: +ECDSA, matches the server certificate/);
  });
});
