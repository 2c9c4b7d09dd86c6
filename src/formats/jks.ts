// Java KeyStores (keystore.jks, truststore.jks) as cert-manager writes them: a PrivateKeyEntry
// "certificate" with the chain of tls.crt, and a trustedCertEntry "ca" with the root when
// ca.crt is known (the truststore holds only that). No maintained JavaScript library writes
// JKS, and the format is small, so it is written out here after Sun's JavaKeyStore:
//
//   magic 0xFEEDFEED, version 2, entry count                          (u32 each, big-endian)
//   per entry: tag (1 key, 2 trusted cert), alias (Java's writeUTF: u16 length + bytes),
//              creation date (u64 milliseconds);
//     key:     u32 length + EncryptedPrivateKeyInfo DER, u32 chain length,
//              per certificate: writeUTF("X.509"), u32 length + DER
//     trusted: writeUTF("X.509"), u32 length + DER
//   SHA-1(password as UTF-16BE || "Mighty Aphrodite" || everything before)   (integrity)
//
// The key is protected with Sun's KeyProtector (OID 1.3.6.1.4.1.42.2.17.1.1): a 20-byte salt,
// the PKCS#8 key XORed with the keystream SHA-1(pw || salt), SHA-1(pw || previous), ..., and a
// checksum SHA-1(pw || PKCS#8) so a wrong key password is caught; Java stores any PKCS#8 key
// this way (RSA and ECDSA alike). The EncryptedPrivateKeyInfo around it is @peculiar/asn1-pkcs8's.
// Entry dates are the certificates' notBefore, so two writes differ only in the salt.
import { createHash, randomBytes, timingSafeEqual, X509Certificate } from "node:crypto";
import { EncryptedData, EncryptedPrivateKeyInfo } from "@peculiar/asn1-pkcs8";
import { AsnConvert } from "@peculiar/asn1-schema";
import { AlgorithmIdentifier } from "@peculiar/asn1-x509";
import { DER_NULL, KEY_ALIAS, type KeystoreContents, trustedAlias } from "./contents.ts";
import { FormatError } from "./errors.ts";
import {
  certificatesOf,
  type KeystoreInput,
  normalisedPkcs8,
  privateKeyPkcs8,
  rootOf,
} from "./input.ts";

export type JksContents = KeystoreContents;

const MAGIC = 0xfeedfeed;
const VERSION = 2;
const TAG_KEY = 1;
const TAG_TRUSTED = 2;
const KEY_PROTECTOR_OID = "1.3.6.1.4.1.42.2.17.1.1";
const INTEGRITY_WHITENER = Buffer.from("Mighty Aphrodite", "utf8");
const SHA1_LENGTH = 20;
const CERT_TYPE = "X.509";

/** What keystore.jks holds for the Secret: tls.key with the chain of tls.crt, and the root. */
export function jksKeystoreContents(input: KeystoreInput): KeystoreContents {
  return {
    privateKeyPkcs8: privateKeyPkcs8(input.tlsKey, "JKS"),
    certificates: certificatesOf(input.tlsCrt, "tls.crt", "JKS"),
    trusted: input.caCrt ? [rootOf(input.caCrt, "JKS")] : [],
  };
}

/** What truststore.jks holds: the root of ca.crt. */
export function jksTruststoreContents(caCrt: string): KeystoreContents {
  return { certificates: [], trusted: [rootOf(caCrt, "JKS")] };
}

/** keystore.jks: PrivateKeyEntry "certificate" with the chain, and trustedCertEntry "ca" when caCrt. */
export function jksKeystore(input: KeystoreInput, password: string): Buffer {
  return encodeJks(jksKeystoreContents(input), password);
}

/** truststore.jks: trustedCertEntry "ca". */
export function jksTruststore(caCrt: string, password: string): Buffer {
  return encodeJks(jksTruststoreContents(caCrt), password);
}

