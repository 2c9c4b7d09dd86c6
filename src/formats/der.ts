// cert-manager's DER output (key.der): the bytes inside tls.key's one PEM block, so the DER
// has the encoding tls.key has (PKCS#1 for RSA and SEC1 for ECDSA as DNSimple hands them out,
// or PKCS#8), as cert-manager writes it. Readers that want PKCS#8 use the keystores.
import { keyBlockOf } from "./input.ts";

/** The DER of tls.key's private key block (checked: one unencrypted key of its stated form). */
export function privateKeyDer(tlsKey: string): Buffer {
  return keyBlockOf(tlsKey, "DER").der;
}
