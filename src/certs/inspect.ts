// What an existing Secret holds, for the controller's decision: whether it is there, whether
// it passes verifyBundle, and what can still be read from it when it does not (so that
// drift shows: a Secret deleted, emptied, edited, or holding a key that no longer matches).
// Never throws for bad data: garbage is an answer here, not an error.
import type { TlsSecretData } from "./bundle.ts";
import { parseCertificates, summariseCertificate } from "./certificates.ts";
import { type CertificateProblem, InvalidCertificateDataError } from "./errors.ts";
import { readPrivateKey } from "./private-key.ts";
import { type VerifyOptions, verifyBundle } from "./verify.ts";

export interface InspectOptions extends Omit<VerifyOptions, "dnsNames"> {
  // The names the spec asks for; without them the names are not checked (a caller that
  // compares names itself reads them from `dnsNames` of the answer).
  dnsNames?: readonly string[];
}

export interface TlsSecretInspection {
  // The Secret exists and both tls.crt and tls.key hold more than whitespace.
  present: boolean;
  // It passes verifyBundle with the given options.
  valid: boolean;
  // Why it does not (absent when valid).
  problem?: CertificateProblem;
  message?: string;
  // Read from the first certificate of tls.crt when it parses, valid or not.
  commonName?: string;
  dnsNames?: string[];
  notBefore?: Date;
  notAfter?: Date;
  serialNumber?: string;
  fingerprintSha256?: string;
  // "ECDSA", "RSA", or Node's name of another key type.
  keyAlgorithm?: string;
  // Whether tls.key is the first certificate's key; absent when either cannot be read.
  keyMatches?: boolean;
}

// `data` undefined: there is no Secret. Missing keys in it read as empty.
export function inspectTlsSecret(
  data: Partial<TlsSecretData> | undefined,
  options: InspectOptions,
): TlsSecretInspection {
  const tlsCrt = data?.tlsCrt ?? "";
  const tlsKey = data?.tlsKey ?? "";
  const present = data !== undefined && tlsCrt.trim() !== "" && tlsKey.trim() !== "";
  const facts = readableFacts(tlsCrt, tlsKey);
  const dnsNames = options.dnsNames ?? facts.dnsNames ?? [];
  const verdict = verdictOf({ tlsCrt, tlsKey, caCrt: data?.caCrt }, { ...options, dnsNames });
  return { present, ...verdict, ...facts };
}

function verdictOf(
  data: TlsSecretData,
  options: VerifyOptions,
): Pick<TlsSecretInspection, "valid" | "problem" | "message"> {
  try {
    verifyBundle(data, options);
    return { valid: true };
  } catch (error) {
    if (!(error instanceof InvalidCertificateDataError)) throw error;
    return { valid: false, problem: error.problem, message: error.message };
  }
}

function readableFacts(tlsCrt: string, tlsKey: string): Partial<TlsSecretInspection> {
  const leaf = attempt(() => parseCertificates(tlsCrt, "tls.crt")[0]?.certificate);
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
  const key = attempt(() => readPrivateKey(tlsKey, "tls.key").key);
  return {
    ...(commonName === undefined ? {} : { commonName }),
    dnsNames,
    notBefore,
    notAfter,
    serialNumber,
    fingerprintSha256,
    keyAlgorithm,
    ...(key === undefined ? {} : { keyMatches: leaf.checkPrivateKey(key) }),
  };
}

// The value, or undefined when the data cannot be read.
function attempt<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch (error) {
    if (error instanceof InvalidCertificateDataError) return undefined;
    throw error;
  }
}