/** A JKS file holding exactly `contents` under `password` (store and key alike). */
export function encodeJks(contents: KeystoreContents, password: string): Buffer {
  const out = new Writer();
  const hasKey = contents.privateKeyPkcs8 !== undefined;
  out
    .u32(MAGIC)
    .u32(VERSION)
    .u32((hasKey ? 1 : 0) + contents.trusted.length);
  if (contents.privateKeyPkcs8) {
    const leaf = contents.certificates[0];
    if (!leaf)
      throw new FormatError("JKS", "InvalidInput", "a private key entry needs its certificate");
    out.u32(TAG_KEY).utf(KEY_ALIAS).u64(notBefore(leaf));
    out.bytes(protectKey(contents.privateKeyPkcs8, password));
    out.u32(contents.certificates.length);
    for (const der of contents.certificates) out.utf(CERT_TYPE).bytes(der);
  }
  contents.trusted.forEach((der, index) => {
    const alias = trustedAlias(index);
    out.u32(TAG_TRUSTED).utf(alias).u64(notBefore(der)).utf(CERT_TYPE).bytes(der);
  });
  const body = out.done();
  return Buffer.concat([body, integrityDigest(body, password)]);
}

/**
 * What a JKS file holds, after its integrity digest and each key's checksum verified with
 * `password`. Throws FormatError: WrongPassword, Corrupt (truncated, not JKS), Unsupported
 * (JCEKS, version 1, several keys, another key protection).
 */
export function readJks(bytes: Uint8Array, password: string): JksContents {
  const file = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (file.length < 12 + SHA1_LENGTH) corrupt("the file is too short for a keystore");
  const body = file.subarray(0, file.length - SHA1_LENGTH);
  const held = file.subarray(file.length - SHA1_LENGTH);
  const magic = body.readUInt32BE(0);
  if (magic === 0xcececece) unsupported("a JCEKS keystore");
  if (magic !== MAGIC) corrupt("the file is not a Java KeyStore (no 0xFEEDFEED magic)");
  if (body.readUInt32BE(4) !== VERSION) unsupported(`JKS version ${body.readUInt32BE(4)} (only 2)`);
  if (!timingSafeEqual(held, integrityDigest(body, password))) {
    throw new FormatError(
      "JKS",
      "WrongPassword",
      "the integrity digest does not verify: wrong password, or the file was altered",
    );
  }
  return readEntries(new Reader(body, 8), password);
}

function readEntries(input: Reader, password: string): JksContents {
  const keys: Buffer[] = [];
  let certificates: Buffer[] = [];
  const trusted: Buffer[] = [];
  const count = input.u32();
  for (let entry = 0; entry < count; entry++) {
    const tag = input.u32();
    input.utf(); // alias
    input.u64(); // creation date
    if (tag === TAG_KEY) {
      keys.push(unprotectKey(input.bytes(), password));
      const chainLength = input.u32();
      certificates = [];
      for (let i = 0; i < chainLength; i++) certificates.push(input.certificate());
    } else if (tag === TAG_TRUSTED) {
      trusted.push(input.certificate());
    } else {
      unsupported(`an entry of tag ${tag} (a secret key?)`);
    }
  }
  if (!input.atEnd()) corrupt("bytes follow the last entry");
  if (keys.length > 1) unsupported("more than one private key entry");
  return { ...(keys[0] ? { privateKeyPkcs8: keys[0] } : {}), certificates, trusted };
}

// Java's char[] password as bytes: each UTF-16 code unit big-endian, no terminator.
function passwordBytes(password: string): Buffer {
  return Buffer.from(password, "utf16le").swap16();
}

function integrityDigest(body: Buffer, password: string): Buffer {
  return createHash("sha1")
    .update(passwordBytes(password))
    .update(INTEGRITY_WHITENER)
    .update(body)
    .digest();
}

function protectKey(pkcs8: Buffer, password: string): Buffer {
  const pw = passwordBytes(password);
  const salt = randomBytes(SHA1_LENGTH);
  const encrypted = xor(pkcs8, keystream(pw, salt, pkcs8.length));
  const checksum = createHash("sha1").update(pw).update(pkcs8).digest();
  const info = new EncryptedPrivateKeyInfo({
    encryptionAlgorithm: new AlgorithmIdentifier({
      algorithm: KEY_PROTECTOR_OID,
      parameters: DER_NULL,
    }),
    encryptedData: new EncryptedData(Buffer.concat([salt, encrypted, checksum])),
  });
  return Buffer.from(AsnConvert.serialize(info));
}

