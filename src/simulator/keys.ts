// Key pairs for certificates and the CA, and their PEM forms.
// DNSimple serves private keys in the "traditional" forms: PKCS#1 (`RSA PRIVATE KEY`) for
// RSA and SEC1 (`EC PRIVATE KEY`) for ECDSA; the simulator can serve PKCS#8 instead.
import { createPrivateKey, KeyObject, webcrypto } from "node:crypto";
import { InvalidInputError } from "./errors.ts";
import type { PrivateKeyFormat, SignatureAlgorithm } from "./model.ts";

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

const ECDSA_P256: webcrypto.EcKeyGenParams = { name: "ECDSA", namedCurve: "P-256" };

const RSA_2048: webcrypto.RsaHashedKeyGenParams = {
  name: "RSASSA-PKCS1-v1_5",
  modulusLength: 2048,
  publicExponent: new Uint8Array([1, 0, 1]),
  hash: "SHA-256",
};

export function generateKeyPair(algorithm: SignatureAlgorithm): Promise<CryptoKeyPair> {
  const parameters = algorithm === "RSA" ? RSA_2048 : ECDSA_P256;
  return webcrypto.subtle.generateKey(parameters, true, ["sign", "verify"]);
}

/**
 * The algorithm with which a key signs certificates and CSRs (always with SHA-256, or
 * SHA-384 for a P-384 key).
 */
export function signingAlgorithmOf(key: CryptoKey): webcrypto.Algorithm | webcrypto.EcdsaParams {
  const algorithm = key.algorithm as webcrypto.EcKeyAlgorithm;
  if (algorithm.name === "ECDSA") {
    return { name: "ECDSA", hash: algorithm.namedCurve === "P-384" ? "SHA-384" : "SHA-256" };
  }
  return { name: "RSASSA-PKCS1-v1_5" };
}

export function privateKeyPem(key: KeyObject | CryptoKey, format: PrivateKeyFormat): string {
  const keyObject = key instanceof KeyObject ? key : KeyObject.from(key);
  if (format === "pkcs8") return keyObject.export({ type: "pkcs8", format: "pem" }).toString();
  const type = keyObject.asymmetricKeyType === "rsa" ? "pkcs1" : "sec1";
  return keyObject.export({ type, format: "pem" }).toString();
}

/** Reads a signing key written by privateKeyPem (any of its forms). */
export function importSigningKey(pem: string): CryptoKey {
  const keyObject = createPrivateKey(pem);
  switch (keyObject.asymmetricKeyType) {
    case "ec": {
      const namedCurve = keyObject.asymmetricKeyDetails?.namedCurve;
      const curve = namedCurve === "secp384r1" ? "P-384" : "P-256";
      if (namedCurve !== "prime256v1" && namedCurve !== "secp384r1") {
        throw new InvalidInputError(`unsupported EC curve ${namedCurve}: use P-256 or P-384`);
      }
      return keyObject.toCryptoKey({ name: "ECDSA", namedCurve: curve }, true, ["sign"]);
    }
    case "rsa":
      return keyObject.toCryptoKey({ name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, true, ["sign"]);
    default:
      throw new InvalidInputError(
        `unsupported key type ${keyObject.asymmetricKeyType}: use ECDSA or RSA`,
      );
  }
}
