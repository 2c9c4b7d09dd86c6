// PKCS#12 keystores (keystore.p12, truststore.p12) in cert-manager's two profiles, and the
// reader the controller uses to tell whether a Secret's keystore still holds its key and chain.
//
// Why these libraries: the ASN.1 structures are PeculiarVentures' @peculiar/asn1-pfx,
// asn1-cms, asn1-pkcs8, asn1-pkcs9 and asn1-x509 (typed asn1-schema classes, RFC 7292/5652/
// 5208), the packages @peculiar/x509 is built on and already brings, so they add no code to the
// image; the cryptography is Node's (OpenSSL 3: PBKDF2, AES-256-CBC, DES-EDE3-CBC, HMAC, SHA),
// plus the 40-line PKCS#12 KDF of RFC 7292 B.2 (pkcs12-kdf.ts). The alternatives each covered
// only part and would have added a dependency: pkijs writes PBES2 and both MACs but has no
// PKCS#12 3DES cipher (LegacyDES), and its MAC key derivation widens each UTF-8 byte of the
// password into a UTF-16 unit, so a non-ASCII password yields a MAC OpenSSL and Java reject;
// node-forge has the 3DES cipher but its PKCS#12 writer takes only RSA keys (no ECDSA) and
// only a SHA-1 MAC (no Modern2023). Every file is checked by OpenSSL and keytool in the tests.
//
// Profiles (parameters as go-pkcs12's encoders, which cert-manager uses):
//   Modern2023  PBES2 (PBKDF2-HMAC-SHA256, 2048 iterations, 16-byte salt; AES-256-CBC) for the
//               key and the certificates; MAC HMAC-SHA256, 2048 iterations (OpenSSL 3's default)
//   LegacyDES   pbeWithSHAAnd3-KeyTripleDES-CBC, 2048 iterations, for both; MAC HMAC-SHA1,
//               1 iteration: for Java before 8u301, which cannot check a SHA-256 MAC
// (cert-manager's LegacyRC2 is left out: OpenSSL 3 has RC2 only in its legacy provider.)
//
// Layout, as OpenSSL and go-pkcs12 write it: an encrypted SafeContents with the certificate
// bags, then a plain one with the shrouded key bag. The key and the leaf carry friendlyName
// "certificate" (Java's alias) and the same localKeyId (the leaf's SHA-1), which pairs them;
// a trusted certificate carries friendlyName "ca" and Java's trusted-key-usage attribute.
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { ContentInfo, EncryptedContent } from "@peculiar/asn1-cms";
import {
  AuthenticatedSafe,
  CertBag,
  id_certBag,
  id_keyBag,
  id_pkcs8ShroudedKeyBag,
  id_x509Certificate,
  MacData,
  PFX,
  PKCS8ShroudedKeyBag,
  PKCS12Attribute,
  SafeBag,
  SafeContents,
} from "@peculiar/asn1-pfx";
import { EncryptedData as EncryptedDataOctets } from "@peculiar/asn1-pkcs8";
import {
  FriendlyName,
  id_pkcs9_at_friendlyName,
  id_pkcs9_at_localKeyId,
  LocalKeyId,
} from "@peculiar/asn1-pkcs9";
import { DigestInfo } from "@peculiar/asn1-rsa";
import { AsnConvert, OctetString } from "@peculiar/asn1-schema";
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
import {
  type CipherParameters,
  cipherOf,
  decrypt,
  encrypt,
  type Pkcs12Cipher,
} from "./pkcs12-ciphers.ts";
import { bmpPassword, type Pkcs12Hash, PURPOSE, pkcs12Kdf } from "./pkcs12-kdf.ts";
import { EncryptedData } from "./pkcs12-schemas.ts";

export type Pkcs12Profile = "Modern2023" | "LegacyDES";

export interface Pkcs12Contents extends KeystoreContents {
  /** The profile whose algorithms every part uses; "unknown" for any other mix. */
  readonly profile: Pkcs12Profile | "unknown";
}

interface ProfileParameters {
  readonly cipher: CipherParameters;
  readonly mac: {
    readonly hash: Pkcs12Hash;
    readonly iterations: number;
    readonly saltLength: number;
  };
}

const PROFILES: Readonly<Record<Pkcs12Profile, ProfileParameters>> = {
  Modern2023: {
    cipher: { cipher: "PBES2-AES256-SHA256", iterations: 2048, saltLength: 16 },
    mac: { hash: "sha256", iterations: 2048, saltLength: 16 },
  },
  LegacyDES: {
    cipher: { cipher: "PBE-SHA1-3DES", iterations: 2048, saltLength: 8 },
    mac: { hash: "sha1", iterations: 1, saltLength: 8 },
  },
};

