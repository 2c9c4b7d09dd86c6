// The check before any write: is this Secret data a certificate bundle to serve?
//   1. tls.crt holds certificates, the first a leaf (not a CA); tls.key holds one
//      unencrypted private key.
//   2. The key is the server certificate's.
//   3. Each certificate in tls.crt is issued and signed by the next; those after the
//      first are CAs.
//   4. The last one is signed by ca.crt when given, and leads to a trusted root when the
//      caller names some. Without either, tls.crt must at least hold an intermediate:
//      Let's Encrypt never signs a server certificate with its root.
//   5. `now` lies within the validity of every certificate.
//   6. The server certificate's DNS names are exactly the expected ones.
// The first failure throws InvalidCertificateDataError with a message that says what to
// fix; nothing of the private key appears in it.
import type { TlsSecretData } from "./bundle.ts";
import {
  type CertificateSummary,
  dnsNamesOf,
  oneLineName,
  type ParsedCertificate,
  sameCertificate,
  signs,
  summariseCertificate,
} from "./certificates.ts";
import { compareDnsNames } from "./dns-names.ts";
import { InvalidCertificateDataError } from "./errors.ts";
import { isKeyOf } from "./memo.ts";
import { type ParsedBundle, parseBundle, parseTrustedRoots, partOrThrow } from "./parsed-bundle.ts";
import type { PrivateKey } from "./private-key.ts";

export interface VerifyOptions {
  /** The names the spec asks for (see expectedDnsNames). */
  dnsNames: readonly string[];
  now: Date;
  /** PEM texts of roots to accept; when given, the chain must lead to one of them. */
  trustedRoots?: readonly string[];
}

export interface VerifiedCertificate extends CertificateSummary {
  /** The number of intermediates after the server certificate in tls.crt. */
  chainLength: number;
  /**
   * When every certificate checked (tls.crt's and ca.crt's) is valid: the latest notBefore and
   * the earliest notAfter among them. Check 5 holds at any time in this window.
   */
  validity: ValidityWindow;
}

/** A span of time, both ends included (as X.509 validity is). */
export interface ValidityWindow {
  from: Date;
  until: Date;
}

/**
 * Whether Secret data may be written (the checks of this file's header): the server
 * certificate's summary, or InvalidCertificateDataError for the first failure.
 */
export function verifyBundle(data: TlsSecretData, options: VerifyOptions): VerifiedCertificate {
  return verifyParsed(parseBundle(data), options);
}

/**
 * verifyBundle's checks (this file's header) on data already read by parseBundle or
 * assembleParsedBundle. Throws the first failure; a part that could not be read throws its
 * error where verifyBundle would have read it (tls.crt, then tls.key, then ca.crt).
 */
export function verifyParsed(parsed: ParsedBundle, options: VerifyOptions): VerifiedCertificate {
  const certificates = partOrThrow(parsed.certificates);
  const leaf = serverCertificateOf(certificates);
  const key = partOrThrow(parsed.key);
  const roots = partOrThrow(parsed.roots);
  const trustedRoots = parseTrustedRoots(options.trustedRoots ?? []);

  checkKeyMatches(leaf, key);
  checkLinks(certificates);
  checkIntermediatesAreCas(certificates.slice(1));
  checkTopOfChain(certificates, roots, trustedRoots);
  const checked = [...certificates, ...roots];
  for (const certificate of checked) checkValidity(certificate, options.now);
  checkNames(leaf, options.dnsNames);

  return {
    ...summariseCertificate(leaf.certificate),
    chainLength: certificates.length - 1,
    validity: commonValidity(checked),
  };
}

/** The time in which all the certificates are valid (they are all valid now, so it is not empty). */
function commonValidity(certificates: readonly ParsedCertificate[]): ValidityWindow {
  const from = Math.max(
    ...certificates.map(({ certificate }) => certificate.validFromDate.getTime()),
  );
  const until = Math.min(
    ...certificates.map(({ certificate }) => certificate.validToDate.getTime()),
  );
  return { from: new Date(from), until: new Date(until) };
}

function serverCertificateOf(certificates: readonly ParsedCertificate[]): ParsedCertificate {
  const [first] = certificates;
  if (first === undefined) {
    throw new InvalidCertificateDataError(
      "MissingServerCertificate",
      "tls.crt holds no certificate",
    );
  }
  if (first.certificate.ca) {
    const leaf = certificates.find(({ certificate }) => !certificate.ca);
    if (leaf !== undefined) {
      throw new InvalidCertificateDataError(
        "ChainOutOfOrder",
        `${first.description} is a CA certificate, but ${leaf.description} is a server certificate: ` +
          "tls.crt must begin with the server certificate, followed by its intermediates",
      );
    }
    throw new InvalidCertificateDataError(
      "NotALeaf",
      `${first.description} is a CA certificate, not a server certificate`,
    );
  }
  return first;
}

function checkKeyMatches(leaf: ParsedCertificate, key: PrivateKey): void {
  if (isKeyOf(leaf.certificate, key.key)) return;
  const summary = summariseCertificate(leaf.certificate);
  throw new InvalidCertificateDataError(
    "KeyMismatch",
    `tls.key is not the private key of ${leaf.description} (a ${summary.keyAlgorithm} certificate, ` +
      `serial ${summary.serialNumber}); the key belongs to another certificate`,
  );
}

