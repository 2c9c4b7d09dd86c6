// The DNS names a certificate must cover for a spec, and how a certificate's names compare.
//
// DNSimple derives the names from the domain and the certificate name:
//   "www" -> <domain> and www.<domain> (DNSimple's default name covers both)
//   "*"   -> *.<domain>
//   "api" -> api.<domain>
//   ""    -> <domain>
// and adds the alternate names (full names, e.g. docs.example.com) as further SANs.
//
// The comparison is exact: the certificate was ordered for exactly these names, so a name
// too many is as wrong as one too few, and a wildcard only stands for the same wildcard.

export const DEFAULT_CERTIFICATE_NAME = "www";

export interface CertificateNamesSpec {
  /** The DNSimple domain's name (not its numeric id). */
  domain: string;
  /** The DNSimple certificate name; the caller applies the default ("www") when unset. */
  name: string;
  alternateNames?: readonly string[];
}

export class DomainNameRequiredError extends Error {
  constructor(domain: string) {
    super(
      domain.trim() === ""
        ? "the domain is empty: the names a certificate covers need the domain's name"
        : `the domain ${domain} is a numeric id: resolve it to the domain's name first`,
    );
    this.name = "DomainNameRequiredError";
  }
}

/** The expected names, lower-case, without duplicates, in DNSimple's order. */
export function expectedDnsNames(spec: CertificateNamesSpec): string[] {
  const domain = normaliseDnsName(spec.domain);
  if (domain === "" || /^\d+$/.test(domain)) throw new DomainNameRequiredError(spec.domain);
  const name = normaliseDnsName(spec.name);
  const named =
    name === ""
      ? [domain]
      : name === DEFAULT_CERTIFICATE_NAME
        ? [domain, `${name}.${domain}`]
        : [`${name}.${domain}`];
  return uniqueNames([...named, ...(spec.alternateNames ?? [])]);
}

/** DNS names compare without regard to case or a final dot. */
export function normaliseDnsName(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, "");
}

export interface DnsNameComparison {
  /** Expected names the certificate does not have. */
  missing: string[];
  /** Names the certificate has that were not expected. */
  unexpected: string[];
}

export function compareDnsNames(
  expected: readonly string[],
  actual: readonly string[],
): DnsNameComparison {
  const expectedNames = uniqueNames(expected);
  const actualNames = uniqueNames(actual);
  const expectedSet = new Set(expectedNames);
  const actualSet = new Set(actualNames);
  return {
    missing: expectedNames.filter((name) => !actualSet.has(name)),
    unexpected: actualNames.filter((name) => !expectedSet.has(name)),
  };
}

export function sameDnsNames(expected: readonly string[], actual: readonly string[]): boolean {
  const { missing, unexpected } = compareDnsNames(expected, actual);
  return missing.length === 0 && unexpected.length === 0;
}

function uniqueNames(names: readonly string[]): string[] {
  return [...new Set(names.map(normaliseDnsName))];
}