const OID = {
  data: "1.2.840.113549.1.7.1",
  encryptedData: "1.2.840.113549.1.7.6",
  // Oracle's trusted-key-usage bag attribute: without it Java lists no trustedCertEntry.
  javaTrustedKeyUsage: "2.16.840.1.113894.746875.1.1",
} as const;

const DIGESTS: Readonly<Record<string, Pkcs12Hash>> = {
  "1.3.14.3.2.26": "sha1",
  "2.16.840.1.101.3.4.2.1": "sha256",
  "2.16.840.1.101.3.4.2.2": "sha384",
  "2.16.840.1.101.3.4.2.3": "sha512",
};
const DIGEST_OIDS: Readonly<Record<Pkcs12Hash, string>> = {
  sha1: "1.3.14.3.2.26",
  sha256: "2.16.840.1.101.3.4.2.1",
  sha384: "2.16.840.1.101.3.4.2.2",
  sha512: "2.16.840.1.101.3.4.2.3",
};

// DER of the OID anyExtendedKeyUsage (2.5.29.37.0), the value Java gives the attribute.
const ANY_EXTENDED_KEY_USAGE = new Uint8Array([0x06, 0x04, 0x55, 0x1d, 0x25, 0x00]).buffer;

/** What keystore.p12 holds for the Secret: tls.key and the chain of tls.crt (nothing trusted). */
export function pkcs12KeystoreContents(input: KeystoreInput): KeystoreContents {
  return {
    privateKeyPkcs8: privateKeyPkcs8(input.tlsKey, "PKCS12"),
    certificates: certificatesOf(input.tlsCrt, "tls.crt", "PKCS12"),
    trusted: [],
  };
}

/** What truststore.p12 holds: the root of ca.crt as a trusted certificate. */
export function pkcs12TruststoreContents(caCrt: string): KeystoreContents {
  return { certificates: [], trusted: [rootOf(caCrt, "PKCS12")] };
}

/** keystore.p12: the private key and the chain of tls.crt (leaf first), paired as alias "certificate". */
export async function pkcs12Keystore(
  input: KeystoreInput,
  password: string,
  profile: Pkcs12Profile,
): Promise<Buffer> {
  return encodePkcs12(pkcs12KeystoreContents(input), password, profile);
}

/** truststore.p12: the root of ca.crt as a trusted certificate, alias "ca". */
export async function pkcs12Truststore(
  caCrt: string,
  password: string,
  profile: Pkcs12Profile,
): Promise<Buffer> {
  return encodePkcs12(pkcs12TruststoreContents(caCrt), password, profile);
}

/** A PKCS#12 file holding exactly `contents`, under `password`, in `profile`. */
export function encodePkcs12(
  contents: KeystoreContents,
  password: string,
  profile: Pkcs12Profile,
): Buffer {
  const parameters = PROFILES[profile];
  const leaf = contents.certificates[0];
  const localKeyId =
    contents.privateKeyPkcs8 && leaf ? createHash("sha1").update(leaf).digest() : undefined;
  const safes = [encryptedSafe(certificateBags(contents, localKeyId), password, parameters.cipher)];
  if (contents.privateKeyPkcs8) {
    const keyBag = shroudedKeyBag(
      contents.privateKeyPkcs8,
      password,
      parameters.cipher,
      localKeyId,
    );
    safes.push(plainSafe([keyBag]));
  }
  const authSafe = Buffer.from(AsnConvert.serialize(new AuthenticatedSafe(safes)));
  const pfx = new PFX({
    version: 3,
    authSafe: dataContentInfo(authSafe),
    macData: macDataOf(authSafe, password, parameters.mac),
  });
  return Buffer.from(AsnConvert.serialize(pfx));
}

/**
 * What a PKCS#12 file holds, after its MAC verified with `password` and its parts decrypted.
 * Throws FormatError: WrongPassword when the MAC does not verify, Corrupt when it does not
 * parse, Unsupported for what the writers here never produce (no MAC, several keys, RC2...).
 */
export async function readPkcs12(bytes: Uint8Array, password: string): Promise<Pkcs12Contents> {
  const pfx = parse(bytes, PFX, "the file is not a PKCS#12 (PFX) structure");
  if (pfx.version !== 3) unsupported(`PFX version ${pfx.version} (only 3)`);
  if (pfx.authSafe.contentType !== OID.data)
    unsupported("public-key integrity mode (only password integrity)");
  const authSafe = octets(pfx.authSafe.content, "the authenticated safe");
  // asn1-pfx declares macData as always present; an absent one parses to an empty MacData.
  if (!pfx.macData || pfx.macData.mac.digest.byteLength === 0) unsupported("a file without a MAC");
  const macHash = verifyMac(pfx.macData, authSafe, password);
  const ciphers: Array<Pkcs12Cipher | undefined> = [];
  const bags: SafeBag[] = [];
  for (const safe of parse(authSafe, AuthenticatedSafe, "the authenticated safe does not parse")) {
    bags.push(...safeBagsOf(safe, password, ciphers));
  }
  return { ...bagContents(bags, password, ciphers), profile: profileOf(macHash, ciphers) };
}