function unprotectKey(der: Buffer, password: string): Buffer {
  let info: EncryptedPrivateKeyInfo;
  try {
    info = AsnConvert.parse(der, EncryptedPrivateKeyInfo);
  } catch {
    corrupt("a private key entry does not parse");
  }
  if (info.encryptionAlgorithm.algorithm !== KEY_PROTECTOR_OID) {
    unsupported(
      `key protection ${info.encryptionAlgorithm.algorithm} (only Sun's JKS key protector)`,
    );
  }
  const protectedKey = Buffer.from(info.encryptedData.buffer);
  if (protectedKey.length <= 2 * SHA1_LENGTH) corrupt("a protected key is too short");
  const pw = passwordBytes(password);
  const salt = protectedKey.subarray(0, SHA1_LENGTH);
  const encrypted = protectedKey.subarray(SHA1_LENGTH, protectedKey.length - SHA1_LENGTH);
  const checksum = protectedKey.subarray(protectedKey.length - SHA1_LENGTH);
  const plain = xor(encrypted, keystream(pw, salt, encrypted.length));
  if (!timingSafeEqual(checksum, createHash("sha1").update(pw).update(plain).digest())) {
    throw new FormatError(
      "JKS",
      "WrongPassword",
      "a private key's checksum does not verify: wrong key password",
    );
  }
  return normalisedPkcs8(plain, "JKS");
}

// SHA-1(pw || salt), then SHA-1(pw || previous digest), ..., cut to `length` bytes.
function keystream(pw: Buffer, salt: Buffer, length: number): Buffer {
  const blocks: Buffer[] = [];
  let digest = salt;
  for (let produced = 0; produced < length; produced += SHA1_LENGTH) {
    digest = createHash("sha1").update(pw).update(digest).digest();
    blocks.push(digest);
  }
  return Buffer.concat(blocks).subarray(0, length);
}

function xor(a: Buffer, b: Buffer): Buffer {
  return Buffer.from(a.map((byte, i) => byte ^ (b[i] ?? 0)));
}

function notBefore(der: Buffer): bigint {
  try {
    return BigInt(new X509Certificate(der).validFromDate.getTime());
  } catch {
    throw new FormatError("JKS", "InvalidInput", "a certificate does not parse");
  }
}

// Big-endian fields, and Java's writeUTF for the aliases and "X.509" (all ASCII here, where
// modified UTF-8 and UTF-8 are the same bytes).
class Writer {
  readonly #parts: Buffer[] = [];

  u32(value: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(value);
    this.#parts.push(b);
    return this;
  }

  u64(value: bigint): this {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(value);
    this.#parts.push(b);
    return this;
  }

  utf(text: string): this {
    const bytes = Buffer.from(text, "utf8");
    const length = Buffer.alloc(2);
    length.writeUInt16BE(bytes.length);
    this.#parts.push(length, bytes);
    return this;
  }

  bytes(value: Buffer): this {
    this.u32(value.length);
    this.#parts.push(value);
    return this;
  }

  done(): Buffer {
    return Buffer.concat(this.#parts);
  }
}

// The same fields read back, every read bounds-checked (a truncated file is Corrupt).
class Reader {
  readonly #data: Buffer;
  #offset: number;

  constructor(data: Buffer, offset: number) {
    this.#data = data;
    this.#offset = offset;
  }

  u32(): number {
    return this.#take(4).readUInt32BE(0);
  }

  u64(): bigint {
    return this.#take(8).readBigUInt64BE(0);
  }

  utf(): string {
    return this.#take(this.#take(2).readUInt16BE(0)).toString("utf8");
  }

  bytes(): Buffer {
    return this.#take(this.u32());
  }

  certificate(): Buffer {
    const type = this.utf();
    if (type !== CERT_TYPE) unsupported(`a certificate of type ${type}`);
    return Buffer.from(this.bytes());
  }

  atEnd(): boolean {
    return this.#offset === this.#data.length;
  }

  #take(length: number): Buffer {
    if (this.#offset + length > this.#data.length) corrupt("the keystore is truncated");
    const part = this.#data.subarray(this.#offset, this.#offset + length);
    this.#offset += length;
    return part;
  }
}

function corrupt(message: string): never {
  throw new FormatError("JKS", "Corrupt", message);
}

function unsupported(what: string): never {
  throw new FormatError("JKS", "Unsupported", `${what} is not supported`);
}
