// What a keystore holds, in the forms that compare: the private key as PKCS#8 DER (in Node's
// encoding, so equal keys are equal bytes), the certificates of the key's chain in order and
// the trusted certificates, each as DER. The writers build a keystore from exactly this, and
// the readers give it back, so "does this keystore still hold what the Secret says?" is a
// comparison of two such values; the bytes of two keystores never compare (random salts).
export interface KeystoreContents {
  /** The private key as PKCS#8 DER; absent in a truststore. */
  readonly privateKeyPkcs8?: Buffer;
  /** The key's chain: the leaf, then the intermediates, as DER. */
  readonly certificates: readonly Buffer[];
  /** Trusted certificates (the root of ca.crt), as DER. */
  readonly trusted: readonly Buffer[];
}

/** The alias (JKS) or friendly name (PKCS#12) of the key entry, as cert-manager names it. */
export const KEY_ALIAS = "certificate";

/** The alias of the first trusted certificate; later ones get "-1", "-2"... */
export function trustedAlias(index: number): string {
  return index === 0 ? "ca" : `ca-${index}`;
}

/** DER NULL: the AlgorithmIdentifier parameters Java and OpenSSL write for these algorithms. */
export const DER_NULL = new Uint8Array([0x05, 0x00]).buffer;

/** Why `held` does not hold exactly `wanted` (undefined: it does). Names parts, never bytes. */
export function keystoreMismatch(
  held: KeystoreContents,
  wanted: KeystoreContents,
): string | undefined {
  if (!sameOptional(held.privateKeyPkcs8, wanted.privateKeyPkcs8)) {
    if (!wanted.privateKeyPkcs8) return "it holds a private key";
    return held.privateKeyPkcs8 ? "it holds another private key" : "it holds no private key";
  }
  if (!sameList(held.certificates, wanted.certificates))
    return "it holds another certificate chain";
  if (!sameList(held.trusted, wanted.trusted)) return "it holds other trusted certificates";
  return undefined;
}

/** Whether `held` holds exactly `wanted`: the same key, chain and trusted certificates. */
export function sameKeystoreContent(held: KeystoreContents, wanted: KeystoreContents): boolean {
  return keystoreMismatch(held, wanted) === undefined;
}

function sameOptional(a: Buffer | undefined, b: Buffer | undefined): boolean {
  return a === undefined || b === undefined ? a === b : a.equals(b);
}

function sameList(a: readonly Buffer[], b: readonly Buffer[]): boolean {
  return a.length === b.length && a.every((x, i) => b[i]?.equals(x) === true);
}
