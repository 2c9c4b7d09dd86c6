// The Secret's extra keys (spec.additionalOutputFormats and spec.keystores): which ones the spec
// wants, building them from verified TLS data (each one read back and compared with that data
// before it may be written), and whether the ones a Secret holds are still exactly right. That
// last check reads the keystores back with the password instead of comparing bytes: a keystore
// carries a random salt, so building it again would rewrite the Secret on every pass.
import type { DnsimpleCertificateSpec, Pkcs12ProfileName } from "../api/v1alpha1.ts";
import type { TlsSecretData } from "../certs/bundle.ts";
import { combinedPem } from "../formats/combined-pem.ts";
import { type KeystoreContents, keystoreMismatch } from "../formats/contents.ts";
import { privateKeyDer } from "../formats/der.ts";
import {
  jksKeystore,
  jksKeystoreContents,
  jksTruststore,
  jksTruststoreContents,
  readJks,
} from "../formats/jks.ts";
import {
  pkcs12Keystore,
  pkcs12KeystoreContents,
  pkcs12Truststore,
  pkcs12TruststoreContents,
  readPkcs12,
} from "../formats/pkcs12.ts";

/** The extra keys, named as cert-manager names them. */
export const OUTPUT_KEYS = {
  combinedPem: "tls-combined.pem",
  der: "key.der",
  pkcs12Keystore: "keystore.p12",
  pkcs12Truststore: "truststore.p12",
  jksKeystore: "keystore.jks",
  jksTruststore: "truststore.jks",
} as const;

/** Every key the operator may write besides tls.crt, tls.key and ca.crt. */
export const EXTRA_KEYS: readonly string[] = Object.values(OUTPUT_KEYS);

/** The keystore passwords, read from the spec's passwordSecretRefs (never logged or stored). */
export interface KeystorePasswords {
  readonly pkcs12?: string;
  readonly jks?: string;
}

/** One extra key: when the spec wants it, how it is built, and whether given bytes hold `tls`. */
interface Output {
  readonly key: string;
  wanted(spec: DnsimpleCertificateSpec, hasCa: boolean): boolean;
  build(
    tls: TlsSecretData,
    spec: DnsimpleCertificateSpec,
    passwords: KeystorePasswords,
  ): Promise<Buffer>;
  /** Why `bytes` do not hold exactly what `tls` makes (undefined: they do); may throw FormatError. */
  mismatch(
    bytes: Buffer,
    tls: TlsSecretData,
    spec: DnsimpleCertificateSpec,
    passwords: KeystorePasswords,
  ): Promise<string | undefined>;
}

const wantsFormat = (spec: DnsimpleCertificateSpec, type: "CombinedPEM" | "DER") =>
  (spec.additionalOutputFormats ?? []).some((f) => f.type === type);
const wantsPkcs12 = (spec: DnsimpleCertificateSpec) => spec.keystores?.pkcs12?.create === true;
const wantsJks = (spec: DnsimpleCertificateSpec) => spec.keystores?.jks?.create === true;
const profileOf = (spec: DnsimpleCertificateSpec): Pkcs12ProfileName =>
  spec.keystores?.pkcs12?.profile ?? "Modern2023";

/** A PKCS#12 file's mismatch: its profile, then what it holds. */
async function pkcs12Mismatch(
  bytes: Buffer,
  wanted: KeystoreContents,
  spec: DnsimpleCertificateSpec,
  passwords: KeystorePasswords,
): Promise<string | undefined> {
  const held = await readPkcs12(bytes, password(passwords.pkcs12));
  if (held.profile !== profileOf(spec)) return `it is of profile ${held.profile}`;
  return keystoreMismatch(held, wanted);
}

