// The DNSimple domain of each entry's hosts, asking DNSimple only when nothing else says it:
//   1. the domain annotation;
//   2. the resource this source already generated for the Secret, when the operator found its
//      domain in the list before (the inferred-domain annotation agrees with spec.domain: a
//      hand edit is not trusted) and it still holds every host (a restart costs no call);
//   3. the account's domain list through the issuer's token, the longest domain that holds
//      the hosts; only when the issuer serves the source's namespace, when its policy allows
//      the hosts, and when the hosts can be in one domain at all: a tenant can neither have
//      the operator list an account that does not serve it nor probe for domains its policy
//      does not give it (the list is filtered by the policy's domains too), and a host list
//      that cannot be one certificate costs no call.

import type { DnsimpleIssuer } from "../api/issuers.ts";
import type { DnsimpleCertificate } from "../api/v1alpha1.ts";
import type { CredentialsResolver } from "../controller/credentials.ts";
import type { TenancyView } from "../controller/ports.ts";
import { judgeTokenUse, nameMatches } from "../issuers/policy.ts";
import { scrubSecrets } from "../observability/redact.ts";
import type { SourceSettings } from "./annotations.ts";
import type { DomainFinder } from "./domain-finder.ts";
import {
  generatedResource,
  INFERRED_DOMAIN_ANNOTATION,
  isControlledBy,
  type SourceRef,
} from "./generated.ts";
import { domainOfHosts, invalidHosts, isWithin, spansDomains } from "./host-names.ts";
import type { DomainVerdict } from "./judge.ts";
import type { TlsEntry } from "./tls-entries.ts";

/** As certificateNamesFor's limit: checked first, so such a list costs no call. */
const MAX_HOSTS = 101;

export interface DomainSources {
  tenancy: Pick<TenancyView, "issuer" | "namespaceLabels" | "clusterResourceNamespace">;
  credentials: Pick<CredentialsResolver, "resolve">;
  finder: DomainFinder;
  /** Told why a domain list failed (the log; the warning on the source does not carry it). */
  onListError?: (source: SourceRef, error: string) => void;
}

/** Per Secret: the domain of its entry's hosts (entries whose hosts are not DNS names: none). */
export async function entryDomains(
  source: SourceRef,
  settings: SourceSettings,
  entries: readonly TlsEntry[],
  existing: readonly DnsimpleCertificate[],
  sources: DomainSources,
): Promise<Map<string, DomainVerdict>> {
  const domains = new Map<string, DomainVerdict>();
  for (const entry of entries) {
    if (invalidHosts(entry.hosts).length > 0) continue;
    const inferred = generatedDomain(source, entry, existing);
    const taken = takenDomain(source, entry, existing);
    const verdict: DomainVerdict = settings.domain
      ? { kind: "domain", domain: settings.domain }
      : inferred
        ? { kind: "domain", domain: inferred, inferred: true }
        : taken
          ? { kind: "domain", domain: taken }
          : await listedDomain(source, settings, entry, sources);
    domains.set(entry.secretName, verdict);
  }
  return domains;
}

/** The domain of the resource the source made for this Secret, if it holds every host. */
function generatedDomain(
  source: SourceRef,
  entry: TlsEntry,
  existing: readonly DnsimpleCertificate[],
): string | undefined {
  const made = existing.find((r) => r.metadata.name === entry.secretName);
  if (!made || !isControlledBy(made, source)) return undefined;
  const domain = made.spec.domain;
  if (made.metadata.annotations?.[INFERRED_DOMAIN_ANNOTATION] !== domain) return undefined;
  return entry.hosts.every((h) => isWithin(h, domain)) ? domain : undefined;
}

/**
 * The Secret's name is another's resource (made by hand, or by another source): the sync will
 * leave it alone and say so, so its domain is not worth a call; its own stands in.
 */
function takenDomain(
  source: SourceRef,
  entry: TlsEntry,
  existing: readonly DnsimpleCertificate[],
): string | undefined {
  const other = existing.find((r) => r.metadata.name === entry.secretName);
  return other && !isControlledBy(other, source) ? other.spec.domain : undefined;
}

