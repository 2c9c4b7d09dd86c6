// Assembling DNSimple's answers into Secret data: tls.crt is the server certificate and the
// chain with a newline after every block (DNSimple's chain entries have none), the key keeps
// its form, ca.crt is the root when there is one.
import { createPublicKey } from "node:crypto";
import { describe, expect, it } from "vitest";
import { assembleBundle } from "../../../src/certs/bundle.ts";
import { type CertificateProblem, InvalidCertificateDataError } from "../../../src/certs/errors.ts";
import type { PrivateKeyFormat, SignatureAlgorithm } from "../../../src/simulator/model.ts";
import { createAuthority, issueDownload, withoutFinalNewline } from "./material.ts";

const authority = await createAuthority();
const INTERMEDIATE = `${withoutFinalNewline(authority.intermediatePem)}\n`;
const ROOT = `${withoutFinalNewline(authority.rootPem)}\n`;

const { download, privateKey, leaf } = await issueDownload(authority, {
  name: "www",
  algorithm: "RSA",
});
const encrypted = (type: "pkcs1" | "pkcs8") =>
  leaf.privateKey
    .export({ type, format: "pem", cipher: "aes-256-cbc", passphrase: "passphrase" })
    .toString();

describe("assembleBundle with the simulator's answers", () => {
  it.each<{
    algorithm: SignatureAlgorithm;
    keyFormat: PrivateKeyFormat;
    includeRoot: boolean;
    keyHeader: string;
  }>([
    {
      algorithm: "ECDSA",
      keyFormat: "traditional",
      includeRoot: false,
      keyHeader: "EC PRIVATE KEY",
    },
    {
      algorithm: "RSA",
      keyFormat: "traditional",
      includeRoot: false,
      keyHeader: "RSA PRIVATE KEY",
    },
    { algorithm: "ECDSA", keyFormat: "pkcs8", includeRoot: true, keyHeader: "PRIVATE KEY" },
    { algorithm: "RSA", keyFormat: "pkcs8", includeRoot: true, keyHeader: "PRIVATE KEY" },
  ])("$algorithm, $keyFormat key, root included: $includeRoot", async (testCase) => {
    const issued = await issueDownload(authority, { name: "www", ...testCase });
    // The answer's chain entry lacks its final newline, as DNSimple's do.
    expect(issued.download.chain[0]?.endsWith("-----END CERTIFICATE-----")).toBe(true);

    const data = assembleBundle(issued.download, issued.privateKey);

    expect(data.tlsCrt).toBe(`${issued.leaf.certificatePem}${INTERMEDIATE}`);
    expect(data.tlsCrt).not.toMatch(/-----END CERTIFICATE----------BEGIN/);
    expect(data.tlsCrt.match(/-----END CERTIFICATE-----\n/g)).toHaveLength(2);
    expect(data.tlsKey).toBe(issued.privateKey);
    expect(data.tlsKey.startsWith(`-----BEGIN ${testCase.keyHeader}-----\n`)).toBe(true);
    expect(data.tlsKey.endsWith(`-----END ${testCase.keyHeader}-----\n`)).toBe(true);
    if (testCase.includeRoot) expect(data.caCrt).toBe(ROOT);
    else expect(data).not.toHaveProperty("caCrt");
  });

  it("normalises line endings and whitespace of every part", async () => {
    const issued = await issueDownload(authority, {
      name: "api",
      algorithm: "ECDSA",
      includeRoot: true,
    });
    const crlf = (text: string) => `  ${text.replaceAll("\n", "\r\n")}\r\n\r\n`;
    const data = assembleBundle(
      {
        server: crlf(issued.download.server),
        chain: issued.download.chain.map(crlf),
        root: crlf(issued.download.root ?? ""),
      },
      withoutFinalNewline(issued.privateKey).replaceAll("\n", "\r\n"),
    );
    expect(data).toEqual(assembleBundle(issued.download, issued.privateKey));
  });

  it("joins chain entries holding several certificates and several entries", async () => {
    const issued = await issueDownload(authority, { name: "api", algorithm: "ECDSA" });
    const data = assembleBundle(
      {
        server: issued.download.server,
        chain: [`${INTERMEDIATE}${ROOT}`, withoutFinalNewline(ROOT)],
      },
      issued.privateKey,
    );
    expect(data.tlsCrt).toBe(`${issued.leaf.certificatePem}${INTERMEDIATE}${ROOT}${ROOT}`);
  });
});

