// What a TLS Secret holds, for `inspect secret` and the Secret part of `status`: each
// certificate of tls.crt and ca.crt with the one in the Secret that signed it (so the order
// and links show), the key's algorithm and whether it is the server certificate's, the verdict
// of the operator's own check (certs/verify.ts: what the operator would refuse to write), the
// DnsimpleCertificate that owns it, and the other keys with their sizes. Pure; the reading is
// certs/parsed-bundle.ts's, never one of its own.
//
// Nothing of tls.key reaches the report: not its text, not its DER; the other keys (keystores,
// tls-combined.pem, key.der, which hold the key too) only by name and size.
import type { V1OwnerReference } from "@kubernetes/client-node";
import { KIND, SECRET_ANNOTATIONS } from "../api/v1alpha1.ts";
import {
  oneLineName,
  type ParsedCertificate,
  signs,
  summariseCertificate,
} from "../certs/certificates.ts";
import type { CertificateProblem } from "../certs/errors.ts";
import { inspectParsed } from "../certs/inspect.ts";
import { type ParsedBundle, parseBundle } from "../certs/parsed-bundle.ts";

/** The keys of a kubernetes.io/tls Secret this report decodes. */
const TLS_KEYS = ["tls.crt", "tls.key", "ca.crt"] as const;

/** The extra keys the operator writes (issue 14); shown by size, never decoded. */
export const KNOWN_EXTRA_KEYS: Readonly<Record<string, string>> = {
  "tls-combined.pem": "key and chain (CombinedPEM)",
  "key.der": "private key, DER (DER)",
  "keystore.p12": "PKCS#12 keystore, password protected",
  "truststore.p12": "PKCS#12 truststore, password protected",
  "keystore.jks": "JKS keystore, password protected",
  "truststore.jks": "JKS truststore, password protected",
};

export interface CertificateEntry {
  /** Where it is: "tls.crt 1" is the server certificate. */
  position: string;
  subject: string;
  issuer: string;
  commonName: string | null;
  dnsNames: string[];
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  isCa: boolean;
  keyAlgorithm: string;
  fingerprintSha256: string;
  /**
   * The position of the certificate in this Secret that signed it ("tls.crt 2", "ca.crt 1"),
   * "self" for a self-signed one, null when its issuer is not in the Secret.
   */
  signedBy: string | null;
}

export interface KeyReport {
  /** tls.key holds more than whitespace. */
  present: boolean;
  /** "ECDSA", "RSA", ...; null when it cannot be read. */
  algorithm: string | null;
  /** Whether it is the server certificate's key; null when either cannot be read. */
  matchesCertificate: boolean | null;
}

export interface OwnerReport {
  /** The DnsimpleCertificate named by the certificate-name annotation or an owner reference. */
  name: string | null;
  /** How the Secret names it. */
  namedBy: ("annotation" | "ownerReference")[];
  /** Whether that resource exists and its spec.secretName is this Secret; null: not looked up. */
  confirmed: boolean | null;
  ownerReferences: { apiVersion: string; kind: string; name: string; controller: boolean }[];
}

export interface SecretReport {
  namespace: string;
  name: string;
  type: string;
  /** tls.crt in order: the server certificate first. */
  certificates: CertificateEntry[];
  /** ca.crt. */
  caCertificates: CertificateEntry[];
  /** Each certificate of tls.crt is signed by the one after it. */
  chainInOrder: boolean;
  key: KeyReport;
  /** The operator's check of the bundle (certs/verify.ts), with its names from tls.crt. */
  verdict: { valid: boolean; problem: CertificateProblem | null; message: string | null };
  /** Parts that could not be read at all, with why (the message never quotes key material). */
  unreadable: { key: string; message: string }[];
  owner: OwnerReport;
  /** Keys other than tls.crt, tls.key and ca.crt, by name and size only. */
  otherKeys: { key: string; bytes: number; description: string | null }[];
}

/** The parts of a Secret the report reads. */
export interface SecretInput {
  metadata?: {
    name?: string;
    namespace?: string;
    annotations?: Record<string, string>;
    ownerReferences?: V1OwnerReference[];
  };
  type?: string;
  /** base64, as the API returns it. */
  data?: Record<string, string>;
}

/** What the owning resource says, when it was looked up: its spec.secretName, or absent. */
export type OwnerLookup = { found: false } | { found: true; secretName: string } | undefined;

export function reportSecret(secret: SecretInput, now: Date, owner?: OwnerLookup): SecretReport {
  const data = decodeData(secret.data ?? {});
  const parsed = parseBundle({
    tlsCrt: data["tls.crt"] ?? "",
    tlsKey: data["tls.key"] ?? "",
    ...(data["ca.crt"] === undefined ? {} : { caCrt: data["ca.crt"] }),
  });
  const certificates = parsed.certificates.ok ? parsed.certificates.value : [];
  const roots = parsed.roots.ok ? parsed.roots.value : [];
  const placed: Placed[] = [
    ...certificates.map((parsed, i) => ({ parsed, position: `tls.crt ${i + 1}` })),
    ...roots.map((parsed, i) => ({ parsed, position: `ca.crt ${i + 1}` })),
  ];
  const entries = placed.map((one, index) => entryOf(one, index, placed));
  const inspection = inspectParsed(parsed, { now });
  const name = secret.metadata?.name ?? "";
  return {
    namespace: secret.metadata?.namespace ?? "",
    name,
    type: secret.type ?? "Opaque",
    certificates: entries.slice(0, certificates.length),
    caCertificates: entries.slice(certificates.length),
    chainInOrder: certificates.every((subject, i) => {
      const next = certificates[i + 1];
      return next === undefined || signs(next.certificate, subject.certificate);
    }),
    key: keyReport(parsed, inspection.keyMatches),
    verdict: {
      valid: inspection.valid,
      problem: inspection.problem ?? null,
      message: inspection.message ?? null,
    },
    unreadable: unreadableParts(parsed),
    owner: ownerReport(secret, name, owner),
    otherKeys: otherKeys(secret.data ?? {}),
  };
}