function certificateBags(contents: KeystoreContents, localKeyId: Buffer | undefined): SafeBag[] {
  const chain = contents.certificates.map((der, index) =>
    certBag(
      der,
      index === 0 && localKeyId ? [friendlyName(KEY_ALIAS), localKeyIdAttribute(localKeyId)] : [],
    ),
  );
  const trusted = contents.trusted.map((der, index) =>
    certBag(der, [
      friendlyName(trustedAlias(index)),
      attribute(OID.javaTrustedKeyUsage, ANY_EXTENDED_KEY_USAGE),
    ]),
  );
  return [...chain, ...trusted];
}

function certBag(der: Buffer, attributes: PKCS12Attribute[]): SafeBag {
  const bag = new CertBag({
    certId: id_x509Certificate,
    certValue: AsnConvert.serialize(new OctetString(der)),
  });
  return new SafeBag({
    bagId: id_certBag,
    bagValue: AsnConvert.serialize(bag),
    ...(attributes.length > 0 ? { bagAttributes: attributes } : {}),
  });
}

function shroudedKeyBag(
  pkcs8: Buffer,
  password: string,
  cipher: CipherParameters,
  localKeyId: Buffer | undefined,
): SafeBag {
  const { algorithm, data } = encrypt(pkcs8, password, cipher);
  const bag = new PKCS8ShroudedKeyBag({
    encryptionAlgorithm: algorithm,
    encryptedData: new EncryptedDataOctets(data),
  });
  return new SafeBag({
    bagId: id_pkcs8ShroudedKeyBag,
    bagValue: AsnConvert.serialize(bag),
    bagAttributes: [
      friendlyName(KEY_ALIAS),
      ...(localKeyId ? [localKeyIdAttribute(localKeyId)] : []),
    ],
  });
}

function friendlyName(name: string): PKCS12Attribute {
  return attribute(id_pkcs9_at_friendlyName, AsnConvert.serialize(new FriendlyName(name)));
}

function localKeyIdAttribute(id: Buffer): PKCS12Attribute {
  return attribute(id_pkcs9_at_localKeyId, AsnConvert.serialize(new LocalKeyId(id)));
}

// Set field by field: asn1-pfx 2.11.1's PKCS12Attribute constructor drops its parameters.
function attribute(attrId: string, value: ArrayBuffer): PKCS12Attribute {
  const result = new PKCS12Attribute();
  result.attrId = attrId;
  result.attrValues = [value];
  return result;
}

function plainSafe(bags: SafeBag[]): ContentInfo {
  return dataContentInfo(Buffer.from(AsnConvert.serialize(new SafeContents(bags))));
}

function encryptedSafe(bags: SafeBag[], password: string, cipher: CipherParameters): ContentInfo {
  const { algorithm, data } = encrypt(
    Buffer.from(AsnConvert.serialize(new SafeContents(bags))),
    password,
    cipher,
  );
  const encrypted = new EncryptedData();
  encrypted.encryptedContentInfo.contentType = OID.data;
  encrypted.encryptedContentInfo.contentEncryptionAlgorithm = algorithm;
  encrypted.encryptedContentInfo.encryptedContent = new EncryptedContent({
    value: new OctetString(data),
  });
  return new ContentInfo({
    contentType: OID.encryptedData,
    content: AsnConvert.serialize(encrypted),
  });
}

function dataContentInfo(content: Buffer): ContentInfo {
  return new ContentInfo({
    contentType: OID.data,
    content: AsnConvert.serialize(new OctetString(content)),
  });
}

// The MAC key is the PKCS#12 KDF's (ID 3) over the password as a BMPString, as long as the hash.
function macKey(hash: Pkcs12Hash, password: string, salt: Uint8Array, iterations: number): Buffer {
  const length = createHash(hash).digest().length;
  return pkcs12Kdf(hash, bmpPassword(password), salt, iterations, PURPOSE.mac, length);
}

function macDataOf(authSafe: Buffer, password: string, mac: ProfileParameters["mac"]): MacData {
  const salt = randomBytes(mac.saltLength);
  const digest = createHmac(mac.hash, macKey(mac.hash, password, salt, mac.iterations))
    .update(authSafe)
    .digest();
  return new MacData({
    mac: new DigestInfo({
      digestAlgorithm: new AlgorithmIdentifier({
        algorithm: DIGEST_OIDS[mac.hash],
        parameters: DER_NULL,
      }),
      digest: new OctetString(digest),
    }),
    macSalt: new OctetString(salt),
    iterations: mac.iterations,
  });
}

