// The annotations that make an Ingress or a Gateway a source of DnsimpleCertificates, as
// cert-manager's ingress-shim reads `cert-manager.io/cluster-issuer`: which issuer, and the
// optional ones that mirror the spec. Read here once into what the generated resources get,
// or the list of what is wrong with them (a BadConfig Event; nothing is created or changed).
import { CLUSTER_ISSUER_KIND, ISSUER_KIND, type IssuerRef } from "../api/issuers.ts";
import { GROUP, type SignatureAlgorithm } from "../api/v1alpha1.ts";
import { normaliseDnsName } from "../certs/dns-names.ts";
import { parseDuration } from "../time/duration.ts";

/** The annotations a source reads, under the operator's group. */
export const SOURCE_ANNOTATIONS = {
  issuer: `${GROUP}/issuer`,
  clusterIssuer: `${GROUP}/cluster-issuer`,
  domain: `${GROUP}/domain`,
  signatureAlgorithm: `${GROUP}/signature-algorithm`,
  autoRenew: `${GROUP}/auto-renew`,
  renewBefore: `${GROUP}/renew-before`,
  secretTemplate: `${GROUP}/secret-template`,
  secretDeletionPolicy: `${GROUP}/secret-deletion-policy`,
} as const;

/** What the generated resources take from the annotations. */
export interface SourceSettings {
  issuerRef: IssuerRef;
  /** The DNSimple domain; absent: inferred from the account's domain list. */
  domain?: string;
  signatureAlgorithm: SignatureAlgorithm;
  autoRenew: boolean;
  renewBefore?: string;
  secretTemplate?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  secretDeletionPolicy: "Retain" | "Delete";
}

/** Not a source (no issuer annotation), a source, or a source whose annotations are wrong. */
export type SourceAnnotations =
  | { kind: "none" }
  | { kind: "source"; settings: SourceSettings }
  | { kind: "invalid"; problems: string[] };

