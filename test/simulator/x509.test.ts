// The certificates are real: they verify with openssl up to the simulator's root, carry
// the right names and extensions, match their private keys in every served form, and
// live as long as configured. The CA can be kept in a directory and reused.
import { execFileSync } from "node:child_process";
import { createPrivateKey, X509Certificate } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CA_FILES, CaDirectoryError } from "../../src/simulator/certificate-authority.ts";
import { CLOCK_SKEW_ALLOWANCE_MS } from "../../src/simulator/leaf-certificates.ts";
import type { CertificateJson } from "../../src/simulator/representations.ts";
import type { Simulator } from "../../src/simulator/simulator.ts";
import { x509 } from "../../src/simulator/x509-provider.ts";
import {
  ApiClient,
  certificatesPath,
  type DataAnswer,
  DOMAIN,
  startTestSimulator,
} from "./helpers.ts";

const VALIDITY_MS = 3 * 86_400_000;
const SUBJECT_ALT_NAME_OID = "2.5.29.17";

let simulator: Simulator;
let api: ApiClient;
let workDir: string;

beforeAll(async () => {
  simulator = await startTestSimulator({ validityMs: VALIDITY_MS });
  api = new ApiClient(simulator);
  workDir = mkdtempSync(join(tmpdir(), "simulator-x509-"));
});

afterAll(async () => {
  await simulator.close();
  rmSync(workDir, { recursive: true, force: true });
});

interface Bundle {
  record: CertificateJson;
  server: string;
  chain: string[];
  privateKey: string;
}

async function issuedBundle(body: Record<string, unknown>): Promise<Bundle> {
  const record = await api.orderAndIssue(body);
  expect(record.state).toBe("issued");
  const download = await api.get<DataAnswer<{ server: string; chain: string[] }>>(
    `${certificatesPath()}/${record.id}/download`,
  );
  const key = await api.get<DataAnswer<{ private_key: string }>>(
    `${certificatesPath()}/${record.id}/private_key`,
  );
  return { record, ...download.body.data, privateKey: key.body.data.private_key };
}

function opensslVerify(bundle: Bundle): string {
  const directory = mkdtempSync(join(workDir, "verify-"));
  const file = (name: string, content: string) => {
    const path = join(directory, name);
    writeFileSync(path, content);
    return path;
  };
  const root = file("root.pem", `${simulator.rootPem}\n`);
  const intermediate = file("intermediate.pem", `${bundle.chain.join("\n")}\n`);
  const leaf = file("leaf.pem", bundle.server);
  return execFileSync(
    "/usr/bin/openssl",
    ["verify", "-CAfile", root, "-untrusted", intermediate, leaf],
    { encoding: "utf8" },
  ).trim();
}

const CASES = [
  {
    title: "ECDSA, default name www",
    body: {},
    commonName: `www.${DOMAIN}`,
    subjectAltNames: [DOMAIN, `www.${DOMAIN}`],
    keyType: "ec",
    pemHeader: "-----BEGIN EC PRIVATE KEY-----",
  },
  {
    title: "RSA wildcard",
    body: { name: "*", signature_algorithm: "RSA" },
    commonName: `*.${DOMAIN}`,
    subjectAltNames: [`*.${DOMAIN}`],
    keyType: "rsa",
    pemHeader: "-----BEGIN RSA PRIVATE KEY-----",
  },
  {
    title: "ECDSA custom name with alternate names",
    body: { name: "api", alternate_names: [`docs.${DOMAIN}`, `status.${DOMAIN}`] },
    commonName: `api.${DOMAIN}`,
    subjectAltNames: [`api.${DOMAIN}`, `docs.${DOMAIN}`, `status.${DOMAIN}`],
    keyType: "ec",
    pemHeader: "-----BEGIN EC PRIVATE KEY-----",
  },
] as const;

