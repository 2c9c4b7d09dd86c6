// The one error the certificate checks throw: the data from DNSimple (or in a Secret) is not
// a certificate bundle the operator may write. The controller turns it into Ready=False with
// reason InvalidCertificateData and the message, and writes nothing.
//
// Messages and properties name certificates, lines and labels, never the content of a
// private key: errors end up in logs, Events and status conditions.
import { type PemBlock, PemFormatError, parsePem } from "./pem.ts";

export const INVALID_CERTIFICATE_DATA = "InvalidCertificateData";

/** What is wrong, for callers that react differently (and for tests). */
export type CertificateProblem =
  // tls.crt (or the API's `server`) holds no certificate.
  | "MissingServerCertificate"
  // tls.key (or the API's `private_key`) holds nothing.
  | "MissingPrivateKey"
  // Not PEM, not a CERTIFICATE block, or not a DER certificate inside.
  | "UnparsableCertificate"
  // Not PEM, not exactly one private key block, or not a key of its stated form inside.
  | "UnparsableKey"
  // A passphrase-protected key: the operator has no passphrase and TLS servers need none.
  | "EncryptedKey"
  // The private key is not the server certificate's.
  | "KeyMismatch"
  // The server certificate is a CA certificate.
  | "NotALeaf"
  // A certificate after the server certificate is not a CA certificate.
  | "IntermediateNotACa"
  // The certificates are all there but not each followed by its issuer.
  | "ChainOutOfOrder"
  // A certificate is not issued and signed by the one after it (or by ca.crt).
  | "ChainBroken"
  // An intermediate is missing: the last certificate's issuer is nowhere in the bundle.
  | "ChainIncomplete"
  // The chain does not lead to one of the roots the caller trusts.
  | "UntrustedRoot"
  | "NotYetValid"
  | "Expired"
  // The server certificate's DNS names are not exactly the names the spec asks for.
  | "NamesMismatch";

export interface InvalidCertificateDataDetails {
  cause?: unknown;
  /** For NamesMismatch: expected names the certificate lacks, and names it has unasked. */
  missingNames?: readonly string[];
  unexpectedNames?: readonly string[];
}

export class InvalidCertificateDataError extends Error {
  readonly reason = INVALID_CERTIFICATE_DATA;
  readonly problem: CertificateProblem;
  readonly missingNames?: readonly string[];
  readonly unexpectedNames?: readonly string[];

  constructor(
    problem: CertificateProblem,
    message: string,
    details: InvalidCertificateDataDetails = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = "InvalidCertificateDataError";
    this.problem = problem;
    if (details.missingNames !== undefined) this.missingNames = details.missingNames;
    if (details.unexpectedNames !== undefined) this.unexpectedNames = details.unexpectedNames;
  }
}

/**
 * The blocks of a PEM text; a PEM error becomes `problem`, its message led by `field`
 * ("tls.crt: line 3: ..."). PemFormatError carries line numbers and labels only, so it may
 * travel as the cause.
 */
export function parsePemAs(text: string, field: string, problem: CertificateProblem): PemBlock[] {
  try {
    return parsePem(text);
  } catch (error) {
    if (!(error instanceof PemFormatError)) throw error;
    throw new InvalidCertificateDataError(problem, `${field}: ${error.message}`, { cause: error });
  }
}