/** The table of extra keys, in the order they are built. */
const OUTPUTS: readonly Output[] = [
  {
    key: OUTPUT_KEYS.combinedPem,
    wanted: (spec) => wantsFormat(spec, "CombinedPEM"),
    build: async (tls) => Buffer.from(combinedPem(tls.tlsKey, tls.tlsCrt)),
    mismatch: async (bytes, tls) =>
      bytes.equals(Buffer.from(combinedPem(tls.tlsKey, tls.tlsCrt)))
        ? undefined
        : "it is not tls.key followed by tls.crt",
  },
  {
    key: OUTPUT_KEYS.der,
    wanted: (spec) => wantsFormat(spec, "DER"),
    build: async (tls) => privateKeyDer(tls.tlsKey),
    mismatch: async (bytes, tls) =>
      bytes.equals(privateKeyDer(tls.tlsKey)) ? undefined : "it is not tls.key in DER",
  },
  {
    key: OUTPUT_KEYS.pkcs12Keystore,
    wanted: wantsPkcs12,
    build: (tls, spec, passwords) =>
      pkcs12Keystore(tls, password(passwords.pkcs12), profileOf(spec)),
    mismatch: (bytes, tls, spec, passwords) =>
      pkcs12Mismatch(bytes, pkcs12KeystoreContents(tls), spec, passwords),
  },
  {
    key: OUTPUT_KEYS.pkcs12Truststore,
    wanted: (spec, hasCa) => wantsPkcs12(spec) && hasCa,
    build: (tls, spec, passwords) =>
      pkcs12Truststore(caOf(tls), password(passwords.pkcs12), profileOf(spec)),
    mismatch: (bytes, tls, spec, passwords) =>
      pkcs12Mismatch(bytes, pkcs12TruststoreContents(caOf(tls)), spec, passwords),
  },
  {
    key: OUTPUT_KEYS.jksKeystore,
    wanted: wantsJks,
    build: async (tls, _spec, passwords) => jksKeystore(tls, password(passwords.jks)),
    mismatch: async (bytes, tls, _spec, passwords) =>
      keystoreMismatch(readJks(bytes, password(passwords.jks)), jksKeystoreContents(tls)),
  },
  {
    key: OUTPUT_KEYS.jksTruststore,
    wanted: (spec, hasCa) => wantsJks(spec) && hasCa,
    build: async (tls, _spec, passwords) => jksTruststore(caOf(tls), password(passwords.jks)),
    mismatch: async (bytes, tls, _spec, passwords) =>
      keystoreMismatch(readJks(bytes, password(passwords.jks)), jksTruststoreContents(caOf(tls))),
  },
];

/** A built or held extra key failed its check: nothing with it is written. */
export class OutputCheckError extends Error {
  override name = "OutputCheckError";
  readonly key: string;
  readonly why: string;
  constructor(key: string, why: string) {
    super(`${key}: ${why}`);
    this.key = key;
    this.why = why;
  }
}

/** The extra keys the spec wants, given whether the TLS data has a root (ca.crt). */
export function wantedOutputKeys(spec: DnsimpleCertificateSpec, hasCa: boolean): string[] {
  return OUTPUTS.filter((o) => o.wanted(spec, hasCa)).map((o) => o.key);
}

/** Whether the spec asks for any extra key (so a pass has to look at them at all). */
export function wantsOutputs(spec: DnsimpleCertificateSpec): boolean {
  return wantedOutputKeys(spec, true).length > 0;
}

/**
 * The extra keys the spec wants, built from `tls` (which must already be verified) and each
 * read back and compared with it: throws OutputCheckError rather than return one that differs.
 */
export async function buildOutputs(
  spec: DnsimpleCertificateSpec,
  tls: TlsSecretData,
  passwords: KeystorePasswords,
): Promise<Record<string, Buffer>> {
  const built: Record<string, Buffer> = {};
  for (const output of wantedOutputs(spec, tls)) {
    const bytes = await output.build(tls, spec, passwords);
    const why = await safeMismatch(output, bytes, tls, spec, passwords);
    if (why) throw new OutputCheckError(output.key, `built, but read back ${why}`);
    built[output.key] = bytes;
  }
  return built;
}

/**
 * Why the extra keys a Secret holds (`held`: those the operator wrote) are not exactly what the
 * spec wants for `tls`, or undefined when they are: a key missing or unwanted, a keystore that
 * does not open with the current password or holds another key or chain, another profile.
 */
export async function heldOutputsStale(
  spec: DnsimpleCertificateSpec,
  tls: TlsSecretData,
  held: Readonly<Record<string, Buffer>>,
  passwords: KeystorePasswords,
): Promise<string | undefined> {
  const wanted = wantedOutputs(spec, tls);
  const unwanted = Object.keys(held).filter((k) => !wanted.some((o) => o.key === k));
  if (unwanted.length > 0) return `${unwanted.join(", ")} no longer asked for`;
  for (const output of wanted) {
    const bytes = held[output.key];
    if (!bytes) return `${output.key} missing`;
    const why = await safeMismatch(output, bytes, tls, spec, passwords);
    if (why) return `${output.key}: ${why}`;
  }
  return undefined;
}

function wantedOutputs(spec: DnsimpleCertificateSpec, tls: TlsSecretData): Output[] {
  return OUTPUTS.filter((o) => o.wanted(spec, tls.caCrt !== undefined));
}

/** A keystore that does not open (wrong password, corrupt) is a mismatch, not an exception. */
async function safeMismatch(
  output: Output,
  bytes: Buffer,
  tls: TlsSecretData,
  spec: DnsimpleCertificateSpec,
  passwords: KeystorePasswords,
): Promise<string | undefined> {
  try {
    return await output.mismatch(bytes, tls, spec, passwords);
  } catch (err) {
    return `it does not open (${err instanceof Error ? err.message : String(err)})`;
  }
}

function caOf(tls: TlsSecretData): string {
  if (!tls.caCrt) throw new OutputCheckError("truststore", "no root (ca.crt) is known");
  return tls.caCrt;
}

function password(value: string | undefined): string {
  // decide() reads the passwords before any step that builds or checks a keystore.
  if (!value) throw new Error("keystore built or checked without its password");
  return value;
}
