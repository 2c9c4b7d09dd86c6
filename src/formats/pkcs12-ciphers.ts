// The password-based ciphers of the two PKCS#12 profiles, for the key bag and the encrypted
// certificates alike, each as an AlgorithmIdentifier (with its parameters) and the bytes:
//   PBES2: PBKDF2-HMAC-SHA256, AES-256-CBC   (Modern2023; password as UTF-8, as OpenSSL and
//                                             Java's PBKDF2 take it)
//   pbeWithSHAAnd3-KeyTripleDES-CBC           (LegacyDES; key and IV from the PKCS#12 KDF over
//                                             the password as a BMPString)
// Decryption also takes PBES2 with the other PBKDF2 hashes and AES sizes, so a keystore that
// OpenSSL or Java wrote reads too. Everything cryptographic is Node's (OpenSSL 3's default
// provider) except the PKCS#12 KDF (pkcs12-kdf.ts).
import { createCipheriv, createDecipheriv, pbkdf2Sync, randomBytes } from "node:crypto";
import { id_pbeWithSHAAnd3_KeyTripleDES_CBC } from "@peculiar/asn1-pfx";
import { AsnConvert, OctetString } from "@peculiar/asn1-schema";
import { AlgorithmIdentifier } from "@peculiar/asn1-x509";
import { DER_NULL } from "./contents.ts";
import { FormatError } from "./errors.ts";
import { bmpPassword, PURPOSE, pkcs12Kdf } from "./pkcs12-kdf.ts";
import { Pbes2Params, Pbkdf2Params, Pkcs12PbeParams } from "./pkcs12-schemas.ts";

export const OID = {
  pbes2: "1.2.840.113549.1.5.13",
  pbkdf2: "1.2.840.113549.1.5.12",
  hmacWithSha256: "1.2.840.113549.2.9",
  aes256Cbc: "2.16.840.1.101.3.4.1.42",
  pbeSha1TripleDes: id_pbeWithSHAAnd3_KeyTripleDES_CBC,
} as const;

/** The cipher of a profile. */
export type Pkcs12Cipher = "PBES2-AES256-SHA256" | "PBE-SHA1-3DES";

export interface CipherParameters {
  readonly cipher: Pkcs12Cipher;
  readonly iterations: number;
  readonly saltLength: number;
}

export interface Encrypted {
  readonly algorithm: AlgorithmIdentifier;
  readonly data: Buffer;
}

// PBKDF2's PRFs by OID (hmacWithSHA1 is the default when the parameters name none).
const PRF_HASHES: Readonly<Record<string, string>> = {
  "1.2.840.113549.2.7": "sha1",
  [OID.hmacWithSha256]: "sha256",
  "1.2.840.113549.2.10": "sha384",
  "1.2.840.113549.2.11": "sha512",
};

const AES_CBC: Readonly<Record<string, { cipher: string; keyLength: number }>> = {
  "2.16.840.1.101.3.4.1.2": { cipher: "aes-128-cbc", keyLength: 16 },
  "2.16.840.1.101.3.4.1.22": { cipher: "aes-192-cbc", keyLength: 24 },
  [OID.aes256Cbc]: { cipher: "aes-256-cbc", keyLength: 32 },
};

export function encrypt(plain: Buffer, password: string, parameters: CipherParameters): Encrypted {
  const salt = randomBytes(parameters.saltLength);
  return parameters.cipher === "PBES2-AES256-SHA256"
    ? encryptPbes2(plain, password, salt, parameters.iterations)
    : encryptTripleDes(plain, password, salt, parameters.iterations);
}

/** The cipher `algorithm` names, when it is one a profile uses (for telling the profile). */
export function cipherOf(algorithm: AlgorithmIdentifier): Pkcs12Cipher | undefined {
  if (algorithm.algorithm === OID.pbeSha1TripleDes) return "PBE-SHA1-3DES";
  if (algorithm.algorithm !== OID.pbes2) return undefined;
  const { kdf, scheme } = pbes2Parts(algorithm);
  const sha256 = kdf.prf?.algorithm === OID.hmacWithSha256;
  return sha256 && scheme.algorithm === OID.aes256Cbc ? "PBES2-AES256-SHA256" : undefined;
}

/** `data` decrypted as `algorithm` says; throws FormatError (never with the password or data). */
export function decrypt(algorithm: AlgorithmIdentifier, data: Buffer, password: string): Buffer {
  switch (algorithm.algorithm) {
    case OID.pbes2:
      return decryptPbes2(algorithm, data, password);
    case OID.pbeSha1TripleDes:
      return decryptTripleDes(algorithm, data, password);
    default:
      throw new FormatError(
        "PKCS12",
        "Unsupported",
        `encryption algorithm ${algorithm.algorithm} is not supported (only PBES2 and pbeWithSHAAnd3-KeyTripleDES-CBC)`,
      );
  }
}

