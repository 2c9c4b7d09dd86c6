// inspectTlsSecret reads whatever a Secret holds (nothing, garbage, an edited or outdated
// bundle) into an answer, never an exception, keeping what can still be read.
import { describe, expect, it } from "vitest";
import { assembleBundle, type TlsSecretData } from "../../../src/certs/bundle.ts";
import type { CertificateProblem } from "../../../src/certs/errors.ts";
import { inspectTlsSecret } from "../../../src/certs/inspect.ts";
import { WWW_NAMES } from "./failure-cases.ts";
import { createAuthority, DOMAIN, issueDownload, NOW, withoutFinalNewline } from "./material.ts";

const authority = await createAuthority();
const www = await issueDownload(authority, { name: "www", algorithm: "ECDSA", includeRoot: true });
const other = await issueDownload(authority, { name: "www", algorithm: "RSA" });
const good = assembleBundle(www.download, www.privateKey);
const otherBundle = assembleBundle(other.download, other.privateKey);

const facts = {
  commonName: `www.${DOMAIN}`,
  keyAlgorithm: "ECDSA",
  dnsNames: WWW_NAMES,
  notBefore: www.leaf.notBefore,
  notAfter: www.leaf.notAfter,
  serialNumber: www.leaf.serialNumber,
};
const otherFacts = { ...facts, serialNumber: other.leaf.serialNumber, keyAlgorithm: "RSA" };

describe("inspectTlsSecret", () => {
  it.each<{
    title: string;
    data: Partial<TlsSecretData> | undefined;
    now?: Date;
    dnsNames?: string[];
    present: boolean;
    problem?: CertificateProblem;
    read?: typeof facts;
    keyMatches?: boolean;
  }>([
    { title: "a valid Secret", data: good, present: true, read: facts, keyMatches: true },
    { title: "no Secret", data: undefined, present: false, problem: "MissingServerCertificate" },
    {
      title: "a Secret without data",
      data: {},
      present: false,
      problem: "MissingServerCertificate",
    },
    {
      title: "tls.crt emptied",
      data: { ...good, tlsCrt: "" },
      present: false,
      problem: "MissingServerCertificate",
    },
    {
      title: "tls.key emptied",
      data: { ...good, tlsKey: "\n" },
      present: false,
      problem: "MissingPrivateKey",
      read: facts,
    },
    {
      title: "garbage in tls.crt",
      data: { ...good, tlsCrt: "edited by hand" },
      present: true,
      problem: "UnparsableCertificate",
    },
    {
      title: "garbage in tls.key",
      data: { ...good, tlsKey: "-----BEGIN EC PRIVATE KEY-----\n!!\n-----END EC PRIVATE KEY-----" },
      present: true,
      problem: "UnparsableKey",
      read: facts,
    },
    {
      title: "a key that no longer matches",
      data: { ...good, tlsKey: other.privateKey },
      present: true,
      problem: "KeyMismatch",
      read: facts,
      keyMatches: false,
    },
    {
      title: "another certificate in tls.crt",
      data: { ...good, tlsCrt: otherBundle.tlsCrt },
      present: true,
      problem: "KeyMismatch",
      read: otherFacts,
      keyMatches: false,
    },
    {
      title: "a bundle that has expired",
      data: good,
      now: new Date(www.leaf.notAfter.getTime() + 1000),
      present: true,
      problem: "Expired",
      read: facts,
      keyMatches: true,
    },
    {
      title: "a spec that now asks for other names",
      data: good,
      dnsNames: [`api.${DOMAIN}`],
      present: true,
      problem: "NamesMismatch",
      read: facts,
      keyMatches: true,
    },
    {
      title: "a naively concatenated tls.crt",
      data: {
        ...good,
        tlsCrt: `${withoutFinalNewline(www.download.server)}${www.download.chain[0]}`,
      },
      present: true,
      problem: "UnparsableCertificate",
    },
    {
      title: "a ca.crt that is garbage",
      data: { ...good, caCrt: "root" },
      present: true,
      problem: "UnparsableCertificate",
      read: facts,
      keyMatches: true,
    },
  ])("$title", ({ data, now, dnsNames, present, problem, read, keyMatches }) => {
    const inspection = inspectTlsSecret(data, { dnsNames: dnsNames ?? WWW_NAMES, now: now ?? NOW });

    expect(inspection.present).toBe(present);
    expect(inspection.valid).toBe(problem === undefined);
    expect(inspection.problem).toBe(problem);
    if (problem === undefined) expect(inspection.message).toBeUndefined();
    else expect(inspection.message).toMatch(/\S/);
    if (read === undefined) {
      expect(inspection.serialNumber).toBeUndefined();
      expect(inspection.notAfter).toBeUndefined();
      expect(inspection.keyAlgorithm).toBeUndefined();
    } else {
      expect(inspection).toMatchObject(read);
      expect(inspection.fingerprintSha256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    }
    expect(inspection.keyMatches).toBe(keyMatches);
  });

  it("checks no names when given none, and still everything else", () => {
    expect(inspectTlsSecret(good, { now: NOW })).toMatchObject({
      valid: true,
      dnsNames: WWW_NAMES,
    });
    expect(inspectTlsSecret({ ...good, tlsKey: other.privateKey }, { now: NOW })).toMatchObject({
      valid: false,
      problem: "KeyMismatch",
    });
    expect(inspectTlsSecret(good, { now: NOW, dnsNames: [`api.${DOMAIN}`] }).problem).toBe(
      "NamesMismatch",
    );
  });
});
