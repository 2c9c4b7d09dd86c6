// The PKCS#12 key derivation (RFC 7292, appendix B.2), which derives the MAC key and the keys
// and IVs of the pbeWithSHAAnd3-KeyTripleDES-CBC cipher from a password. PBES2 uses PBKDF2
// instead (Node's crypto has it); this one exists nowhere in Node, so it is written out here,
// step by step as the RFC numbers them. OpenSSL reading what it derives (and this reading what
// OpenSSL writes) is tested in test/unit/formats/pkcs12.test.ts.
import { createHash } from "node:crypto";

/** What a derived value is for: the "ID" byte of B.2 (B.3 assigns them). */
export const PURPOSE = { key: 1, iv: 2, mac: 3 } as const;
export type Purpose = (typeof PURPOSE)[keyof typeof PURPOSE];

export type Pkcs12Hash = "sha1" | "sha256" | "sha384" | "sha512";

// u (the hash's output) and v (its input block), in bytes.
const SIZES: Readonly<Record<Pkcs12Hash, { u: number; v: number }>> = {
  sha1: { u: 20, v: 64 },
  sha256: { u: 32, v: 64 },
  sha384: { u: 48, v: 128 },
  sha512: { u: 64, v: 128 },
};

/**
 * The password as PKCS#12's KDF takes it: a BMPString (UTF-16 big-endian) with two zero bytes
 * at the end, as OpenSSL (from UTF-8) and Java (from its char[]) make it. An empty password
 * is just the two zero bytes.
 */
export function bmpPassword(password: string): Buffer {
  const bytes = Buffer.alloc(password.length * 2 + 2);
  for (let i = 0; i < password.length; i++) bytes.writeUInt16BE(password.charCodeAt(i), i * 2);
  return bytes;
}

/** `length` bytes derived from the BMPString `password` and `salt` for `purpose`. */
export function pkcs12Kdf(
  hash: Pkcs12Hash,
  password: Buffer,
  salt: Uint8Array,
  iterations: number,
  purpose: Purpose,
  length: number,
): Buffer {
  const { u, v } = SIZES[hash];
  // 1. D: v copies of the ID byte. 2–4. I = S || P, salt and password each repeated to a
  // multiple of v bytes.
  const d = Buffer.alloc(v, purpose);
  const i = Buffer.concat([repeatTo(salt, v), repeatTo(password, v)]);
  const output: Buffer[] = [];
  // 5–6. c = ceil(n / u) rounds; each hashes D || I `iterations` times, then adds B + 1 to
  // every v-byte block of I.
  for (let round = 0; round < Math.ceil(length / u); round++) {
    let a = createHash(hash).update(d).update(i).digest();
    for (let r = 1; r < iterations; r++) a = createHash(hash).update(a).digest();
    output.push(a);
    const b = repeatTo(a, v).subarray(0, v);
    for (let offset = 0; offset < i.length; offset += v) addPlusOne(i, offset, v, b);
  }
  // 7. The first n bytes of A_1 || A_2 || ... || A_c.
  return Buffer.concat(output).subarray(0, length);
}

// `bytes` repeated (the last copy cut short) to the smallest multiple of v at least as long.
function repeatTo(bytes: Uint8Array, v: number): Buffer {
  const length = v * Math.ceil(bytes.length / v);
  const out = Buffer.alloc(length);
  for (let k = 0; k < length; k++) out[k] = bytes[k % bytes.length] ?? 0;
  return out;
}

// I_j = (I_j + B + 1) mod 2^(8v), the block read as a big-endian integer.
function addPlusOne(i: Buffer, offset: number, v: number, b: Buffer): void {
  let carry = 1;
  for (let k = v - 1; k >= 0; k--) {
    const sum = (i[offset + k] ?? 0) + (b[k] ?? 0) + carry;
    i[offset + k] = sum & 0xff;
    carry = sum >> 8;
  }
}
