// From the host names of an Ingress tls entry (or of the Gateway listeners sharing a Secret)
// to one DNSimple certificate: its domain, its certificate name and alternate names; or the
// reason one DNSimple certificate cannot serve them (a Warning on the source, nothing created).
//
//   www.example.com or example.com -> name "www" (DNSimple's default covers both; whenever
//                                     either is among the hosts, so order does not matter)
//   *.example.com                  -> name "*"
//   api.example.com                -> name "api"
//   further hosts                  -> alternateNames (full names)
//
// What one DNSimple certificate cannot be: hosts of two DNSimple domains; a wildcard other
// than *.<domain> (DNSimple orders wildcards only as the name "*", and alternate names cannot
// be wildcards); a wildcard beside a host deeper than the level it covers; on a Personal plan,
// anything but the domain and www.<domain> (custom names, wildcards and alternate names need a
// Professional or Enterprise plan: DNSimple would answer 412).
import { normaliseDnsName } from "../certs/dns-names.ts";

/** The certificate name and alternate names the hosts map to, within the domain. */
export interface CertificateNames {
  domain: string;
  name: string;
  alternateNames: string[];
}

export type NamesVerdict =
  | { kind: "names"; names: CertificateNames }
  | { kind: "unserviceable"; message: string };

/** The CRD's limit on alternate names. */
const MAX_ALTERNATE_NAMES = 100;
const HOST = /^(\*\.)?([a-z0-9]([-a-z0-9]*[a-z0-9])?[.])+[a-z]([-a-z0-9]*[a-z0-9])?$/;
const PERSONAL_PLAN = /personal/i;

/** Hosts lower-case, without a final dot or duplicates, in the order given. */
export function normaliseHosts(hosts: readonly string[]): string[] {
  return [...new Set(hosts.map(normaliseDnsName).filter((h) => h !== ""))];
}

/** Hosts that are not DNS names (a BadConfig of their own). */
export function invalidHosts(hosts: readonly string[]): string[] {
  return hosts.filter((h) => !HOST.test(h) || h.length > 253);
}

export function isWithin(host: string, domain: string): boolean {
  const bare = host.startsWith("*.") ? host.slice(2) : host;
  return bare === domain || bare.endsWith(`.${domain}`);
}

/**
 * The DNSimple domain of the hosts: for each host the longest of `domains` it is within;
 * all hosts must agree. A message says why not otherwise.
 */
export function domainOfHosts(
  hosts: readonly string[],
  domains: readonly string[],
): { kind: "domain"; domain: string } | { kind: "unserviceable"; message: string } {
  const byHost = new Map<string, string | undefined>();
  const known = domains.map(normaliseDnsName);
  for (const host of hosts) {
    const matches = known.filter((d) => isWithin(host, d));
    byHost.set(host, matches.sort((a, b) => b.length - a.length)[0]);
  }
  const unmatched = hosts.filter((h) => !byHost.get(h));
  if (unmatched.length > 0) {
    return {
      kind: "unserviceable",
      message: `no domain of the DNSimple account holds ${unmatched.join(", ")}: add the domain to DNSimple, or name it with the domain annotation`,
    };
  }
  const found = new Set(byHost.values());
  if (found.size > 1) return twoDomains(byHost);
  return { kind: "domain", domain: [...found][0] ?? "" };
}

/**
 * Hosts under different last two labels (example.com, other.org) can be in no one domain, so
 * they are refused before the account's list is read; undefined when they share them.
 */
export function spansDomains(
  hosts: readonly string[],
): { kind: "unserviceable"; message: string } | undefined {
  const bySuffix = new Map(hosts.map((h) => [h, lastTwoLabels(h)]));
  return new Set(bySuffix.values()).size > 1 ? twoDomains(bySuffix, "domains") : undefined;
}

/** `a.b.example.com` -> `example.com`: every domain that holds the host ends so. */
export function lastTwoLabels(host: string): string {
  return host.replace(/^\*\./, "").split(".").slice(-2).join(".");
}

