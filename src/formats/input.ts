// The Secret's PEM text read into the forms every encoder needs: the private key once parsed,
// and each certificate's DER. The readers of src/certs do the parsing (one set of PEM rules
// for the whole operator); their errors name lines and labels only, so their messages may be
// carried into a FormatError.
import { createPrivateKey, type KeyObject } from "node:crypto";
import type { TlsSecretData } from "../certs/bundle.ts";
import { InvalidCertificateDataError } from "../certs/errors.ts";
import { parsePem } from "../certs/pem.ts";
import {
  keyOfBlock,
  type PrivateKeyForm,
  privateKeyBlock,
  readPrivateKey,
} from "../certs/private-key.ts";
import { FormatError, type FormatName } from "./errors.ts";

/** What the keystore encoders take: the Secret's tls.key, tls.crt and (when known) ca.crt. */
export type KeystoreInput = Pick<TlsSecretData, "tlsKey" | "tlsCrt" | "caCrt">;

/** The key's block, checked: one unencrypted PKCS#1, SEC1 or PKCS#8 key of its stated form. */
export function keyBlockOf(
  tlsKey: string,
  format: FormatName,
): { der: Buffer; form: PrivateKeyForm } {
  return asFormatError(format, () => {
    const { block, form } = privateKeyBlock(tlsKey, "tls.key");
    keyOfBlock(block, form, "tls.key");
    return { der: block.der, form };
  });
}

/** The private key as PKCS#8 DER, the form every keystore stores (whatever tls.key's form). */
export function privateKeyPkcs8(tlsKey: string, format: FormatName): Buffer {
  const { key } = asFormatError(format, () => readPrivateKey(tlsKey, "tls.key"));
  return pkcs8Of(key);
}

/** A PKCS#8 key read from a keystore, in the one encoding Node writes (so equal keys compare equal). */
export function normalisedPkcs8(der: Buffer, format: FormatName): Buffer {
  try {
    return pkcs8Of(createPrivateKey({ key: der, format: "der", type: "pkcs8" }));
  } catch {
    throw new FormatError(format, "Corrupt", "the private key inside is not a PKCS#8 key");
  }
}

/** Each CERTIFICATE block's DER, in order; `field` must hold at least one and nothing else. */
export function certificatesOf(text: string, field: string, format: FormatName): Buffer[] {
  let blocks: ReturnType<typeof parsePem>;
  try {
    blocks = parsePem(text);
  } catch (error) {
    const why = error instanceof Error ? error.message : "not PEM";
    throw new FormatError(format, "InvalidInput", `${field}: ${why}`);
  }
  if (blocks.length === 0) {
    throw new FormatError(format, "InvalidInput", `${field} holds no certificate`);
  }
  const other = blocks.find((b) => b.label !== "CERTIFICATE");
  if (other) {
    throw new FormatError(
      format,
      "InvalidInput",
      `${field}: line ${other.line} holds a ${other.label} block, not a CERTIFICATE`,
    );
  }
  return blocks.map((b) => b.der);
}

/** The one root of ca.crt (a truststore holds exactly the root the Secret names). */
export function rootOf(caCrt: string, format: FormatName): Buffer {
  const [root, ...others] = certificatesOf(caCrt, "ca.crt", format);
  if (root === undefined || others.length > 0) {
    throw new FormatError(format, "InvalidInput", "ca.crt must hold exactly one certificate");
  }
  return root;
}

function pkcs8Of(key: KeyObject): Buffer {
  return key.export({ type: "pkcs8", format: "der" });
}

function asFormatError<T>(format: FormatName, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof InvalidCertificateDataError) {
      throw new FormatError(format, "InvalidInput", error.message);
    }
    throw error;
  }
}