/** A certificate and where it is in the Secret. */
interface Placed {
  parsed: ParsedCertificate;
  position: string;
}

function decodeData(data: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of TLS_KEYS) {
    const value = data[key];
    if (value !== undefined) out[key] = Buffer.from(value, "base64").toString("utf8");
  }
  return out;
}

function entryOf(
  { parsed, position }: Placed,
  index: number,
  all: readonly Placed[],
): CertificateEntry {
  const { certificate } = parsed;
  const summary = summariseCertificate(certificate);
  return {
    position,
    subject: oneLineName(certificate.subject),
    issuer: summary.issuer,
    commonName: summary.commonName ?? null,
    dnsNames: summary.dnsNames,
    serialNumber: summary.serialNumber,
    notBefore: summary.notBefore.toISOString(),
    notAfter: summary.notAfter.toISOString(),
    isCa: certificate.ca,
    keyAlgorithm: summary.keyAlgorithm,
    fingerprintSha256: summary.fingerprintSha256,
    signedBy: signerOf(index, all),
  };
}

// Those after it are looked at first: that is where its signer belongs (a root in ca.crt
// may also be in tls.crt; the nearer one is named).
function signerOf(index: number, all: readonly Placed[]): string | null {
  const subject = all[index]?.parsed.certificate;
  if (subject === undefined) return null;
  if (signs(subject, subject)) return "self";
  const ordered = [...all.slice(index + 1), ...all.slice(0, index)];
  return ordered.find(({ parsed }) => signs(parsed.certificate, subject))?.position ?? null;
}

function keyReport(parsed: ParsedBundle, matches: boolean | undefined): KeyReport {
  const key = parsed.key.ok ? parsed.key.value.key : undefined;
  const type = key?.asymmetricKeyType;
  const algorithm =
    type === undefined ? null : type === "ec" ? "ECDSA" : type.startsWith("rsa") ? "RSA" : type;
  return {
    present: parsed.key.ok || parsed.key.error.problem !== "MissingPrivateKey",
    algorithm,
    matchesCertificate: matches ?? null,
  };
}

function unreadableParts(parsed: ParsedBundle): SecretReport["unreadable"] {
  const parts = [
    ["tls.crt", parsed.certificates],
    ["tls.key", parsed.key],
    ["ca.crt", parsed.roots],
  ] as const;
  const out: SecretReport["unreadable"] = [];
  for (const [key, part] of parts) {
    if (part.ok) continue;
    // An empty tls.crt or tls.key is "missing", which the verdict says already.
    if (part.error.problem === "MissingPrivateKey") continue;
    out.push({ key, message: part.error.message });
  }
  return out;
}

/**
 * The DnsimpleCertificate (same namespace) a Secret names as its owner: the operator's
 * certificate-name annotation, else an owner reference of that kind.
 */
export function ownerNameOf(secret: SecretInput): string | null {
  const annotated = secret.metadata?.annotations?.[SECRET_ANNOTATIONS.owner];
  const referenced = secret.metadata?.ownerReferences?.find((r) => r.kind === KIND)?.name;
  return annotated ?? referenced ?? null;
}

function ownerReport(secret: SecretInput, secretName: string, owner: OwnerLookup): OwnerReport {
  const annotated = secret.metadata?.annotations?.[SECRET_ANNOTATIONS.owner];
  const references = secret.metadata?.ownerReferences ?? [];
  const referenced = references.find((r) => r.kind === KIND)?.name;
  const name = ownerNameOf(secret);
  const namedBy: OwnerReport["namedBy"] = [];
  if (annotated !== undefined && annotated === name) namedBy.push("annotation");
  if (referenced !== undefined && referenced === name) namedBy.push("ownerReference");
  return {
    name,
    namedBy,
    confirmed: owner === undefined ? null : owner.found && owner.secretName === secretName,
    ownerReferences: references.map((r) => ({
      apiVersion: r.apiVersion,
      kind: r.kind,
      name: r.name,
      controller: r.controller === true,
    })),
  };
}

function otherKeys(data: Record<string, string>): SecretReport["otherKeys"] {
  return Object.keys(data)
    .filter((key) => !(TLS_KEYS as readonly string[]).includes(key))
    .sort()
    .map((key) => ({
      key,
      bytes: Buffer.from(data[key] ?? "", "base64").length,
      description: KNOWN_EXTRA_KEYS[key] ?? null,
    }));
}