function twoDomains(byHost: ReadonlyMap<string, string | undefined>, noun = "DNSimple domains") {
  const groups = new Map<string, string[]>();
  for (const [host, domain] of byHost) {
    const list = groups.get(domain ?? "") ?? [];
    list.push(host);
    groups.set(domain ?? "", list);
  }
  const parts = [...groups].map(([domain, hosts]) => `${domain} (${hosts.join(", ")})`);
  return {
    kind: "unserviceable" as const,
    message: `the hosts belong to ${groups.size} ${noun}, ${parts.join(" and ")}, and one DNSimple certificate belongs to one domain: give each domain a tls entry (a Secret) of its own`,
  };
}

/** What decides the names: the hosts, the domain, and the account's plan when known. */
export interface NamesRequest {
  hosts: readonly string[];
  domain: string;
  /** DNSimple's plan_identifier of the issuer's account (its status), when known. */
  plan?: string;
}

/** The certificate name and alternate names for the hosts, or why there can be none. */
export function certificateNamesFor(request: NamesRequest): NamesVerdict {
  const domain = normaliseDnsName(request.domain);
  const hosts = normaliseHosts(request.hosts);
  if (hosts.length === 0) return unserviceable("the entry names no hosts");
  const outside = hosts.filter((h) => !isWithin(h, domain));
  if (outside.length > 0) {
    return unserviceable(
      `${outside.join(", ")} ${outside.length > 1 ? "are" : "is"} not in the DNSimple domain ${domain}`,
    );
  }
  const wildcards = hosts.filter((h) => h.startsWith("*."));
  const verdict =
    wildcards.length > 0 ? wildcardNames(hosts, wildcards, domain) : plainNames(hosts, domain);
  if (verdict.kind !== "names") return verdict;
  return withinLimits(verdict.names, request.plan);
}

/**
 * No wildcard: "www" when the domain or www.<domain> is among the hosts (DNSimple's default
 * name covers both, wherever they stand in the list: the names do not depend on the hosts'
 * order), else the first host's name; the others are alternate names.
 */
function plainNames(hosts: readonly string[], domain: string): NamesVerdict {
  const [first = domain] = hosts;
  const www = `www.${domain}`;
  const apex = hosts.includes(domain) || hosts.includes(www);
  const name = apex ? "www" : first.slice(0, -(domain.length + 1));
  const covered = name === "www" ? [domain, www] : [first];
  const alternateNames = hosts.filter((h) => !covered.includes(h));
  return { kind: "names", names: { domain, name, alternateNames } };
}

/** A wildcard is the name "*" and covers one level: hosts there are dropped, deeper ones refused. */
function wildcardNames(hosts: readonly string[], wildcards: readonly string[], domain: string) {
  const wanted = `*.${domain}`;
  const other = wildcards.filter((w) => w !== wanted);
  if (other.length > 0) {
    return unserviceable(
      `DNSimple orders a wildcard only as *.${domain} (certificate name "*"), not ${other.join(", ")}: put it in a tls entry of a DNSimple domain of its own`,
    );
  }
  const oneLevel = (h: string) =>
    h.endsWith(`.${domain}`) && !h.slice(0, -(domain.length + 1)).includes(".");
  const deeper = hosts.filter((h) => h !== wanted && h !== domain && !oneLevel(h));
  if (deeper.length > 0) {
    return unserviceable(
      `${wanted} covers one level below ${domain}; ${deeper.join(", ")} ${deeper.length > 1 ? "are" : "is"} deeper: put ${deeper.length > 1 ? "them" : "it"} in a tls entry of ${deeper.length > 1 ? "their" : "its"} own`,
    );
  }
  const alternateNames = hosts.includes(domain) ? [domain] : [];
  return { kind: "names" as const, names: { domain, name: "*", alternateNames } };
}

function withinLimits(names: CertificateNames, plan: string | undefined): NamesVerdict {
  if (names.alternateNames.length > MAX_ALTERNATE_NAMES) {
    return unserviceable(
      `${names.alternateNames.length + 1} names are more than one DNSimple certificate holds here (${MAX_ALTERNATE_NAMES + 1}): split the hosts over several tls entries`,
    );
  }
  const basic = names.name === "www" && names.alternateNames.length === 0;
  if (plan && PERSONAL_PLAN.test(plan) && !basic) {
    return unserviceable(
      `the DNSimple account's plan (${plan}) orders only ${names.domain} and www.${names.domain}: custom names, wildcards and alternate names need a Professional or Enterprise plan`,
    );
  }
  return { kind: "names", names };
}

function unserviceable(message: string): NamesVerdict {
  return { kind: "unserviceable", message };
}