function encryptPbes2(
  plain: Buffer,
  password: string,
  salt: Buffer,
  iterations: number,
): Encrypted {
  const iv = randomBytes(16);
  const key = pbkdf2Sync(Buffer.from(password, "utf8"), salt, iterations, 32, "sha256");
  const kdf = new Pbkdf2Params();
  kdf.salt = new OctetString(salt);
  kdf.iterationCount = iterations;
  kdf.prf = new AlgorithmIdentifier({ algorithm: OID.hmacWithSha256, parameters: DER_NULL });
  const params = new Pbes2Params();
  params.keyDerivationFunc = new AlgorithmIdentifier({
    algorithm: OID.pbkdf2,
    parameters: AsnConvert.serialize(kdf),
  });
  params.encryptionScheme = new AlgorithmIdentifier({
    algorithm: OID.aes256Cbc,
    parameters: AsnConvert.serialize(new OctetString(iv)),
  });
  const cipher = createCipheriv("aes-256-cbc", key, iv);
  return {
    algorithm: new AlgorithmIdentifier({
      algorithm: OID.pbes2,
      parameters: AsnConvert.serialize(params),
    }),
    data: Buffer.concat([cipher.update(plain), cipher.final()]),
  };
}

function decryptPbes2(algorithm: AlgorithmIdentifier, data: Buffer, password: string): Buffer {
  const { kdf, scheme } = pbes2Parts(algorithm);
  const hash = PRF_HASHES[kdf.prf?.algorithm ?? "1.2.840.113549.2.7"];
  const aes = AES_CBC[scheme.algorithm];
  if (hash === undefined || aes === undefined) {
    throw new FormatError(
      "PKCS12",
      "Unsupported",
      `PBES2 with PRF ${kdf.prf?.algorithm ?? "hmacWithSHA1"} and cipher ${scheme.algorithm} is not supported (only HMAC-SHA-1/2 and AES-CBC)`,
    );
  }
  const iv = parseParameters(scheme, OctetString, "the AES IV");
  const key = pbkdf2Sync(
    Buffer.from(password, "utf8"),
    Buffer.from(kdf.salt.buffer),
    kdf.iterationCount,
    aes.keyLength,
    hash,
  );
  return decipher(aes.cipher, key, Buffer.from(iv.buffer), data);
}

function pbes2Parts(algorithm: AlgorithmIdentifier): {
  kdf: Pbkdf2Params;
  scheme: AlgorithmIdentifier;
} {
  const params = parseParameters(algorithm, Pbes2Params, "the PBES2 parameters");
  if (params.keyDerivationFunc.algorithm !== OID.pbkdf2) {
    throw new FormatError(
      "PKCS12",
      "Unsupported",
      `PBES2 key derivation ${params.keyDerivationFunc.algorithm} is not supported (only PBKDF2)`,
    );
  }
  const kdf = parseParameters(params.keyDerivationFunc, Pbkdf2Params, "the PBKDF2 parameters");
  return { kdf, scheme: params.encryptionScheme };
}

function encryptTripleDes(
  plain: Buffer,
  password: string,
  salt: Buffer,
  iterations: number,
): Encrypted {
  const { key, iv } = tripleDesKey(password, salt, iterations);
  const params = new Pkcs12PbeParams();
  params.salt = new OctetString(salt);
  params.iterations = iterations;
  const cipher = createCipheriv("des-ede3-cbc", key, iv);
  return {
    algorithm: new AlgorithmIdentifier({
      algorithm: OID.pbeSha1TripleDes,
      parameters: AsnConvert.serialize(params),
    }),
    data: Buffer.concat([cipher.update(plain), cipher.final()]),
  };
}

function decryptTripleDes(algorithm: AlgorithmIdentifier, data: Buffer, password: string): Buffer {
  const params = parseParameters(algorithm, Pkcs12PbeParams, "the PBE parameters");
  const { key, iv } = tripleDesKey(password, Buffer.from(params.salt.buffer), params.iterations);
  return decipher("des-ede3-cbc", key, iv, data);
}

// RFC 7292 B.2 with SHA-1: a 24-byte key (three DES keys) and an 8-byte IV.
function tripleDesKey(
  password: string,
  salt: Buffer,
  iterations: number,
): { key: Buffer; iv: Buffer } {
  const bmp = bmpPassword(password);
  return {
    key: pkcs12Kdf("sha1", bmp, salt, iterations, PURPOSE.key, 24),
    iv: pkcs12Kdf("sha1", bmp, salt, iterations, PURPOSE.iv, 8),
  };
}

function decipher(name: string, key: Buffer, iv: Buffer, data: Buffer): Buffer {
  try {
    const cipher = createDecipheriv(name, key, iv);
    return Buffer.concat([cipher.update(data), cipher.final()]);
  } catch {
    // The MAC verified, so the password is right for it: the content itself is damaged (or
    // encrypted under another password, which no writer here does).
    throw new FormatError("PKCS12", "Corrupt", `${name} decryption failed (bad padding)`);
  }
}

function parseParameters<T>(algorithm: AlgorithmIdentifier, type: new () => T, what: string): T {
  if (!algorithm.parameters) {
    throw new FormatError("PKCS12", "Corrupt", `${what} are missing`);
  }
  try {
    return AsnConvert.parse(algorithm.parameters, type);
  } catch {
    throw new FormatError("PKCS12", "Corrupt", `${what} do not parse`);
  }
}