describe.each(CASES)("an issued certificate: $title", (testCase) => {
  let bundle: Bundle;
  let leaf: X509Certificate;

  beforeAll(async () => {
    bundle = await issuedBundle(testCase.body);
    leaf = new X509Certificate(bundle.server);
  });

  it("verifies with openssl up to the simulator's root", () => {
    expect(opensslVerify(bundle)).toMatch(/leaf\.pem: OK$/);
  });

  it("has the common name and subject alternative names of its DNSimple name", () => {
    expect(leaf.subject).toBe(`CN=${testCase.commonName}`);
    expect(leaf.subjectAltName).toBe(testCase.subjectAltNames.map((n) => `DNS:${n}`).join(", "));
    expect(bundle.record.common_name).toBe(testCase.commonName);
  });

  it("comes with its private key, in the traditional PEM form", () => {
    expect(bundle.privateKey.split("\n")[0]).toBe(testCase.pemHeader);
    const key = createPrivateKey(bundle.privateKey);
    expect(key.asymmetricKeyType).toBe(testCase.keyType);
    expect(leaf.checkPrivateKey(key)).toBe(true);
  });

  it("expires as the record says, after the configured validity", () => {
    const notAfter = new Date(leaf.validTo);
    const notBefore = new Date(leaf.validFrom);
    expect(bundle.record.expires_at).toBe(notAfter.toISOString().replace(".000Z", "Z"));
    expect(bundle.record.expires_on).toBe(notAfter.toISOString().slice(0, 10));
    const lifetime = notAfter.getTime() - notBefore.getTime();
    expect(lifetime).toBeGreaterThan(VALIDITY_MS + CLOCK_SKEW_ALLOWANCE_MS - 2_000);
    expect(lifetime).toBeLessThanOrEqual(VALIDITY_MS + CLOCK_SKEW_ALLOWANCE_MS + 1_000);
    expect(notBefore.getTime()).toBeLessThan(Date.now() - CLOCK_SKEW_ALLOWANCE_MS / 2);
  });

  it("carries a leaf's extensions, its key identifier chained to the intermediate's", () => {
    const parsed = new x509.X509Certificate(bundle.server);
    const intermediate = new x509.X509Certificate(simulator.intermediatePem);
    const basic = parsed.getExtension(x509.BasicConstraintsExtension);
    expect(basic?.ca).toBe(false);
    expect(basic?.critical).toBe(true);
    const usages = parsed.getExtension(x509.KeyUsagesExtension)?.usages ?? 0;
    expect(usages & x509.KeyUsageFlags.digitalSignature).toBeTruthy();
    expect(usages & x509.KeyUsageFlags.keyCertSign).toBe(0);
    expect(parsed.getExtension(x509.ExtendedKeyUsageExtension)?.usages).toEqual([
      x509.ExtendedKeyUsage.serverAuth,
    ]);
    expect(parsed.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId).toMatch(/^[0-9a-f]+$/);
    expect(parsed.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId).toBe(
      intermediate.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId,
    );
  });

  it("records the CSR it was issued for: same subject, names and public key", async () => {
    const csr = new x509.Pkcs10CertificateRequest(bundle.record.csr ?? "");
    expect(await csr.verify()).toBe(true);
    expect(csr.subject).toBe(`CN=${testCase.commonName}`);
    // Looked up by OID: Pkcs10CertificateRequest does not find it by class.
    const extension = csr.getExtension(SUBJECT_ALT_NAME_OID);
    expect(extension).toBeInstanceOf(x509.SubjectAlternativeNameExtension);
    const names =
      extension instanceof x509.SubjectAlternativeNameExtension ? extension.names.toJSON() : [];
    expect(names.map((name) => name.value)).toEqual([...testCase.subjectAltNames]);
    const parsed = new x509.X509Certificate(bundle.server);
    expect(csr.publicKey.toString("base64")).toBe(parsed.publicKey.toString("base64"));
  });
});

