// The private key of a bundle: one PEM block in one of the three unencrypted forms DNSimple
// (or a user) may give, kept in that form.
//   PKCS#1 "RSA PRIVATE KEY"  DNSimple's form for RSA
//   SEC1   "EC PRIVATE KEY"   DNSimple's form for ECDSA
//   PKCS#8 "PRIVATE KEY"      either algorithm
// Encrypted keys ("ENCRYPTED PRIVATE KEY", or a traditional block with Proc-Type:
// 4,ENCRYPTED) are refused: the operator has no passphrase, and TLS Secrets hold plain keys.
//
// Nothing here puts key material into an error: not in messages, not as a cause (OpenSSL's
// errors do not quote their input, but that is not ours to promise).
import { createPrivateKey, type KeyObject } from "node:crypto";
import { InvalidCertificateDataError, parsePemAs } from "./errors.ts";
import type { PemBlock } from "./pem.ts";

export type PrivateKeyForm = "pkcs1" | "sec1" | "pkcs8";

const FORMS: Readonly<Record<string, PrivateKeyForm>> = {
  "RSA PRIVATE KEY": "pkcs1",
  "EC PRIVATE KEY": "sec1",
  "PRIVATE KEY": "pkcs8",
};

const FORM_NAMES: Readonly<Record<PrivateKeyForm, string>> = {
  pkcs1: "PKCS#1",
  sec1: "SEC1",
  pkcs8: "PKCS#8",
};

export interface PrivateKeyPem {
  form: PrivateKeyForm;
  /** The key's block in canonical PEM form. */
  pem: string;
}

export interface PrivateKey extends PrivateKeyPem {
  key: KeyObject;
}

/**
 * The key's block, checked at the PEM level only: one block, a known unencrypted form.
 * `field` names where the text came from in messages ("tls.key", "private_key").
 */
export function normalisePrivateKey(text: string, field = "tls.key"): PrivateKeyPem {
  const { block, form } = privateKeyBlock(text, field);
  return { form, pem: block.text };
}

/** The key, parsed: its block must hold a key of the form its label states. */
export function readPrivateKey(text: string, field = "tls.key"): PrivateKey {
  const { block, form } = privateKeyBlock(text, field);
  return keyOfBlock(block, form, field);
}

/** What normalisePrivateKey checks, with the block itself, for a caller that reads it on. */
export function privateKeyBlock(
  text: string,
  field: string,
): { block: PemBlock; form: PrivateKeyForm } {
  const block = onlyKeyBlock(text, field);
  return { block, form: formOf(block, field) };
}

/** The key inside a block privateKeyBlock has checked, as readPrivateKey reads it. */
export function keyOfBlock(block: PemBlock, form: PrivateKeyForm, field: string): PrivateKey {
  const invalid = () =>
    new InvalidCertificateDataError(
      "UnparsableKey",
      `${field}: the ${block.label} block on line ${block.line} does not hold a valid ${FORM_NAMES[form]} private key`,
    );
  // OpenSSL 3 decodes a key whatever form it is told, so a SEC1 key labelled RSA PRIVATE
  // KEY would pass; stricter TLS stacks would refuse it. The structure must match the label.
  if (formOfStructure(block.der) !== form) throw invalid();
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: block.der, format: "der", type: form });
  } catch {
    throw invalid();
  }
  return { form, pem: block.text, key };
}

function onlyKeyBlock(text: string, field: string): PemBlock {
  const blocks = parsePemAs(text, field, "UnparsableKey");
  const [block, ...others] = blocks;
  if (block === undefined) {
    throw new InvalidCertificateDataError("MissingPrivateKey", `${field} holds no private key`);
  }
  if (others.length > 0) {
    throw new InvalidCertificateDataError(
      "UnparsableKey",
      `${field} must hold exactly one private key block; it holds ${blocks.length}: ${blocks.map((b) => b.label).join(", ")}`,
    );
  }
  return block;
}

function formOf(block: PemBlock, field: string): PrivateKeyForm {
  const encryptedHeader = block.headers.some(
    ({ name, value }) => name.toLowerCase() === "proc-type" && /ENCRYPTED/i.test(value),
  );
  if (block.label === "ENCRYPTED PRIVATE KEY" || encryptedHeader) {
    throw new InvalidCertificateDataError(
      "EncryptedKey",
      `${field}: the private key is encrypted with a passphrase; a TLS Secret needs it unencrypted (PKCS#1, SEC1 or PKCS#8)`,
    );
  }
  const form = FORMS[block.label];
  if (form === undefined || block.headers.length > 0) {
    throw new InvalidCertificateDataError(
      "UnparsableKey",
      `${field}: a ${block.label} block${block.headers.length > 0 ? " with headers" : ""} is not a private key this operator reads; expected RSA PRIVATE KEY, EC PRIVATE KEY or PRIVATE KEY`,
    );
  }
  return form;
}

// The three forms are all a SEQUENCE whose first element is an INTEGER (the version); the
// second tells them apart: PKCS#1 another INTEGER (the RSA modulus), SEC1 an OCTET STRING
// (the EC private key), PKCS#8 a SEQUENCE (the algorithm identifier).
function formOfStructure(der: Buffer): PrivateKeyForm | undefined {
  const sequence = derHeader(der, 0);
  if (sequence?.tag !== 0x30) return undefined;
  const version = derHeader(der, sequence.contentStart);
  if (version?.tag !== 0x02) return undefined;
  const second = derHeader(der, version.contentStart + version.length);
  switch (second?.tag) {
    case 0x02:
      return "pkcs1";
    case 0x04:
      return "sec1";
    case 0x30:
      return "pkcs8";
    default:
      return undefined;
  }
}

// The tag and length of the DER element at `offset` (definite lengths only, as DER has).
function derHeader(
  der: Buffer,
  offset: number,
): { tag: number; contentStart: number; length: number } | undefined {
  const tag = der[offset];
  const first = der[offset + 1];
  if (tag === undefined || first === undefined) return undefined;
  if (first < 0x80) return { tag, contentStart: offset + 2, length: first };
  const lengthBytes = first & 0x7f;
  if (lengthBytes === 0 || lengthBytes > 4 || offset + 2 + lengthBytes > der.length) {
    return undefined;
  }
  const length = der.readUIntBE(offset + 2, lengthBytes);
  return { tag, contentStart: offset + 2 + lengthBytes, length };
}
