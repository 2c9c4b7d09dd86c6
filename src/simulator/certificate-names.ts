// From a DNSimple certificate name to the names in the certificate.
//   "www" -> CN www.<domain>, SANs <domain> and www.<domain> (DNSimple's default covers both)
//   "*"   -> CN and SAN *.<domain>
//   "api" -> CN and SAN api.<domain>
// Alternate names are added as further SANs.

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const MAX_HOSTNAME_LENGTH = 253;

export const WILDCARD_NAME = "*";
export const DEFAULT_NAME = "www";

/** A lowercase DNS name; `*.` may lead when wildcards are allowed. */
export function isValidHostname(hostname: string, options: { allowWildcard: boolean }): boolean {
  if (hostname.length === 0 || hostname.length > MAX_HOSTNAME_LENGTH) return false;
  const labels = hostname.split(".");
  if (options.allowWildcard && labels[0] === "*") labels.shift();
  return labels.length > 0 && labels.every((label) => LABEL.test(label));
}

/** A certificate name is `*` or one or more labels to put in front of the domain. */
export function isValidCertificateName(name: string): boolean {
  return name === WILDCARD_NAME || isValidHostname(name, { allowWildcard: false });
}

export function isWithinDomain(hostname: string, domain: string): boolean {
  return hostname === domain || hostname.endsWith(`.${domain}`);
}

export function commonNameFor(name: string, domain: string): string {
  return `${name}.${domain}`;
}

export function subjectAltNamesFor(
  name: string,
  domain: string,
  alternateNames: readonly string[],
): string[] {
  const commonName = commonNameFor(name, domain);
  const names = name === DEFAULT_NAME ? [domain, commonName] : [commonName];
  return [...new Set([...names, ...alternateNames])];
}