describe("assembleBundle refuses", () => {
  it.each<{
    title: string;
    server?: string;
    chain?: string[];
    root?: string;
    key?: string;
    problem: CertificateProblem;
    message: RegExp;
  }>([
    {
      title: "an empty server",
      server: "",
      problem: "MissingServerCertificate",
      message: /^server must hold exactly one certificate; it holds 0$/,
    },
    {
      title: "two server certificates",
      server: `${download.server}${INTERMEDIATE}`,
      problem: "UnparsableCertificate",
      message: /it holds 2/,
    },
    {
      title: "garbage as server",
      server: "<html>Bad Gateway</html>",
      problem: "UnparsableCertificate",
      message: /^server: line 1: text outside a PEM block/,
    },
    {
      title: "a chain entry that is not PEM",
      chain: ["null"],
      problem: "UnparsableCertificate",
      message: /^chain entry 1: line 1/,
    },
    {
      title: "an empty chain entry",
      chain: [INTERMEDIATE, ""],
      problem: "UnparsableCertificate",
      message: /^chain entry 2 holds no certificate$/,
    },
    {
      title: "a key in the chain",
      chain: [privateKey],
      problem: "UnparsableCertificate",
      message:
        /^chain entry 1 certificate 1 \(line 1\) is a RSA PRIVATE KEY block; only CERTIFICATE blocks belong here$/,
    },
    {
      title: "a CERTIFICATE block that holds no certificate",
      chain: ["-----BEGIN CERTIFICATE-----\nAAECAwQF\n-----END CERTIFICATE-----"],
      problem: "UnparsableCertificate",
      message: /^chain entry 1 certificate 1 \(line 1\) is not a valid X.509 certificate$/,
    },
    {
      title: "a garbage root",
      root: "root",
      problem: "UnparsableCertificate",
      message: /^root: line 1/,
    },
    {
      title: "an empty private key",
      key: "",
      problem: "MissingPrivateKey",
      message: /^private_key holds no private key$/,
    },
    {
      title: "a PKCS#8 encrypted key",
      key: encrypted("pkcs8"),
      problem: "EncryptedKey",
      message: /^private_key: the private key is encrypted with a passphrase/,
    },
    {
      title: "a PKCS#1 encrypted key",
      key: encrypted("pkcs1"),
      problem: "EncryptedKey",
      message: /encrypted with a passphrase/,
    },
    {
      title: "a certificate as key",
      key: download.server,
      problem: "UnparsableKey",
      message: /a CERTIFICATE block is not a private key this operator reads/,
    },
    {
      title: "two keys",
      key: `${privateKey}${privateKey}`,
      problem: "UnparsableKey",
      message: /exactly one private key block; it holds 2: RSA PRIVATE KEY, RSA PRIVATE KEY/,
    },
    {
      title: "a public key",
      key: createPublicKey(leaf.privateKey).export({ type: "spki", format: "pem" }).toString(),
      problem: "UnparsableKey",
      message: /a PUBLIC KEY block is not a private key/,
    },
  ])("$title", ({ server, chain, root, key, problem, message }) => {
    let thrown: unknown;
    try {
      assembleBundle(
        { server: server ?? download.server, chain: chain ?? download.chain, root: root ?? null },
        key ?? privateKey,
      );
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidCertificateDataError);
    const error = thrown as InvalidCertificateDataError;
    expect(error.problem).toBe(problem);
    expect(error.reason).toBe("InvalidCertificateData");
    expect(error.message).toMatch(message);
  });
});