function checkLinks(certificates: readonly ParsedCertificate[]): void {
  for (const [index, subject] of certificates.entries()) {
    const issuer = certificates[index + 1];
    if (issuer === undefined || signs(issuer.certificate, subject.certificate)) continue;
    const actualIssuer = certificates.find(
      (other) => other !== subject && signs(other.certificate, subject.certificate),
    );
    if (actualIssuer !== undefined) {
      throw new InvalidCertificateDataError(
        "ChainOutOfOrder",
        `${issuer.description} does not sign ${subject.description}; ${actualIssuer.description} does. ` +
          "Each certificate in tls.crt must be followed by the one that signed it",
      );
    }
    throw new InvalidCertificateDataError("ChainBroken", brokenLink(subject, issuer));
  }
}

function brokenLink(subject: ParsedCertificate, issuer: ParsedCertificate): string {
  const issuerName = oneLineName(subject.certificate.issuer);
  return subject.certificate.issuer === issuer.certificate.subject
    ? `${subject.description} names ${issuerName} as its issuer, but ${issuer.description} did not sign it (another key of the same name)`
    : `${subject.description} was issued by ${issuerName}, not by ${issuer.description}, which follows it`;
}

function checkIntermediatesAreCas(intermediates: readonly ParsedCertificate[]): void {
  const notCa = intermediates.find(({ certificate }) => !certificate.ca);
  if (notCa === undefined) return;
  throw new InvalidCertificateDataError(
    "IntermediateNotACa",
    `${notCa.description} is not a CA certificate, so it cannot sign the certificate before it; ` +
      "only intermediates belong after the server certificate",
  );
}

function checkTopOfChain(
  certificates: readonly ParsedCertificate[],
  roots: readonly ParsedCertificate[],
  trustedRoots: readonly ParsedCertificate[],
): void {
  const top = certificates.at(-1);
  if (top === undefined) return;
  let highest = top;
  if (roots.length > 0) {
    const root = issuerAmong(roots, top);
    if (root === undefined) throw missingLink(top, roots, certificates.length, "ca.crt");
    highest = root;
  }
  if (trustedRoots.length > 0) {
    if (issuerAmong(trustedRoots, highest) !== undefined) return;
    if (certificates.length === 1 && roots.length === 0) {
      throw missingLink(top, trustedRoots, certificates.length, "the trusted roots");
    }
    throw new InvalidCertificateDataError(
      "UntrustedRoot",
      `${highest.description}, issued by ${oneLineName(highest.certificate.issuer)}, does not lead to a trusted root ` +
        `(${trustedRoots.map(({ description }) => description).join("; ")})`,
    );
  }
  if (roots.length === 0 && certificates.length === 1) {
    throw new InvalidCertificateDataError(
      "ChainIncomplete",
      `tls.crt holds only the server certificate; its issuer ${oneLineName(top.certificate.issuer)} must follow it`,
    );
  }
}

// The certificate among `candidates` that is `subject` itself or signed it.
function issuerAmong(
  candidates: readonly ParsedCertificate[],
  subject: ParsedCertificate,
): ParsedCertificate | undefined {
  return candidates.find(
    ({ certificate }) =>
      sameCertificate(certificate, subject.certificate) || signs(certificate, subject.certificate),
  );
}

function missingLink(
  top: ParsedCertificate,
  roots: readonly ParsedCertificate[],
  certificateCount: number,
  rootsName: string,
): InvalidCertificateDataError {
  const issuerName = oneLineName(top.certificate.issuer);
  const namedRoot = roots.find(({ certificate }) => certificate.subject === top.certificate.issuer);
  if (namedRoot !== undefined) {
    return new InvalidCertificateDataError(
      "ChainBroken",
      `${top.description} names ${issuerName} as its issuer, but ${namedRoot.description} did not sign it`,
    );
  }
  const missing =
    certificateCount === 1 ? "the intermediates are missing" : "an intermediate is missing";
  return new InvalidCertificateDataError(
    "ChainIncomplete",
    `${top.description} was issued by ${issuerName}, which is neither in tls.crt nor in ${rootsName}: ${missing}`,
  );
}

function checkValidity({ certificate, description }: ParsedCertificate, now: Date): void {
  const notBefore = certificate.validFromDate;
  const notAfter = certificate.validToDate;
  const window = `valid from ${notBefore.toISOString()} to ${notAfter.toISOString()}; now is ${now.toISOString()}`;
  if (now < notBefore) {
    throw new InvalidCertificateDataError(
      "NotYetValid",
      `${description} is not valid yet (${window})`,
    );
  }
  if (now > notAfter) {
    throw new InvalidCertificateDataError("Expired", `${description} has expired (${window})`);
  }
}

function checkNames(leaf: ParsedCertificate, expected: readonly string[]): void {
  const actual = dnsNamesOf(leaf.certificate);
  const { missing, unexpected } = compareDnsNames(expected, actual);
  if (missing.length === 0 && unexpected.length === 0) return;
  const parts = [
    missing.length > 0 ? `missing ${missing.join(", ")}` : undefined,
    unexpected.length > 0 ? `not asked for ${unexpected.join(", ")}` : undefined,
  ].filter((part) => part !== undefined);
  throw new InvalidCertificateDataError(
    "NamesMismatch",
    `${leaf.description} covers ${actual.length === 0 ? "no DNS names" : actual.join(", ")}, ` +
      `not the names the spec asks for (${expected.join(", ")}): ${parts.join("; ")}`,
    { missingNames: missing, unexpectedNames: unexpected },
  );
}
