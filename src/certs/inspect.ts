// What an existing Secret holds, for the controller's decision: whether it is there, whether
// it passes verifyBundle, and what can still be read from it when it does not (so that
// drift shows: a Secret deleted, emptied, edited, or holding a key that no longer matches).
// Never throws for bad data: garbage is an answer here, not an error. The verdict and the
// facts come from one reading of the data (parsed-bundle.ts).
import type { TlsSecretData } from "./bundle.ts";
import { summariseCertificate } from "./certificates.ts";
import { type CertificateProblem, InvalidCertificateDataError } from "./errors.ts";
import { isKeyOf } from "./memo.ts";
import { type ParsedBundle, parseBundle, partOrUndefined } from "./parsed-bundle.ts";
import { type ValidityWindow, type VerifyOptions, verifyParsed } from "./verify.ts";

export interface InspectOptions extends Omit<VerifyOptions, "dnsNames"> {
  /**
   * The names the spec asks for; without them the names are not checked (a caller that
   * compares names itself reads them from `dnsNames` of the answer).
   */
  dnsNames?: readonly string[];
}

export interface TlsSecretInspection {
  /** The Secret exists and both tls.crt and tls.key hold more than whitespace. */
  present: boolean;
  /** It passes verifyBundle with the given options. */
  valid: boolean;
  /** Why it does not (absent when valid). */
  problem?: CertificateProblem;
  /** When valid: the time in which every certificate of it is (see VerifiedCertificate). */
  validity?: ValidityWindow;
  message?: string;
  /** Read from the first certificate of tls.crt when it parses, valid or not. */
  commonName?: string;
  dnsNames?: string[];
  notBefore?: Date;
  notAfter?: Date;
  serialNumber?: string;
  fingerprintSha256?: string;
  /** "ECDSA", "RSA", or Node's name of another key type. */
  keyAlgorithm?: string;
  /** Whether tls.key is the first certificate's key; absent when either cannot be read. */
  keyMatches?: boolean;
}

/** `data` undefined: there is no Secret. Missing keys in it read as empty. */
export function inspectTlsSecret(
  data: Partial<TlsSecretData> | undefined,
  options: InspectOptions,
): TlsSecretInspection {
  // No Secret reads as one without data: not present, and "tls.crt holds no certificate".
  return inspectParsed(parseBundle(data ?? {}), options);
}

/** inspectTlsSecret on data already read (parseBundle); never throws for bad data. */
export function inspectParsed(parsed: ParsedBundle, options: InspectOptions): TlsSecretInspection {
  const facts = readableFacts(parsed);
  const dnsNames = options.dnsNames ?? facts.dnsNames ?? [];
  const verdict = verdictOf(parsed, { ...options, dnsNames });
  return { present: parsed.present, ...verdict, ...facts };
}

function verdictOf(
  parsed: ParsedBundle,
  options: VerifyOptions,
): Pick<TlsSecretInspection, "valid" | "problem" | "message" | "validity"> {
  try {
    const { validity } = verifyParsed(parsed, options);
    return { valid: true, validity };
  } catch (error) {
    if (!(error instanceof InvalidCertificateDataError)) throw error;
    return { valid: false, problem: error.problem, message: error.message };
  }
}

function readableFacts(parsed: ParsedBundle): Partial<TlsSecretInspection> {
  const leaf = partOrUndefined(parsed.certificates)?.[0]?.certificate;
  if (leaf === undefined) return {};
  const {
    commonName,
    dnsNames,
    notBefore,
    notAfter,
    serialNumber,
    fingerprintSha256,
    keyAlgorithm,
  } = summariseCertificate(leaf);
  const key = partOrUndefined(parsed.key)?.key;
  return {
    ...(commonName === undefined ? {} : { commonName }),
    dnsNames,
    notBefore,
    notAfter,
    serialNumber,
    fingerprintSha256,
    keyAlgorithm,
    ...(key === undefined ? {} : { keyMatches: isKeyOf(leaf, key) }),
  };
}
