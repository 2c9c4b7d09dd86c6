// Certificates read out of PEM text with Node's X509Certificate, each remembering where it
// came from ("tls.crt certificate 2") so that messages can point at it, and the facts the
// checks and summaries read from them.
import type { X509Certificate } from "node:crypto";
import { InvalidCertificateDataError, parsePemAs } from "./errors.ts";
import { publicKeyOf, readCertificate, rememberedSignature } from "./memo.ts";
import type { PemBlock } from "./pem.ts";

export interface ParsedCertificate {
  readonly block: PemBlock;
  readonly certificate: X509Certificate;
  /** Where it is, for messages: "tls.crt certificate 2 (CN=...)". */
  readonly description: string;
}

/** What a caller keeps of a certificate. */
export interface CertificateSummary {
  commonName: string | undefined;
  dnsNames: string[];
  notBefore: Date;
  notAfter: Date;
  /** Lower-case hex, as CAs usually print it. */
  serialNumber: string;
  /** The issuer's distinguished name on one line: "O=..., CN=...". */
  issuer: string;
  /** SHA-256 of the DER, as openssl prints it: "AB:CD:...". */
  fingerprintSha256: string;
  /** "ECDSA", "RSA", or Node's name of another key type. */
  keyAlgorithm: string;
}

/**
 * Every block of the text, which must all be certificates; none for an empty text.
 * `field` names the text in messages ("tls.crt", "chain entry 1").
 */
export function parseCertificates(text: string, field: string): ParsedCertificate[] {
  const blocks = parsePemAs(text, field, "UnparsableCertificate");
  return blocks.map((block, index) => parseCertificate(block, `${field} certificate ${index + 1}`));
}

function parseCertificate(block: PemBlock, position: string): ParsedCertificate {
  checkCertificateLabel(block, position);
  let certificate: X509Certificate;
  try {
    certificate = readCertificate(block.text, block.der);
  } catch (error) {
    throw new InvalidCertificateDataError(
      "UnparsableCertificate",
      `${position} (line ${block.line}) is not a valid X.509 certificate`,
      { cause: error },
    );
  }
  return { block, certificate, description: describe(certificate, position) };
}

function describe(certificate: X509Certificate, position: string): string {
  const commonName = commonNameOf(certificate);
  return `${position} (${commonName === undefined ? oneLineName(certificate.subject) : `CN=${commonName}`})`;
}

/**
 * The certificates as parseCertificates(joinPem(their blocks), field) reads them, without
 * reading them again: renumbered, re-described and placed on the lines of the joined text.
 */
export function placeCertificates(
  certificates: readonly ParsedCertificate[],
  field: string,
): ParsedCertificate[] {
  let line = 1;
  return certificates.map(({ block, certificate }, index) => {
    const placed = { ...block, line };
    // A canonical block ends in exactly one "\n": its lines are the newlines it holds.
    line += block.text.split("\n").length - 1;
    return {
      block: placed,
      certificate,
      description: describe(certificate, `${field} certificate ${index + 1}`),
    };
  });
}

function checkCertificateLabel(block: PemBlock, position: string): void {
  if (block.label === "CERTIFICATE" && block.headers.length === 0) return;
  throw new InvalidCertificateDataError(
    "UnparsableCertificate",
    `${position} (line ${block.line}) is a ${block.label} block${block.headers.length > 0 ? " with headers" : ""}; only CERTIFICATE blocks belong here`,
  );
}

export function summariseCertificate(certificate: X509Certificate): CertificateSummary {
  return {
    commonName: commonNameOf(certificate),
    dnsNames: dnsNamesOf(certificate),
    notBefore: certificate.validFromDate,
    notAfter: certificate.validToDate,
    serialNumber: certificate.serialNumber.toLowerCase(),
    issuer: oneLineName(certificate.issuer),
    fingerprintSha256: certificate.fingerprint256,
    keyAlgorithm: keyAlgorithmOf(certificate),
  };
}

/**
 * The DNS names of the subjectAltName extension; Node writes it as `DNS:a, DNS:b`, quoting
 * (JSON-style) a value that holds a separator.
 */
export function dnsNamesOf(certificate: X509Certificate): string[] {
  const text = certificate.subjectAltName;
  if (text === undefined) return [];
  const names: string[] = [];
  for (const match of text.matchAll(/(?:^|, )([A-Za-z ]+):("(?:[^"\\]|\\.)*"|[^,]*)/g)) {
    const [, type, value = ""] = match;
    if (type !== "DNS") continue;
    names.push(value.startsWith('"') ? String(JSON.parse(value)) : value);
  }
  return names;
}

export function commonNameOf(certificate: X509Certificate): string | undefined {
  const line = certificate.subject.split("\n").find((part) => part.startsWith("CN="));
  return line?.slice("CN=".length);
}

/** Node writes distinguished names one attribute per line. */
export function oneLineName(distinguishedName: string): string {
  return distinguishedName.split("\n").join(", ");
}

/**
 * Whether `issuer` issued `subject`: the names (and key identifiers) link up and the
 * signature verifies with the issuer's key.
 */
export function signs(issuer: X509Certificate, subject: X509Certificate): boolean {
  return rememberedSignature(issuer, subject, () => {
    try {
      return subject.checkIssued(issuer) && subject.verify(publicKeyOf(issuer));
    } catch {
      // A key type that cannot verify this signature at all.
      return false;
    }
  });
}

export function sameCertificate(a: X509Certificate, b: X509Certificate): boolean {
  return a.raw.equals(b.raw);
}

function keyAlgorithmOf(certificate: X509Certificate): string {
  const type = publicKeyOf(certificate).asymmetricKeyType;
  if (type === "ec") return "ECDSA";
  if (type === "rsa" || type === "rsa-pss") return "RSA";
  return type ?? "unknown";
}