const DOMAIN = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?[.])+[a-z]([-a-z0-9]*[a-z0-9])?$/;
const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?([.][a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const RESERVED_PREFIX = `${GROUP}/`;

/** Reads a source's annotations; every problem is named, not only the first. */
export function readSourceAnnotations(
  annotations: Readonly<Record<string, string>> | undefined,
): SourceAnnotations {
  const a = annotations ?? {};
  const issuer = a[SOURCE_ANNOTATIONS.issuer]?.trim();
  const clusterIssuer = a[SOURCE_ANNOTATIONS.clusterIssuer]?.trim();
  if (!issuer && !clusterIssuer) return { kind: "none" };
  const problems: string[] = [];
  const issuerRef = issuerRefOf(issuer, clusterIssuer, problems);
  const settings: SourceSettings = {
    issuerRef,
    signatureAlgorithm: signatureAlgorithmOf(a[SOURCE_ANNOTATIONS.signatureAlgorithm], problems),
    autoRenew: autoRenewOf(a[SOURCE_ANNOTATIONS.autoRenew], problems),
    secretDeletionPolicy: deletionPolicyOf(a[SOURCE_ANNOTATIONS.secretDeletionPolicy], problems),
  };
  const domain = domainOf(a[SOURCE_ANNOTATIONS.domain], problems);
  if (domain) settings.domain = domain;
  const renewBefore = renewBeforeOf(a[SOURCE_ANNOTATIONS.renewBefore], problems);
  if (renewBefore) settings.renewBefore = renewBefore;
  const template = secretTemplateOf(a[SOURCE_ANNOTATIONS.secretTemplate], problems);
  if (template) settings.secretTemplate = template;
  return problems.length > 0 ? { kind: "invalid", problems } : { kind: "source", settings };
}

function issuerRefOf(
  issuer: string | undefined,
  clusterIssuer: string | undefined,
  problems: string[],
): IssuerRef {
  if (issuer && clusterIssuer) {
    problems.push(
      `set ${SOURCE_ANNOTATIONS.issuer} or ${SOURCE_ANNOTATIONS.clusterIssuer}, not both`,
    );
  }
  // `||`: a blank annotation (a template that rendered nothing) counts as not given.
  const name = clusterIssuer || issuer || "";
  const annotation = clusterIssuer ? SOURCE_ANNOTATIONS.clusterIssuer : SOURCE_ANNOTATIONS.issuer;
  if (!NAME.test(name) || name.length > 253) {
    problems.push(`${annotation} ${JSON.stringify(name)} is not an issuer name`);
  }
  return { kind: clusterIssuer ? CLUSTER_ISSUER_KIND : ISSUER_KIND, name };
}

function domainOf(value: string | undefined, problems: string[]): string | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const domain = normaliseDnsName(value);
  if (DOMAIN.test(domain) && domain.length <= 253) return domain;
  problems.push(
    `${SOURCE_ANNOTATIONS.domain} ${JSON.stringify(value)} is not a domain name such as example.com`,
  );
  return undefined;
}

function signatureAlgorithmOf(value: string | undefined, problems: string[]): SignatureAlgorithm {
  const text = value?.trim().toUpperCase();
  if (text === undefined || text === "" || text === "ECDSA") return "ECDSA";
  if (text === "RSA") return "RSA";
  problems.push(
    `${SOURCE_ANNOTATIONS.signatureAlgorithm} ${JSON.stringify(value)}: write ECDSA or RSA`,
  );
  return "ECDSA";
}

function autoRenewOf(value: string | undefined, problems: string[]): boolean {
  const text = value?.trim().toLowerCase();
  if (text === undefined || text === "" || text === "false") return false;
  if (text === "true") return true;
  problems.push(`${SOURCE_ANNOTATIONS.autoRenew} ${JSON.stringify(value)}: write true or false`);
  return false;
}

function deletionPolicyOf(value: string | undefined, problems: string[]): "Retain" | "Delete" {
  const text = value?.trim().toLowerCase();
  if (text === undefined || text === "" || text === "retain") return "Retain";
  if (text === "delete") return "Delete";
  problems.push(
    `${SOURCE_ANNOTATIONS.secretDeletionPolicy} ${JSON.stringify(value)}: write Retain or Delete`,
  );
  return "Retain";
}

function renewBeforeOf(value: string | undefined, problems: string[]): string | undefined {
  const text = value?.trim();
  if (text === undefined || text === "") return undefined;
  // The CRD's own rule: Go units only (no `d`), and positive.
  const goUnits = /^([0-9]+(\.[0-9]+)?(ns|us|ms|s|m|h))+$/.test(text);
  let positive = false;
  try {
    positive = parseDuration(text) > 0;
  } catch {
    positive = false;
  }
  if (goUnits && positive) return text;
  problems.push(
    `${SOURCE_ANNOTATIONS.renewBefore} ${JSON.stringify(value)}: write a positive duration such as 720h or 1h30m`,
  );
  return undefined;
}

type SecretTemplate = NonNullable<SourceSettings["secretTemplate"]>;

function secretTemplateOf(
  value: string | undefined,
  problems: string[],
): SecretTemplate | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const annotation = SOURCE_ANNOTATIONS.secretTemplate;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    problems.push(`${annotation} is not JSON: write {"labels": {...}, "annotations": {...}}`);
    return undefined;
  }
  if (!isRecord(parsed) || Object.keys(parsed).some((k) => k !== "labels" && k !== "annotations")) {
    problems.push(`${annotation} must be a JSON object with only "labels" and "annotations"`);
    return undefined;
  }
  const template: SecretTemplate = {};
  for (const field of ["labels", "annotations"] as const) {
    const map = parsed[field];
    if (map === undefined) continue;
    const strings = stringMap(map);
    if (!strings) {
      problems.push(`${annotation}: "${field}" must map names to strings`);
      continue;
    }
    const reserved = Object.keys(strings).filter((k) => k.startsWith(RESERVED_PREFIX));
    if (reserved.length > 0) {
      problems.push(
        `${annotation}: ${field} under ${RESERVED_PREFIX} are reserved for the operator (${reserved.join(", ")})`,
      );
      continue;
    }
    template[field] = strings;
  }
  return Object.keys(template).length > 0 ? template : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function stringMap(value: unknown): Record<string, string> | undefined {
  if (!isRecord(value)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== "string") return undefined;
    out[k] = v;
  }
  return out;
}
