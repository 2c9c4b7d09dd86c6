// The simulator's own CA: a root and an intermediate (ECDSA P-256), the way Let's Encrypt
// signs leaves with an intermediate under its root. Created at start, or kept in a
// directory (--ca-dir) so that a user can trust the root once and reuse it across runs.
//
// The directory holds root.pem, intermediate.pem and intermediate-key.pem. The root's
// private key is thrown away after signing the intermediate: nothing on disk can mint
// another intermediate under a root someone may have trusted.
import {
  KeyObject,
  X509Certificate as NodeX509Certificate,
  randomBytes,
  type webcrypto,
} from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { generateKeyPair, importSigningKey, privateKeyPem, signingAlgorithmOf } from "./keys.ts";
import { x509 } from "./x509-provider.ts";

export interface CertificateAuthority {
  rootPem: string;
  intermediatePem: string;
  intermediate: x509.X509Certificate;
  intermediateKey: webcrypto.CryptoKey;
}

export const CA_FILES = {
  root: "root.pem",
  intermediate: "intermediate.pem",
  intermediateKey: "intermediate-key.pem",
} as const;

export class CaDirectoryError extends Error {
  constructor(directory: string, problem: string) {
    super(`CA directory ${directory}: ${problem}`);
    this.name = "CaDirectoryError";
  }
}

const ORGANIZATION = "dnsimple-cert-operator simulator";
const ROOT_NAME: x509.JsonName = [{ O: [ORGANIZATION] }, { CN: ["DNSimple Simulator Root CA"] }];
const INTERMEDIATE_NAME: x509.JsonName = [
  { O: [ORGANIZATION] },
  { CN: ["DNSimple Simulator Intermediate CA"] },
];

const HOUR_MS = 3_600_000;
const YEAR_MS = 365 * 24 * HOUR_MS;

export async function createCertificateAuthority(now: Date): Promise<CertificateAuthority> {
  const notBefore = new Date(now.getTime() - HOUR_MS);
  const rootKeys = await generateKeyPair("ECDSA");
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerialNumber(),
    name: ROOT_NAME,
    notBefore,
    notAfter: new Date(now.getTime() + 20 * YEAR_MS),
    signingAlgorithm: signingAlgorithmOf(rootKeys.privateKey),
    keys: rootKeys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(caKeyUsages(), true),
      await x509.SubjectKeyIdentifierExtension.create(rootKeys.publicKey),
    ],
  });

  const intermediateKeys = await generateKeyPair("ECDSA");
  const intermediate = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerialNumber(),
    subject: INTERMEDIATE_NAME,
    issuer: root.subjectName,
    notBefore,
    notAfter: new Date(now.getTime() + 10 * YEAR_MS),
    publicKey: intermediateKeys.publicKey,
    signingKey: rootKeys.privateKey,
    signingAlgorithm: signingAlgorithmOf(rootKeys.privateKey),
    extensions: [
      // pathlen 0: the intermediate signs leaves only.
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(caKeyUsages(), true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      await x509.SubjectKeyIdentifierExtension.create(intermediateKeys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(rootKeys.publicKey),
    ],
  });

  return {
    rootPem: root.toString("pem"),
    intermediatePem: intermediate.toString("pem"),
    intermediate,
    intermediateKey: intermediateKeys.privateKey,
  };
}

/**
 * Loads the CA from the directory when all its files are there, creates and writes it
 * when none are; a partial set is an error rather than something to overwrite.
 */
export async function loadOrCreateCertificateAuthority(
  directory: string,
  now: Date,
): Promise<{ authority: CertificateAuthority; created: boolean }> {
  const paths = Object.values(CA_FILES).map((file) => join(directory, file));
  const present = paths.filter((path) => existsSync(path));
  if (present.length === paths.length) {
    return { authority: await loadCertificateAuthority(directory, now), created: false };
  }
  if (present.length > 0) {
    throw new CaDirectoryError(
      directory,
      `found ${present.join(", ")} but not all of ${Object.values(CA_FILES).join(", ")}; ` +
        "remove them to create a new CA",
    );
  }
  const authority = await createCertificateAuthority(now);
  await mkdir(directory, { recursive: true });
  await writeFile(join(directory, CA_FILES.root), `${authority.rootPem}\n`);
  await writeFile(join(directory, CA_FILES.intermediate), `${authority.intermediatePem}\n`);
  await writeFile(
    join(directory, CA_FILES.intermediateKey),
    privateKeyPem(authority.intermediateKey, "pkcs8"),
    { mode: 0o600 },
  );
  return { authority, created: true };
}

async function loadCertificateAuthority(
  directory: string,
  now: Date,
): Promise<CertificateAuthority> {
  const read = (file: string) => readFile(join(directory, file), "utf8");
  const [rootPem, intermediatePem, keyPem] = await Promise.all([
    read(CA_FILES.root),
    read(CA_FILES.intermediate),
    read(CA_FILES.intermediateKey),
  ]);
  let root: NodeX509Certificate;
  let intermediate: NodeX509Certificate;
  try {
    root = new NodeX509Certificate(rootPem);
    intermediate = new NodeX509Certificate(intermediatePem);
  } catch (error) {
    throw new CaDirectoryError(directory, `cannot read a certificate: ${String(error)}`);
  }
  if (!intermediate.checkIssued(root) || !intermediate.verify(root.publicKey)) {
    throw new CaDirectoryError(directory, "the intermediate is not signed by the root");
  }
  if (new Date(intermediate.validTo) <= now) {
    throw new CaDirectoryError(directory, "the intermediate has expired");
  }
  let intermediateKey: webcrypto.CryptoKey;
  try {
    intermediateKey = importSigningKey(keyPem);
  } catch (error) {
    throw new CaDirectoryError(directory, `cannot read the intermediate key: ${String(error)}`);
  }
  if (!intermediate.checkPrivateKey(KeyObject.from(intermediateKey))) {
    throw new CaDirectoryError(directory, "the intermediate key does not match the intermediate");
  }
  return {
    rootPem: rootPem.trim(),
    intermediatePem: intermediatePem.trim(),
    intermediate: new x509.X509Certificate(intermediatePem),
    intermediateKey,
  };
}

/** A positive 128-bit serial number, as CAs use (RFC 5280 allows up to 20 octets). */
export function randomSerialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x01;
  return bytes.toString("hex");
}

function caKeyUsages(): number {
  return (
    x509.KeyUsageFlags.keyCertSign |
    x509.KeyUsageFlags.cRLSign |
    x509.KeyUsageFlags.digitalSignature
  );
}
