// The DNSimple domain of each entry's hosts, asking DNSimple only when nothing else says it:
//   1. the domain annotation;
//   2. the resource this source already generated for the Secret, when its domain still holds
//      every host (so a restart, or a resync, costs no call);
//   3. the account's domain list through the issuer's token, the longest domain that holds
//      the hosts, and only when the issuer serves the source's namespace at all (a tenant
//      cannot have the operator list another tenant's issuer's account).
import type { DnsimpleCertificate } from "../api/v1alpha1.ts";
import type { CredentialsResolver } from "../controller/credentials.ts";
import type { TenancyView } from "../controller/ports.ts";
import { judgeTokenUse } from "../issuers/policy.ts";
import { scrubSecrets } from "../observability/redact.ts";
import type { SourceSettings } from "./annotations.ts";
import type { DomainFinder } from "./domain-finder.ts";
import { generatedResource, isControlledBy, type SourceRef } from "./generated.ts";
import { domainOfHosts, invalidHosts, isWithin } from "./host-names.ts";
import type { DomainVerdict } from "./judge.ts";
import type { TlsEntry } from "./tls-entries.ts";

export interface DomainSources {
  tenancy: Pick<TenancyView, "issuer" | "namespaceLabels" | "clusterResourceNamespace">;
  credentials: Pick<CredentialsResolver, "resolve">;
  finder: DomainFinder;
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
    const known = settings.domain ?? generatedDomain(source, entry, existing);
    const verdict = known
      ? { kind: "domain" as const, domain: known }
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
  return entry.hosts.every((h) => isWithin(h, domain)) ? domain : undefined;
}

/** The longest of the account's domains that holds the hosts, through the issuer's token. */
async function listedDomain(
  source: SourceRef,
  settings: SourceSettings,
  entry: TlsEntry,
  { tenancy, credentials, finder }: DomainSources,
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
  if (verdict.kind === "refused") {
    return unknown(
      `cannot look up the domain of its hosts: ${verdict.failure.message}; ${annotate}`,
    );
  }
  const resolved = await credentials.resolve(resource, verdict.grant);
  if (resolved.kind === "failed") {
    return unknown(
      `cannot look up the domain of its hosts: ${resolved.failure.message}; ${annotate}`,
    );
  }
  try {
    const names = await finder.candidates(resolved.client, resolved.accountId, entry.hosts);
    return domainOfHosts(entry.hosts, names);
  } catch (err) {
    const said = scrubSecrets(err instanceof Error ? err.message : String(err));
    return unknown(`could not list the DNSimple account's domains (${said}); asking again`);
  }
}

function unknown(message: string): DomainVerdict {
  return { kind: "unknown", message };
}