/** The longest of the account's domains that holds the hosts, through the issuer's token. */
async function listedDomain(
  source: SourceRef,
  settings: SourceSettings,
  entry: TlsEntry,
  { tenancy, credentials, finder, onListError }: DomainSources,
): Promise<DomainVerdict> {
  const ref = settings.issuerRef;
  // A stand-in for the resource to be generated: what judging the token's use reads of it.
  const probe = {
    ...generatedResource(source, {
      domain: "",
      name: "www",
      signatureAlgorithm: settings.signatureAlgorithm,
      autoRenew: settings.autoRenew,
      secretName: entry.secretName,
      issuerRef: ref,
      secretDeletionPolicy: settings.secretDeletionPolicy,
    }),
  };
  const resource: DnsimpleCertificate = {
    ...probe,
    metadata: { ...probe.metadata, uid: "", generation: 0 },
  };
  const verdict = judgeTokenUse({
    resource,
    ref,
    defaulted: false,
    issuer: tenancy.issuer(ref, source.namespace),
    namespaceLabels: tenancy.namespaceLabels(source.namespace),
    clusterResourceNamespace: tenancy.clusterResourceNamespace,
  });
  const annotate = "or name the domain with the dnsimple-cert-operator.dev/domain annotation";
  // A refusal stands until the issuer or the source changes (a resync judges again): no retry.
  if (verdict.kind === "refused") {
    return refusedVerdict(
      `cannot look up the domain of its hosts: ${verdict.failure.message}; ${annotate}`,
    );
  }
  const issuer = tenancy.issuer(ref, source.namespace);
  if (entry.hosts.length > MAX_HOSTS) {
    return refusedVerdict(
      `${entry.hosts.length} hosts are more than one DNSimple certificate holds here (${MAX_HOSTS}): split them over several tls entries`,
    );
  }
  const before =
    spansDomains(entry.hosts) ?? (issuer ? policyRefusal(issuer, entry.hosts) : undefined);
  if (before) return before;
  const resolved = await credentials.resolve(resource, verdict.grant);
  if (resolved.kind === "failed") {
    return unknown(
      `cannot look up the domain of its hosts: ${resolved.failure.message}; ${annotate}`,
    );
  }
  try {
    const names = await finder.candidates(resolved.client, resolved.accountId, entry.hosts);
    const allowed = issuer?.spec.policy.domains;
    const found = domainOfHosts(
      entry.hosts,
      allowed ? names.filter((d) => allowed.some((p) => nameMatches(p, d))) : names,
    );
    return found.kind === "domain" ? { ...found, inferred: true } : found;
  } catch (err) {
    // The error goes to the log; the warning stays the same from one retry to the next.
    onListError?.(source, scrubSecrets(err instanceof Error ? err.message : String(err)));
    return unknown("could not list the DNSimple account's domains; asking again");
  }
}

/**
 * What the issuer's policy refuses of the hosts themselves, before any list: names outside
 * spec.policy.dnsNames, or hosts in no domain spec.policy.domains allows. The message names
 * the policy field and the tenant's own hosts only.
 */
function policyRefusal(
  issuer: DnsimpleIssuer,
  hosts: readonly string[],
): DomainVerdict | undefined {
  const { domains, dnsNames } = issuer.spec.policy;
  const outsideNames = dnsNames
    ? hosts.filter((h) => !dnsNames.some((p) => nameMatches(p, h)))
    : [];
  if (outsideNames.length > 0) {
    return refusedVerdict(
      `the issuer does not allow ${outsideNames.join(", ")} (spec.policy.dnsNames)`,
    );
  }
  const outsideDomains = domains
    ? hosts.filter((h) => !suffixesOf(h).some((d) => domains.some((p) => nameMatches(p, d))))
    : [];
  if (outsideDomains.length > 0) {
    return refusedVerdict(
      `the issuer allows no domain that holds ${outsideDomains.join(", ")} (spec.policy.domains)`,
    );
  }
  return undefined;
}

/** `a.b.example.com` -> a.b.example.com, b.example.com, example.com (two labels at least). */
function suffixesOf(host: string): string[] {
  const labels = host.replace(/^\*\./, "").split(".");
  return labels.slice(0, -1).map((_, i) => labels.slice(i).join("."));
}

function refusedVerdict(message: string): DomainVerdict {
  return { kind: "unserviceable", message };
}

function unknown(message: string): DomainVerdict {
  return { kind: "unknown", message };
}
