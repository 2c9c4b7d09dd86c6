// Server certificates signed by the simulator's intermediate, with the extensions a
// Let's Encrypt leaf carries, and the CSR DNSimple would have made for them.
import { KeyObject } from "node:crypto";
import { type CertificateAuthority, randomSerialNumber } from "./certificate-authority.ts";
import { generateKeyPair, signingAlgorithmOf } from "./keys.ts";
import type { SignatureAlgorithm } from "./model.ts";
import { truncateToSeconds } from "./timestamps.ts";
import { x509 } from "./x509-provider.ts";

/**
 * notBefore lies this far before issuance, so clients whose clock is a little behind
 * accept a fresh certificate.
 */
export const CLOCK_SKEW_ALLOWANCE_MS = 60_000;

export interface LeafRequest {
  commonName: string;
  subjectAltNames: readonly string[];
  algorithm: SignatureAlgorithm;
  issuedAt: Date;
  validityMs: number;
}

export interface Leaf {
  certificatePem: string;
  csrPem: string;
  privateKey: KeyObject;
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
}

export async function issueLeaf(
  authority: CertificateAuthority,
  request: LeafRequest,
): Promise<Leaf> {
  const keys = await generateKeyPair(request.algorithm);
  const subject = [{ CN: [request.commonName] }];
  const subjectAltNames = new x509.SubjectAlternativeNameExtension(
    request.subjectAltNames.map((name) => ({ type: "dns" as const, value: name })),
  );
  const notBefore = truncateToSeconds(
    new Date(request.issuedAt.getTime() - CLOCK_SKEW_ALLOWANCE_MS),
  );
  const notAfter = truncateToSeconds(new Date(request.issuedAt.getTime() + request.validityMs));
  const serialNumber = randomSerialNumber();
  // RSA keys also encipher (RSA key exchange); ECDSA keys only sign.
  const keyUsages =
    request.algorithm === "RSA"
      ? x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment
      : x509.KeyUsageFlags.digitalSignature;

  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber,
    subject,
    issuer: authority.intermediate.subjectName,
    notBefore,
    notAfter,
    publicKey: keys.publicKey,
    signingKey: authority.intermediateKey,
    signingAlgorithm: signingAlgorithmOf(authority.intermediateKey),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(keyUsages, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(authority.intermediate.publicKey),
      subjectAltNames,
    ],
  });

  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: subject,
    keys,
    signingAlgorithm: signingAlgorithmOf(keys.privateKey),
    extensions: [subjectAltNames],
  });

  return {
    certificatePem: `${certificate.toString("pem")}\n`,
    csrPem: `${csr.toString("pem")}\n`,
    privateKey: KeyObject.from(keys.privateKey),
    serialNumber,
    notBefore,
    notAfter,
  };
}
