// Real certificate material for the certs tests. Good bundles come from the simulator's own
// CA and leaf code, in the exact shape of DNSimple's download and private key answers;
// deliberately bad certificates (other CAs, two-level chains, a non-CA that signs, expired
// intermediates) are made with @peculiar/x509.
import { KeyObject, type webcrypto } from "node:crypto";
import {
  type CertificateAuthority,
  createCertificateAuthority,
  randomSerialNumber,
} from "../../../src/simulator/certificate-authority.ts";
import { commonNameFor, subjectAltNamesFor } from "../../../src/simulator/certificate-names.ts";
import { generateKeyPair, privateKeyPem, signingAlgorithmOf } from "../../../src/simulator/keys.ts";
import { issueLeaf, type Leaf } from "../../../src/simulator/leaf-certificates.ts";
import type { PrivateKeyFormat, SignatureAlgorithm } from "../../../src/simulator/model.ts";
import {
  type CertificateBundleJson,
  certificateBundleJson,
  privateKeyJson,
} from "../../../src/simulator/representations.ts";
import { x509 } from "../../../src/simulator/x509-provider.ts";

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

const DAY_MS = 86_400_000;
export const VALIDITY_MS = 90 * DAY_MS;
export const DOMAIN = "example.com";

// Everything is issued at one moment, and verified an hour later unless a test says
// otherwise. It is the real time, so openssl and TLS (which use the clock) agree.
export const ISSUED_AT = new Date(Math.floor(Date.now() / 1000) * 1000);
export const NOW = new Date(ISSUED_AT.getTime() + 3_600_000);

export function createAuthority(): Promise<CertificateAuthority> {
  return createCertificateAuthority(ISSUED_AT);
}

export interface LeafOrder {
  // DNSimple certificate name ("www", "*", "api") and alternate names.
  name: string;
  alternateNames?: readonly string[];
  algorithm: SignatureAlgorithm;
  keyFormat?: PrivateKeyFormat;
  includeRoot?: boolean;
}

export interface IssuedDownload {
  // The `data` of the download answer and the private key answer, as DNSimple sends them.
  download: CertificateBundleJson;
  privateKey: string;
  leaf: Leaf;
  // The names the simulator put into the certificate.
  subjectAltNames: string[];
}

export async function issueDownload(
  authority: CertificateAuthority,
  order: LeafOrder,
): Promise<IssuedDownload> {
  const alternateNames = order.alternateNames ?? [];
  const subjectAltNames = subjectAltNamesFor(order.name, DOMAIN, alternateNames);
  const leaf = await issueLeaf(authority, {
    commonName: commonNameFor(order.name, DOMAIN),
    subjectAltNames,
    algorithm: order.algorithm,
    issuedAt: ISSUED_AT,
    validityMs: VALIDITY_MS,
  });
  const download = certificateBundleJson(
    leaf.certificatePem,
    authority.intermediatePem,
    order.includeRoot === true ? authority.rootPem : null,
  );
  const { private_key } = privateKeyJson(
    privateKeyPem(leaf.privateKey, order.keyFormat ?? "traditional"),
  );
  return { download, privateKey: private_key, leaf, subjectAltNames };
}

// A certificate made to order, and its key.
export interface MadeCertificate {
  pem: string;
  certificate: x509.X509Certificate;
  privateKey: CryptoKey;
  // The private key in DNSimple's traditional form.
  keyPem: string;
}

export interface Signer {
  certificate: x509.X509Certificate;
  privateKey: CryptoKey;
}

export interface CertificateSpec {
  commonName: string;
  // Absent: self-signed.
  issuer?: Signer;
  // basicConstraints CA:TRUE.
  ca: boolean;
  // keyUsage keyCertSign; defaults to `ca`. A non-CA that may sign is bad material.
  canSign?: boolean;
  dnsNames?: readonly string[];
  notBefore?: Date;
  notAfter?: Date;
  algorithm?: SignatureAlgorithm;
}

export async function makeCertificate(spec: CertificateSpec): Promise<MadeCertificate> {
  const keys: CryptoKeyPair = await generateKeyPair(spec.algorithm ?? "ECDSA");
  // Self-signed when there is no issuer.
  const signingKey = spec.issuer?.privateKey ?? keys.privateKey;
  const subject = [{ CN: [spec.commonName] }];
  const canSign = spec.canSign ?? spec.ca;
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(spec.ca, undefined, true),
    new x509.KeyUsagesExtension(
      canSign
        ? x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.digitalSignature
        : x509.KeyUsageFlags.digitalSignature,
      true,
    ),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
  ];
  if (spec.issuer !== undefined) {
    extensions.push(
      await x509.AuthorityKeyIdentifierExtension.create(spec.issuer.certificate.publicKey),
    );
  }
  if (spec.dnsNames !== undefined) {
    extensions.push(
      new x509.SubjectAlternativeNameExtension(
        spec.dnsNames.map((value) => ({ type: "dns" as const, value })),
      ),
    );
  }
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerialNumber(),
    subject,
    issuer: spec.issuer === undefined ? subject : spec.issuer.certificate.subjectName,
    notBefore: spec.notBefore ?? new Date(ISSUED_AT.getTime() - 60_000),
    notAfter: spec.notAfter ?? new Date(ISSUED_AT.getTime() + VALIDITY_MS),
    publicKey: keys.publicKey,
    signingKey,
    signingAlgorithm: signingAlgorithmOf(signingKey),
    extensions,
  });
  return {
    pem: `${certificate.toString("pem")}\n`,
    certificate,
    privateKey: keys.privateKey,
    keyPem: privateKeyPem(keys.privateKey, "traditional"),
  };
}

// The simulator authority's intermediate, as a signer for made certificates.
export function intermediateSigner(authority: CertificateAuthority): Signer {
  return { certificate: authority.intermediate, privateKey: authority.intermediateKey };
}

export function keyPemOf(key: CryptoKey | KeyObject, format: PrivateKeyFormat): string {
  return privateKeyPem(key instanceof KeyObject ? key : KeyObject.from(key), format);
}

// Naive concatenation, the way the API's answers must not be joined.
export function withoutFinalNewline(pem: string): string {
  return pem.replace(/\n+$/, "");
}
