// verifyBundle on real bundles: what the simulator issues (ECDSA and RSA, www, wildcard,
// custom and alternate names, keys in PKCS#1, SEC1 and PKCS#8) passes and is summarised;
// every kind of bad material fails with its problem code and a message that says what to fix.
import { X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import { assembleBundle } from "../../../src/certs/bundle.ts";
import { expectedDnsNames } from "../../../src/certs/dns-names.ts";
import { InvalidCertificateDataError } from "../../../src/certs/errors.ts";
import { verifyBundle } from "../../../src/certs/verify.ts";
import type { PrivateKeyFormat, SignatureAlgorithm } from "../../../src/simulator/model.ts";
import { buildFailureCases } from "./failure-cases.ts";
import {
  createAuthority,
  DOMAIN,
  ISSUED_AT,
  issueDownload,
  makeCertificate,
  NOW,
  withoutFinalNewline,
} from "./material.ts";

const authority = await createAuthority();
const SIMULATOR_INTERMEDIATE =
  "O=dnsimple-cert-operator simulator, CN=DNSimple Simulator Intermediate CA";

describe("verifyBundle accepts what the simulator issues", () => {
  it.each<{
    title: string;
    name: string;
    alternateNames?: string[];
    algorithm: SignatureAlgorithm;
    keyFormat: PrivateKeyFormat;
    keyLabel: string;
    commonName: string;
  }>([
    {
      title: "ECDSA www, SEC1 key",
      name: "www",
      algorithm: "ECDSA",
      keyFormat: "traditional",
      keyLabel: "EC PRIVATE KEY",
      commonName: `www.${DOMAIN}`,
    },
    {
      title: "ECDSA www, PKCS#8 key",
      name: "www",
      algorithm: "ECDSA",
      keyFormat: "pkcs8",
      keyLabel: "PRIVATE KEY",
      commonName: `www.${DOMAIN}`,
    },
    {
      title: "RSA www, PKCS#1 key",
      name: "www",
      algorithm: "RSA",
      keyFormat: "traditional",
      keyLabel: "RSA PRIVATE KEY",
      commonName: `www.${DOMAIN}`,
    },
    {
      title: "RSA www, PKCS#8 key",
      name: "www",
      algorithm: "RSA",
      keyFormat: "pkcs8",
      keyLabel: "PRIVATE KEY",
      commonName: `www.${DOMAIN}`,
    },
    {
      title: "ECDSA wildcard",
      name: "*",
      algorithm: "ECDSA",
      keyFormat: "traditional",
      keyLabel: "EC PRIVATE KEY",
      commonName: `*.${DOMAIN}`,
    },
    {
      title: "RSA wildcard, PKCS#8 key",
      name: "*",
      algorithm: "RSA",
      keyFormat: "pkcs8",
      keyLabel: "PRIVATE KEY",
      commonName: `*.${DOMAIN}`,
    },
    {
      title: "ECDSA custom name with alternate names",
      name: "api",
      alternateNames: [`docs.${DOMAIN}`, `status.${DOMAIN}`],
      algorithm: "ECDSA",
      keyFormat: "pkcs8",
      keyLabel: "PRIVATE KEY",
      commonName: `api.${DOMAIN}`,
    },
    {
      title: "RSA custom name with alternate names",
      name: "api",
      alternateNames: [`docs.${DOMAIN}`],
      algorithm: "RSA",
      keyFormat: "traditional",
      keyLabel: "RSA PRIVATE KEY",
      commonName: `api.${DOMAIN}`,
    },
  ])("$title", async (testCase) => {
    const issued = await issueDownload(authority, { ...testCase, includeRoot: true });
    const data = assembleBundle(issued.download, issued.privateKey);
    expect(data.tlsKey.split("\n")[0]).toBe(`-----BEGIN ${testCase.keyLabel}-----`);
    const dnsNames = expectedDnsNames({ domain: DOMAIN, ...testCase });

    const verified = verifyBundle(data, { dnsNames, now: NOW, trustedRoots: [authority.rootPem] });

    expect(verified).toEqual({
      commonName: testCase.commonName,
      dnsNames: issued.subjectAltNames,
      notBefore: issued.leaf.notBefore,
      notAfter: issued.leaf.notAfter,
      serialNumber: issued.leaf.serialNumber,
      issuer: SIMULATOR_INTERMEDIATE,
      fingerprintSha256: new X509Certificate(issued.leaf.certificatePem).fingerprint256,
      keyAlgorithm: testCase.algorithm,
      chainLength: 1,
      // The simulator's intermediate and root outlive the server certificate.
      validity: { from: issued.leaf.notBefore, until: issued.leaf.notAfter },
    });
  });
});

const www = await issueDownload(authority, { name: "www", algorithm: "ECDSA" });
const good = assembleBundle(www.download, www.privateKey);
const dnsNames = expectedDnsNames({ domain: DOMAIN, name: "www" });
const root = `${withoutFinalNewline(authority.rootPem)}\n`;
const cases = await buildFailureCases();

describe("verifyBundle accepts", () => {
  it.each([
    { title: "without ca.crt", data: good, now: NOW },
    { title: "with ca.crt", data: { ...good, caCrt: root }, now: NOW },
    {
      title: "with the root at the end of tls.crt",
      data: { ...good, tlsCrt: `${good.tlsCrt}${root}` },
      now: NOW,
    },
    {
      title: "with the root in tls.crt and ca.crt",
      data: { ...good, tlsCrt: `${good.tlsCrt}${root}`, caCrt: root },
      now: NOW,
    },
    { title: "at the first second of validity", data: good, now: www.leaf.notBefore },
    { title: "at the last second of validity", data: good, now: www.leaf.notAfter },
    {
      title: "expected names in another order and case",
      data: good,
      now: NOW,
      names: ["WWW.example.com", "example.com."],
    },
  ])("$title", ({ data, now, names }) => {
    const verified = verifyBundle(data, { dnsNames: names ?? dnsNames, now });
    expect(verified.serialNumber).toBe(www.leaf.serialNumber);
  });

  it("with trusted roots: ca.crt among them, or the chain signed by one of them", () => {
    const trustedRoots = [authority.rootPem];
    expect(
      verifyBundle({ ...good, caCrt: root }, { dnsNames, now: NOW, trustedRoots }).chainLength,
    ).toBe(1);
    expect(verifyBundle(good, { dnsNames, now: NOW, trustedRoots }).chainLength).toBe(1);
  });
});

describe("verifyBundle's validity window", () => {
  it("is the time in which every certificate is valid, ca.crt's too", async () => {
    const at = (seconds: number) => new Date(ISSUED_AT.getTime() + seconds * 1000);
    // The root starts last; the intermediate ends first, before the server certificate.
    const root = await makeCertificate({ commonName: "Late Root", ca: true, notBefore: at(-30) });
    const intermediate = await makeCertificate({
      commonName: "Short Intermediate",
      ca: true,
      issuer: root,
      notBefore: at(-86_400),
      notAfter: at(10 * 86_400),
    });
    const leaf = await makeCertificate({
      commonName: `www.${DOMAIN}`,
      ca: false,
      issuer: intermediate,
      dnsNames: [DOMAIN, `www.${DOMAIN}`],
      notBefore: at(-60),
    });
    const data = { tlsCrt: `${leaf.pem}${intermediate.pem}`, tlsKey: leaf.keyPem, caCrt: root.pem };

    const { validity, notAfter } = verifyBundle(data, {
      dnsNames: [DOMAIN, `www.${DOMAIN}`],
      now: NOW,
    });

    expect(validity).toEqual({ from: at(-30), until: at(10 * 86_400) });
    expect(notAfter.getTime()).toBeGreaterThan(validity.until.getTime());
  });
});

describe("verifyBundle refuses", () => {
  it.each(cases)("$title: $problem", ({ data, options, problem, message }) => {
    let thrown: unknown;
    try {
      verifyBundle(data, options);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidCertificateDataError);
    const error = thrown as InvalidCertificateDataError;
    expect({ problem: error.problem, reason: error.reason, name: error.name }).toEqual({
      problem,
      reason: "InvalidCertificateData",
      name: "InvalidCertificateDataError",
    });
    expect(error.message).toMatch(message);
  });

  it("names the missing and unexpected names in properties", () => {
    const wildcard = cases.find(({ title }) => title.startsWith("a wildcard where names"));
    expect(wildcard).toBeDefined();
    if (wildcard === undefined) return;
    expect(() => verifyBundle(wildcard.data, wildcard.options)).toThrow(
      expect.objectContaining({
        missingNames: ["example.com", "www.example.com"],
        unexpectedNames: [`*.${DOMAIN}`],
      }),
    );
  });

  it("covers every problem code", () => {
    expect(new Set(cases.map(({ problem }) => problem))).toEqual(
      new Set([
        "MissingServerCertificate",
        "MissingPrivateKey",
        "UnparsableCertificate",
        "UnparsableKey",
        "EncryptedKey",
        "KeyMismatch",
        "NotALeaf",
        "IntermediateNotACa",
        "ChainOutOfOrder",
        "ChainBroken",
        "ChainIncomplete",
        "UntrustedRoot",
        "NotYetValid",
        "Expired",
        "NamesMismatch",
      ]),
    );
  });
});
