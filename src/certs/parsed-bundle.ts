// A Secret's data read once: the certificates of tls.crt, the key of tls.key and the roots of
// ca.crt, each part either read or the InvalidCertificateDataError that reading it raised.
// Inspection (inspect.ts) and verification (verify.ts) both judge this one reading, and the
// download path builds it from the pieces it has already read (bundle.ts), so a pass reads
// each certificate and the key once. This file is where certificates and keys are read from
// text for those checks; they do not call parseCertificates or readPrivateKey themselves.
//
// A failure is kept, not thrown: a Secret with garbage in tls.key still shows its
// certificate. Verification throws the kept error at the point it would have read the part.
import type { TlsSecretData } from "./bundle.ts";
import { type ParsedCertificate, parseCertificates } from "./certificates.ts";
import { InvalidCertificateDataError } from "./errors.ts";
import { type PrivateKey, readPrivateKey } from "./private-key.ts";

/** One part of a bundle: what was read from it, or why it could not be read. */
export type ParsedPart<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: InvalidCertificateDataError };

/** A Secret's data, read. */
export interface ParsedBundle {
  /** tls.crt and tls.key both hold more than whitespace. */
  readonly present: boolean;
  /** The certificates of tls.crt, in order (the server certificate first). */
  readonly certificates: ParsedPart<readonly ParsedCertificate[]>;
  /** The private key of tls.key. */
  readonly key: ParsedPart<PrivateKey>;
  /** The certificates of ca.crt; none when it is absent. */
  readonly roots: ParsedPart<readonly ParsedCertificate[]>;
}

/** Reads every part of the data once; missing parts read as empty. Never throws for bad data. */
export function parseBundle(data: Partial<TlsSecretData>): ParsedBundle {
  const tlsCrt = data.tlsCrt ?? "";
  const tlsKey = data.tlsKey ?? "";
  return {
    present: isPresent(tlsCrt, tlsKey),
    certificates: readPart(() => parseCertificates(tlsCrt, "tls.crt")),
    key: readPart(() => readPrivateKey(tlsKey, "tls.key")),
    roots: readPart(() => parseCertificates(data.caCrt ?? "", "ca.crt")),
  };
}

/** Whether tls.crt and tls.key both hold more than whitespace. */
export function isPresent(tlsCrt: string, tlsKey: string): boolean {
  return tlsCrt.trim() !== "" && tlsKey.trim() !== "";
}

/** The roots a caller trusts (PEM texts), read; throws InvalidCertificateDataError. */
export function parseTrustedRoots(texts: readonly string[]): ParsedCertificate[] {
  return texts.flatMap((text, index) => parseCertificates(text, `trusted root ${index + 1}`));
}

/** The part's value, or the error that reading it raised, thrown. */
export function partOrThrow<T>(part: ParsedPart<T>): T {
  if (part.ok) return part.value;
  throw part.error;
}

/** The part's value, or undefined when it could not be read. */
export function partOrUndefined<T>(part: ParsedPart<T>): T | undefined {
  return part.ok ? part.value : undefined;
}

/**
 * What `read` returns, or the InvalidCertificateDataError it throws; any other error is a
 * bug and propagates.
 */
export function readPart<T>(read: () => T): ParsedPart<T> {
  try {
    return { ok: true, value: read() };
  } catch (error) {
    if (error instanceof InvalidCertificateDataError) return { ok: false, error };
    throw error;
  }
}
