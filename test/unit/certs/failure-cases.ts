// Bundles that must not be written, one or more per problem code, made of real material:
// certificates from the simulator's CA and from other CAs, keys of other certificates,
// encrypted keys, broken chains. verify.test.ts checks the verdicts; secrecy.test.ts checks
// that no error leaks the private keys involved.
import { createPrivateKey } from "node:crypto";
import { assembleBundle, type TlsSecretData } from "../../../src/certs/bundle.ts";
import type { CertificateProblem } from "../../../src/certs/errors.ts";
import type { VerifyOptions } from "../../../src/certs/verify.ts";
import {
  createAuthority,
  DOMAIN,
  ISSUED_AT,
  intermediateSigner,
  issueDownload,
  keyPemOf,
  makeCertificate,
  NOW,
  withoutFinalNewline,
} from "./material.ts";

export interface FailureCase {
  title: string;
  data: TlsSecretData;
  options: VerifyOptions;
  problem: CertificateProblem;
  message: RegExp;
  // The private keys (PEM) in the material: nothing of them may appear in an error.
  keyPems: string[];
}

export const WWW_NAMES = [DOMAIN, `www.${DOMAIN}`];

export async function buildFailureCases(): Promise<FailureCase[]> {
  const authority = await createAuthority();
  // Another simulator CA: the same names, other keys.
  const lookalike = await createAuthority();

  const www = await issueDownload(authority, { name: "www", algorithm: "ECDSA" });
  const good = assembleBundle(www.download, www.privateKey);
  const api = await issueDownload(authority, { name: "api", algorithm: "ECDSA" });
  const rsa = await issueDownload(authority, { name: "www", algorithm: "RSA" });
  const wildcard = await issueDownload(authority, { name: "*", algorithm: "ECDSA" });
  const lookalikeLeaf = await issueDownload(lookalike, { name: "www", algorithm: "ECDSA" });
  const intermediateKeyPem = keyPemOf(authority.intermediateKey, "traditional");

  // A CA of other names, and a server certificate from it.
  const otherRoot = await makeCertificate({ commonName: "Other Root", ca: true });
  const otherIntermediate = await makeCertificate({
    commonName: "Other Intermediate",
    ca: true,
    issuer: otherRoot,
  });
  const otherLeaf = await makeCertificate({
    commonName: `www.${DOMAIN}`,
    ca: false,
    issuer: otherIntermediate,
    dnsNames: WWW_NAMES,
  });

  // root -> Intermediate A -> Intermediate B -> leaf.
  const twoLevelRoot = await makeCertificate({ commonName: "Two-Level Root", ca: true });
  const intermediateA = await makeCertificate({
    commonName: "Intermediate A",
    ca: true,
    issuer: twoLevelRoot,
  });
  const intermediateB = await makeCertificate({
    commonName: "Intermediate B",
    ca: true,
    issuer: intermediateA,
  });
  const twoLevelLeaf = await makeCertificate({
    commonName: `www.${DOMAIN}`,
    ca: false,
    issuer: intermediateB,
    dnsNames: WWW_NAMES,
  });

  // A certificate without CA:TRUE that signs anyway.
  const notCa = await makeCertificate({
    commonName: "Not A CA",
    ca: false,
    canSign: true,
    issuer: otherRoot,
  });
  const underNotCa = await makeCertificate({
    commonName: `www.${DOMAIN}`,
    ca: false,
    issuer: notCa,
    dnsNames: WWW_NAMES,
  });

  // An intermediate that expired before the server certificate it signed.
  const expiredIntermediate = await makeCertificate({
    commonName: "Expired Intermediate",
    ca: true,
    issuer: otherRoot,
    notBefore: new Date(ISSUED_AT.getTime() - 400 * 86_400_000),
    notAfter: new Date(ISSUED_AT.getTime() - 86_400_000),
  });
  const underExpired = await makeCertificate({
    commonName: `www.${DOMAIN}`,
    ca: false,
    issuer: expiredIntermediate,
    dnsNames: WWW_NAMES,
  });

  // The simulator's intermediate as a "server certificate", with its own key.
  const caAsServer = await makeCertificate({
    commonName: `www.${DOMAIN}`,
    ca: true,
    issuer: intermediateSigner(authority),
    dnsNames: WWW_NAMES,
  });

  const options: VerifyOptions = { dnsNames: WWW_NAMES, now: NOW };
  const keyLines = www.privateKey.split("\n");
  const encrypted = (type: "pkcs1" | "sec1" | "pkcs8") =>
    www.leaf.privateKey
      .export({ type, format: "pem", cipher: "aes-128-cbc", passphrase: "pass" })
      .toString();
  const ecDerAsRsa = formatAs(
    "RSA PRIVATE KEY",
    createPrivateKey(www.privateKey).export({ type: "sec1", format: "der" }),
  );
  const ecDerAsPkcs8 = formatAs(
    "PRIVATE KEY",
    createPrivateKey(www.privateKey).export({ type: "sec1", format: "der" }),
  );
  const rsaDerAsEc = formatAs(
    "EC PRIVATE KEY",
    createPrivateKey(rsa.privateKey).export({ type: "pkcs1", format: "der" }),
  );
  const chainOf = (...pems: string[]) =>
    pems.map((pem) => `${withoutFinalNewline(pem)}\n`).join("");
  const withCert = (tlsCrt: string, keyPem: string): TlsSecretData => ({ tlsCrt, tlsKey: keyPem });

  const cases: FailureCase[] = [
    {
      title: "an empty tls.crt",
      data: { ...good, tlsCrt: "" },
      options,
      problem: "MissingServerCertificate",
      message: /^tls\.crt holds no certificate$/,
      keyPems: [www.privateKey],
    },
    {
      title: "a tls.crt of whitespace",
      data: { ...good, tlsCrt: " \n\n" },
      options,
      problem: "MissingServerCertificate",
      message: /^tls\.crt holds no certificate$/,
      keyPems: [www.privateKey],
    },
    {
      title: "an empty tls.key",
      data: { ...good, tlsKey: "" },
      options,
      problem: "MissingPrivateKey",
      message: /^tls\.key holds no private key$/,
      keyPems: [www.privateKey],
    },

    {
      title: "garbage as tls.crt",
      data: { ...good, tlsCrt: "not a certificate" },
      options,
      problem: "UnparsableCertificate",
      message: /^tls\.crt: line 1: text outside a PEM block/,
      keyPems: [www.privateKey],
    },
    {
      title: "naively concatenated tls.crt",
      data: {
        ...good,
        tlsCrt: `${withoutFinalNewline(www.download.server)}${www.download.chain[0]}`,
      },
      options,
      problem: "UnparsableCertificate",
      message: /^tls\.crt: line \d+: an -----END \.\.\.----- line runs into the next -----BEGIN/,
      keyPems: [www.privateKey],
    },
    {
      title: "the private key in tls.crt",
      data: { ...good, tlsCrt: `${good.tlsCrt}${www.privateKey}` },
      options,
      problem: "UnparsableCertificate",
      message:
        /^tls\.crt certificate 3 \(line \d+\) is a EC PRIVATE KEY block; only CERTIFICATE blocks belong here$/,
      keyPems: [www.privateKey],
    },
    {
      title: "a CERTIFICATE block of garbage DER",
      data: {
        ...good,
        tlsCrt: "-----BEGIN CERTIFICATE-----\nMIIBAAAA\n-----END CERTIFICATE-----\n",
      },
      options,
      problem: "UnparsableCertificate",
      message: /^tls\.crt certificate 1 \(line 1\) is not a valid X\.509 certificate$/,
      keyPems: [www.privateKey],
    },

    {
      title: "garbage as tls.key",
      data: { ...good, tlsKey: "hunter2" },
      options,
      problem: "UnparsableKey",
      message: /^tls\.key: line 1: text outside a PEM block/,
      keyPems: [www.privateKey],
    },
    {
      title: "a key with a character that is not base64",
      data: {
        ...good,
        tlsKey: [
          keyLines[0],
          `${keyLines[1]?.slice(0, 10)}%${keyLines[1]?.slice(11)}`,
          ...keyLines.slice(2),
        ].join("\n"),
      },
      options,
      problem: "UnparsableKey",
      message:
        /^tls\.key: line 2: a character that is not base64 in the EC PRIVATE KEY block begun on line 1$/,
      keyPems: [www.privateKey],
    },
    {
      title: "a key whose DER is damaged",
      data: {
        ...good,
        tlsKey: [keyLines[0], "A".repeat(keyLines[1]?.length ?? 64), ...keyLines.slice(2)].join(
          "\n",
        ),
      },
      options,
      problem: "UnparsableKey",
      message:
        /^tls\.key: the EC PRIVATE KEY block on line 1 does not hold a valid SEC1 private key$/,
      keyPems: [www.privateKey],
    },
    {
      title: "an EC key labelled RSA PRIVATE KEY",
      data: { ...good, tlsKey: ecDerAsRsa },
      options,
      problem: "UnparsableKey",
      message:
        /^tls\.key: the RSA PRIVATE KEY block on line 1 does not hold a valid PKCS#1 private key$/,
      keyPems: [www.privateKey],
    },
    {
      title: "a SEC1 key labelled PRIVATE KEY (PKCS#8)",
      data: { ...good, tlsKey: ecDerAsPkcs8 },
      options,
      problem: "UnparsableKey",
      message:
        /^tls\.key: the PRIVATE KEY block on line 1 does not hold a valid PKCS#8 private key$/,
      keyPems: [www.privateKey],
    },
    {
      title: "a PKCS#1 key labelled EC PRIVATE KEY",
      data: { ...rsaBundle(), tlsKey: rsaDerAsEc },
      options,
      problem: "UnparsableKey",
      message:
        /^tls\.key: the EC PRIVATE KEY block on line 1 does not hold a valid SEC1 private key$/,
      keyPems: [rsa.privateKey],
    },
    {
      title: "a certificate as tls.key",
      data: { ...good, tlsKey: www.download.server },
      options,
      problem: "UnparsableKey",
      message: /^tls\.key: a CERTIFICATE block is not a private key this operator reads/,
      keyPems: [www.privateKey],
    },
    {
      title: "two keys in tls.key",
      data: { ...good, tlsKey: `${www.privateKey}${api.privateKey}` },
      options,
      problem: "UnparsableKey",
      message:
        /^tls\.key must hold exactly one private key block; it holds 2: EC PRIVATE KEY, EC PRIVATE KEY$/,
      keyPems: [www.privateKey, api.privateKey],
    },

    {
      title: "an encrypted PKCS#8 key",
      data: { ...good, tlsKey: encrypted("pkcs8") },
      options,
      problem: "EncryptedKey",
      message:
        /^tls\.key: the private key is encrypted with a passphrase; a TLS Secret needs it unencrypted/,
      keyPems: [www.privateKey, encrypted("pkcs8")],
    },
    {
      title: "an encrypted SEC1 key",
      data: { ...good, tlsKey: encrypted("sec1") },
      options,
      problem: "EncryptedKey",
      message: /^tls\.key: the private key is encrypted/,
      keyPems: [www.privateKey],
    },
    {
      title: "an encrypted PKCS#1 key",
      data: {
        ...rsaBundle(),
        tlsKey: rsa.leaf.privateKey
          .export({ type: "pkcs1", format: "pem", cipher: "aes-256-cbc", passphrase: "pass" })
          .toString(),
      },
      options,
      problem: "EncryptedKey",
      message: /^tls\.key: the private key is encrypted/,
      keyPems: [rsa.privateKey],
    },

    {
      title: "the key of another certificate",
      data: { ...good, tlsKey: api.privateKey },
      options,
      problem: "KeyMismatch",
      message:
        /^tls\.key is not the private key of tls\.crt certificate 1 \(CN=www\.example\.com\) \(a ECDSA certificate, serial [0-9a-f]+\); the key belongs to another certificate$/,
      keyPems: [api.privateKey, www.privateKey],
    },
    {
      title: "an RSA key for an ECDSA certificate",
      data: { ...good, tlsKey: rsa.privateKey },
      options,
      problem: "KeyMismatch",
      message: /^tls\.key is not the private key of tls\.crt certificate 1/,
      keyPems: [rsa.privateKey],
    },

    {
      title: "a CA certificate as server certificate",
      data: withCert(chainOf(authority.intermediatePem, authority.rootPem), intermediateKeyPem),
      options,
      problem: "NotALeaf",
      message:
        /^tls\.crt certificate 1 \(CN=DNSimple Simulator Intermediate CA\) is a CA certificate, not a server certificate$/,
      keyPems: [intermediateKeyPem],
    },
    {
      title: "a CA certificate with the server's names as server certificate",
      data: withCert(chainOf(caAsServer.pem, authority.intermediatePem), caAsServer.keyPem),
      options,
      problem: "NotALeaf",
      message: /^tls\.crt certificate 1 \(CN=www\.example\.com\) is a CA certificate/,
      keyPems: [caAsServer.keyPem],
    },

    {
      title: "the intermediate before the server certificate",
      data: withCert(chainOf(authority.intermediatePem, www.leaf.certificatePem), www.privateKey),
      options,
      problem: "ChainOutOfOrder",
      message:
        /^tls\.crt certificate 1 \(CN=DNSimple Simulator Intermediate CA\) is a CA certificate, but tls\.crt certificate 2 \(CN=www\.example\.com\) is a server certificate: tls\.crt must begin with the server certificate/,
      keyPems: [www.privateKey],
    },
    {
      title: "intermediates in the wrong order",
      data: withCert(
        chainOf(twoLevelLeaf.pem, intermediateA.pem, intermediateB.pem),
        twoLevelLeaf.keyPem,
      ),
      options,
      problem: "ChainOutOfOrder",
      message:
        /^tls\.crt certificate 2 \(CN=Intermediate A\) does not sign tls\.crt certificate 1 \(CN=www\.example\.com\); tls\.crt certificate 3 \(CN=Intermediate B\) does\. Each certificate in tls\.crt must be followed by the one that signed it$/,
      keyPems: [twoLevelLeaf.keyPem],
    },

    {
      title: "a server certificate of another CA",
      data: withCert(chainOf(otherLeaf.pem, authority.intermediatePem), otherLeaf.keyPem),
      options,
      problem: "ChainBroken",
      message:
        /^tls\.crt certificate 1 \(CN=www\.example\.com\) was issued by CN=Other Intermediate, not by tls\.crt certificate 2 \(CN=DNSimple Simulator Intermediate CA\), which follows it$/,
      keyPems: [otherLeaf.keyPem],
    },
    {
      title: "a server certificate of a lookalike CA (same names, other keys)",
      data: withCert(
        chainOf(lookalikeLeaf.leaf.certificatePem, authority.intermediatePem),
        lookalikeLeaf.privateKey,
      ),
      options,
      problem: "ChainBroken",
      message:
        /^tls\.crt certificate 1 \(CN=www\.example\.com\) names O=dnsimple-cert-operator simulator, CN=DNSimple Simulator Intermediate CA as its issuer, but tls\.crt certificate 2 \(CN=DNSimple Simulator Intermediate CA\) did not sign it/,
      keyPems: [lookalikeLeaf.privateKey],
    },
    {
      title: "a ca.crt that did not sign the intermediate",
      data: { ...good, caCrt: lookalike.rootPem },
      options,
      problem: "ChainBroken",
      message:
        /^tls\.crt certificate 2 \(CN=DNSimple Simulator Intermediate CA\) names O=dnsimple-cert-operator simulator, CN=DNSimple Simulator Root CA as its issuer, but ca\.crt certificate 1 \(CN=DNSimple Simulator Root CA\) did not sign it$/,
      keyPems: [www.privateKey],
    },

    {
      title: "a missing intermediate",
      data: withCert(www.download.server, www.privateKey),
      options,
      problem: "ChainIncomplete",
      message:
        /^tls\.crt holds only the server certificate; its issuer O=dnsimple-cert-operator simulator, CN=DNSimple Simulator Intermediate CA must follow it$/,
      keyPems: [www.privateKey],
    },
    {
      title: "a missing intermediate, with ca.crt",
      data: { tlsCrt: www.download.server, tlsKey: www.privateKey, caCrt: authority.rootPem },
      options,
      problem: "ChainIncomplete",
      message:
        /^tls\.crt certificate 1 \(CN=www\.example\.com\) was issued by O=dnsimple-cert-operator simulator, CN=DNSimple Simulator Intermediate CA, which is neither in tls\.crt nor in ca\.crt: the intermediates are missing$/,
      keyPems: [www.privateKey],
    },
    {
      title: "one of two intermediates missing",
      data: {
        tlsCrt: chainOf(twoLevelLeaf.pem, intermediateB.pem),
        tlsKey: twoLevelLeaf.keyPem,
        caCrt: twoLevelRoot.pem,
      },
      options,
      problem: "ChainIncomplete",
      message:
        /^tls\.crt certificate 2 \(CN=Intermediate B\) was issued by CN=Intermediate A, which is neither in tls\.crt nor in ca\.crt: an intermediate is missing$/,
      keyPems: [twoLevelLeaf.keyPem],
    },
    {
      title: "a missing intermediate, with trusted roots",
      data: withCert(www.download.server, www.privateKey),
      options: { ...options, trustedRoots: [authority.rootPem] },
      problem: "ChainIncomplete",
      message:
        /which is neither in tls\.crt nor in the trusted roots: the intermediates are missing$/,
      keyPems: [www.privateKey],
    },

    {
      title: "a non-CA certificate as intermediate",
      data: withCert(chainOf(underNotCa.pem, notCa.pem), underNotCa.keyPem),
      options,
      problem: "IntermediateNotACa",
      message:
        /^tls\.crt certificate 2 \(CN=Not A CA\) is not a CA certificate, so it cannot sign the certificate before it/,
      keyPems: [underNotCa.keyPem],
    },

    {
      title: "a chain to a root that is not trusted",
      data: good,
      options: { ...options, trustedRoots: [otherRoot.pem] },
      problem: "UntrustedRoot",
      message:
        /^tls\.crt certificate 2 \(CN=DNSimple Simulator Intermediate CA\), issued by O=dnsimple-cert-operator simulator, CN=DNSimple Simulator Root CA, does not lead to a trusted root \(trusted root 1 certificate 1 \(CN=Other Root\)\)$/,
      keyPems: [www.privateKey],
    },
    {
      title: "a ca.crt that is not trusted",
      data: { ...good, caCrt: authority.rootPem },
      options: { ...options, trustedRoots: [lookalike.rootPem] },
      problem: "UntrustedRoot",
      message:
        /^ca\.crt certificate 1 \(CN=DNSimple Simulator Root CA\), issued by .* does not lead to a trusted root/,
      keyPems: [www.privateKey],
    },

    {
      title: "a server certificate not valid yet",
      data: good,
      options: { ...options, now: new Date(www.leaf.notBefore.getTime() - 1000) },
      problem: "NotYetValid",
      message: new RegExp(
        `^tls\\.crt certificate 1 \\(CN=www\\.example\\.com\\) is not valid yet \\(valid from ${iso(www.leaf.notBefore)} to ${iso(www.leaf.notAfter)}; now is ${iso(new Date(www.leaf.notBefore.getTime() - 1000))}\\)$`,
      ),
      keyPems: [www.privateKey],
    },
    {
      title: "an expired server certificate",
      data: good,
      options: { ...options, now: new Date(www.leaf.notAfter.getTime() + 1000) },
      problem: "Expired",
      message: new RegExp(
        `^tls\\.crt certificate 1 \\(CN=www\\.example\\.com\\) has expired \\(valid from ${iso(www.leaf.notBefore)} to ${iso(www.leaf.notAfter)}; now is ${iso(new Date(www.leaf.notAfter.getTime() + 1000))}\\)$`,
      ),
      keyPems: [www.privateKey],
    },
    {
      title: "an expired intermediate",
      data: withCert(chainOf(underExpired.pem, expiredIntermediate.pem), underExpired.keyPem),
      options,
      problem: "Expired",
      message: /^tls\.crt certificate 2 \(CN=Expired Intermediate\) has expired/,
      keyPems: [underExpired.keyPem],
    },

    {
      title: "a name missing",
      data: good,
      options: { ...options, dnsNames: [...WWW_NAMES, `api.${DOMAIN}`] },
      problem: "NamesMismatch",
      message:
        /^tls\.crt certificate 1 \(CN=www\.example\.com\) covers example\.com, www\.example\.com, not the names the spec asks for \(example\.com, www\.example\.com, api\.example\.com\): missing api\.example\.com$/,
      keyPems: [www.privateKey],
    },
    {
      title: "a name not asked for",
      data: good,
      options: { ...options, dnsNames: [`www.${DOMAIN}`] },
      problem: "NamesMismatch",
      message: /: not asked for example\.com$/,
      keyPems: [www.privateKey],
    },
    {
      title: "a wildcard where names were asked for",
      data: assembleBundle(wildcard.download, wildcard.privateKey),
      options,
      problem: "NamesMismatch",
      message:
        /covers \*\.example\.com, not the names the spec asks for \(example\.com, www\.example\.com\): missing example\.com, www\.example\.com; not asked for \*\.example\.com$/,
      keyPems: [wildcard.privateKey],
    },
  ];
  return cases;

  function rsaBundle(): TlsSecretData {
    return assembleBundle(rsa.download, rsa.privateKey);
  }
}

function iso(date: Date): string {
  return date.toISOString().replaceAll(".", "\\.");
}

function formatAs(label: string, der: Buffer): string {
  const lines = der.toString("base64").match(/.{1,64}/g) ?? [];
  return [`-----BEGIN ${label}-----`, ...lines, `-----END ${label}-----`, ""].join("\n");
}
