// What repeats from one Secret to the next is read and checked once. Every Secret of one CA
// carries the same intermediates (and ca.crt the same root): over 10,000 Secrets, parsing those
// and verifying their signatures again was most of what a pass costs, and a restart makes one
// pass per resource. The answers are pure functions of the bytes, so a remembered one is the
// same answer: certificates by their PEM text in a small least-recently-used map (the shared
// ones stay, each server certificate passes through), and per certificate object, held weakly,
// its public key, who signed it and whether a key is its own.
import { type KeyObject, X509Certificate } from "node:crypto";

/** Certificates kept by text: the few shared ones stay in use; far below any memory concern. */
export const CERTIFICATES_KEPT = 256;

/** A map of at most `capacity` entries that forgets the least recently used first. */
export class RecentlyUsed<K, V> {
  // A Map iterates in insertion order: a read moves its entry to the end.
  readonly #entries = new Map<K, V>();

  readonly capacity: number;

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  get(key: K): V | undefined {
    const value = this.#entries.get(key);
    if (value === undefined) return undefined;
    this.#entries.delete(key);
    this.#entries.set(key, value);
    return value;
  }

  set(key: K, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#entries.size <= this.capacity) return;
    const oldest = this.#entries.keys().next();
    if (!oldest.done) this.#entries.delete(oldest.value);
  }

  /** The keys, least recently used first. */
  keys(): K[] {
    return [...this.#entries.keys()];
  }
}

const byText = new RecentlyUsed<string, X509Certificate>(CERTIFICATES_KEPT);

/**
 * The certificate of this DER, read once while its PEM text (the canonical text of that DER,
 * pem.ts) is among the recently used.
 */
export function readCertificate(text: string, der: Buffer): X509Certificate {
  const kept = byText.get(text);
  if (kept !== undefined) return kept;
  const certificate = new X509Certificate(der);
  byText.set(text, certificate);
  return certificate;
}

const publicKeys = new WeakMap<X509Certificate, KeyObject>();

/** The certificate's public key (Node makes a new KeyObject at each `publicKey` read). */
export function publicKeyOf(certificate: X509Certificate): KeyObject {
  let key = publicKeys.get(certificate);
  if (key === undefined) {
    key = certificate.publicKey;
    publicKeys.set(certificate, key);
  }
  return key;
}

/** A remembered answer per pair of objects, forgotten with either. */
class PairMemo<A extends object, B extends object> {
  readonly #answers = new WeakMap<A, WeakMap<B, boolean>>();

  answer(a: A, b: B, compute: () => boolean): boolean {
    let inner = this.#answers.get(a);
    if (inner === undefined) {
      inner = new WeakMap();
      this.#answers.set(a, inner);
    }
    let value = inner.get(b);
    if (value === undefined) {
      value = compute();
      inner.set(b, value);
    }
    return value;
  }
}

const signatures = new PairMemo<X509Certificate, X509Certificate>();
const keyMatches = new PairMemo<X509Certificate, KeyObject>();

/** `compute` (does `issuer` sign `subject`?) once per pair of certificate objects. */
export function rememberedSignature(
  issuer: X509Certificate,
  subject: X509Certificate,
  compute: () => boolean,
): boolean {
  return signatures.answer(issuer, subject, compute);
}

/** Whether `key` is the certificate's own private key, checked once per pair of objects. */
export function isKeyOf(certificate: X509Certificate, key: KeyObject): boolean {
  return keyMatches.answer(certificate, key, () => certificate.checkPrivateKey(key));
}