function verifyMac(macData: MacData, authSafe: Buffer, password: string): Pkcs12Hash {
  const hash = DIGESTS[macData.mac.digestAlgorithm.algorithm];
  if (hash === undefined) unsupported(`MAC digest ${macData.mac.digestAlgorithm.algorithm}`);
  const salt = new Uint8Array(macData.macSalt.buffer);
  const expected = createHmac(hash, macKey(hash, password, salt, macData.iterations))
    .update(authSafe)
    .digest();
  const held = Buffer.from(macData.mac.digest.buffer);
  if (held.length !== expected.length || !timingSafeEqual(held, expected)) {
    throw new FormatError(
      "PKCS12",
      "WrongPassword",
      "the MAC does not verify: wrong password, or the file was altered",
    );
  }
  return hash;
}

function safeBagsOf(
  safe: ContentInfo,
  password: string,
  ciphers: Array<Pkcs12Cipher | undefined>,
): SafeBag[] {
  if (safe.contentType === OID.data) {
    return [...parse(octets(safe.content, "a safe"), SafeContents, "a safe does not parse")];
  }
  if (safe.contentType !== OID.encryptedData)
    unsupported(`a safe of content type ${safe.contentType}`);
  const info = parse(
    safe.content,
    EncryptedData,
    "an encrypted safe does not parse",
  ).encryptedContentInfo;
  const content = info.encryptedContent?.value ?? joined(info.encryptedContent?.constructedValue);
  if (!content) corrupt("an encrypted safe has no content");
  ciphers.push(cipherOf(info.contentEncryptionAlgorithm));
  const plain = decrypt(info.contentEncryptionAlgorithm, Buffer.from(content.buffer), password);
  return [...parse(plain, SafeContents, "an encrypted safe does not parse once decrypted")];
}

function bagContents(
  bags: readonly SafeBag[],
  password: string,
  ciphers: Array<Pkcs12Cipher | undefined>,
): KeystoreContents {
  const keys: Buffer[] = [];
  const certificates: Buffer[] = [];
  const trusted: Buffer[] = [];
  for (const bag of bags) {
    if (bag.bagId === id_pkcs8ShroudedKeyBag) {
      const shrouded = parse(bag.bagValue, PKCS8ShroudedKeyBag, "a key bag does not parse");
      ciphers.push(cipherOf(shrouded.encryptionAlgorithm));
      const plain = decrypt(
        shrouded.encryptionAlgorithm,
        Buffer.from(shrouded.encryptedData.buffer),
        password,
      );
      keys.push(normalisedPkcs8(plain, "PKCS12"));
    } else if (bag.bagId === id_keyBag) {
      keys.push(normalisedPkcs8(Buffer.from(bag.bagValue), "PKCS12"));
    } else if (bag.bagId === id_certBag) {
      const isTrusted = (bag.bagAttributes ?? []).some((a) => a.attrId === OID.javaTrustedKeyUsage);
      (isTrusted ? trusted : certificates).push(certificateOf(bag));
    } else {
      unsupported(`a safe bag of type ${bag.bagId}`);
    }
  }
  if (keys.length > 1) unsupported("more than one private key");
  return { ...(keys[0] ? { privateKeyPkcs8: keys[0] } : {}), certificates, trusted };
}

function certificateOf(bag: SafeBag): Buffer {
  const cert = parse(bag.bagValue, CertBag, "a certificate bag does not parse");
  if (cert.certId !== id_x509Certificate) unsupported(`a certificate of type ${cert.certId}`);
  return octets(cert.certValue, "a certificate bag");
}

function profileOf(
  mac: Pkcs12Hash,
  ciphers: ReadonlyArray<Pkcs12Cipher | undefined>,
): Pkcs12Profile | "unknown" {
  const all = (cipher: Pkcs12Cipher) => ciphers.length > 0 && ciphers.every((c) => c === cipher);
  if (mac === "sha256" && all("PBES2-AES256-SHA256")) return "Modern2023";
  if (mac === "sha1" && all("PBE-SHA1-3DES")) return "LegacyDES";
  return "unknown";
}

function octets(der: ArrayBuffer, what: string): Buffer {
  return Buffer.from(parse(der, OctetString, `${what} is not an OCTET STRING`).buffer);
}

function joined(parts: OctetString[] | undefined): OctetString | undefined {
  return parts
    ? new OctetString(Buffer.concat(parts.map((p) => Buffer.from(p.buffer))))
    : undefined;
}

function parse<T>(der: Uint8Array | ArrayBuffer, type: new () => T, message: string): T {
  try {
    return AsnConvert.parse(der, type);
  } catch {
    corrupt(message);
  }
}

function corrupt(message: string): never {
  throw new FormatError("PKCS12", "Corrupt", message);
}

function unsupported(what: string): never {
  throw new FormatError("PKCS12", "Unsupported", `${what} is not supported`);
}