describe("the CA", () => {
  it("is a root and an intermediate with CA:true, the intermediate at pathlen 0", () => {
    const root = new x509.X509Certificate(simulator.rootPem);
    const intermediate = new x509.X509Certificate(simulator.intermediatePem);
    expect(root.getExtension(x509.BasicConstraintsExtension)).toMatchObject({ ca: true });
    expect(intermediate.getExtension(x509.BasicConstraintsExtension)).toMatchObject({
      ca: true,
      pathLength: 0,
    });
    expect(
      new X509Certificate(simulator.intermediatePem).checkIssued(
        new X509Certificate(simulator.rootPem),
      ),
    ).toBe(true);
  });

  it("answers downloads with the root when asked to", async () => {
    const withRoot = await startTestSimulator({ includeRoot: true });
    try {
      const client = new ApiClient(withRoot);
      const record = await client.orderAndIssue();
      const download = await client.get<DataAnswer<{ root: string | null }>>(
        `${certificatesPath()}/${record.id}/download`,
      );
      expect(download.body.data.root).toBe(withRoot.rootPem);
    } finally {
      await withRoot.close();
    }
  });

  it("is written to --ca-dir on first use and reused after", async () => {
    const caDir = join(workDir, "ca");
    const first = await startTestSimulator({ caDir });
    await first.close();
    expect(first.caCreated).toBe(true);
    expect(statSync(join(caDir, CA_FILES.intermediateKey)).mode & 0o777).toBe(0o600);
    expect(existsSync(join(caDir, "root-key.pem"))).toBe(false);

    const second = await startTestSimulator({ caDir });
    try {
      expect(second.caCreated).toBe(false);
      expect(second.rootPem).toBe(first.rootPem);
      expect(second.intermediatePem).toBe(first.intermediatePem);
      const bundle = await new ApiClient(second).orderAndIssue();
      const download = await new ApiClient(second).get<DataAnswer<{ server: string }>>(
        `${certificatesPath()}/${bundle.id}/download`,
      );
      const leaf = new X509Certificate(download.body.data.server);
      expect(leaf.checkIssued(new X509Certificate(first.intermediatePem))).toBe(true);
    } finally {
      await second.close();
    }
  });

  it("refuses a CA directory with only some of its files", async () => {
    const caDir = join(workDir, "partial-ca");
    const first = await startTestSimulator({ caDir });
    await first.close();
    rmSync(join(caDir, CA_FILES.intermediateKey));
    await expect(startTestSimulator({ caDir })).rejects.toThrow(CaDirectoryError);
  });
});

describe("private key forms", () => {
  it.each([
    ["ECDSA", "traditional", "-----BEGIN EC PRIVATE KEY-----"],
    ["RSA", "traditional", "-----BEGIN RSA PRIVATE KEY-----"],
    ["ECDSA", "pkcs8", "-----BEGIN PRIVATE KEY-----"],
    ["RSA", "pkcs8", "-----BEGIN PRIVATE KEY-----"],
  ] as const)("%s as %s: %s, matching the certificate", async (algorithm, format, header) => {
    simulator.updateSettings({ privateKeyFormat: format });
    try {
      const bundle = await issuedBundle({ signature_algorithm: algorithm });
      expect(bundle.privateKey.startsWith(`${header}\n`)).toBe(true);
      expect(bundle.privateKey.endsWith("-----\n")).toBe(true);
      const leaf = new X509Certificate(bundle.server);
      expect(leaf.checkPrivateKey(createPrivateKey(bundle.privateKey))).toBe(true);
    } finally {
      simulator.updateSettings({ privateKeyFormat: "traditional" });
    }
  });

  it("can be made not to match the certificate (admin)", async () => {
    const bundle = await issuedBundle({});
    await simulator.serveMismatchingPrivateKey(bundle.record.id);
    const key = await api.get<DataAnswer<{ private_key: string }>>(
      `${certificatesPath()}/${bundle.record.id}/private_key`,
    );
    const served = createPrivateKey(key.body.data.private_key);
    expect(served.asymmetricKeyType).toBe("ec");
    expect(new X509Certificate(bundle.server).checkPrivateKey(served)).toBe(false);
  });
});
