// What a source wants, judged from what was gathered once (its annotations, its entries, the
// domain found for each entry, the issuer's plan): one spec per Secret, or "hold" where the
// entry cannot be judged now, and the warnings to report (BadConfig Events). Pure, tested by a
// table (test/unit/sources/judge.test.ts); syncPlan then compares it with what exists.
import type { DnsimpleCertificate } from "../api/v1alpha1.ts";
import type { SourceAnnotations } from "./annotations.ts";
import {
  generatedSpec,
  INFERRED_DOMAIN_ANNOTATION,
  isControlledBy,
  type SourceRef,
} from "./generated.ts";
import { certificateNamesFor, invalidHosts } from "./host-names.ts";
import type { Wanted, WantedAnnotations } from "./sync-plan.ts";
import type { SourceEntries, TlsEntry } from "./tls-entries.ts";

/** The domain of an entry's hosts: found, impossible, or not known now (ask again later). */
export type DomainVerdict =
  /** `inferred`: found in the account's domain list (and so recorded on the resource). */
  | { kind: "domain"; domain: string; inferred?: boolean }
  | { kind: "unserviceable"; message: string }
  | { kind: "unknown"; message: string };

export interface SourceFacts {
  source: SourceRef;
  annotations: SourceAnnotations;
  entries: SourceEntries;
  /** Per Secret name; absent for an entry whose hosts are not DNS names. */
  domains: ReadonlyMap<string, DomainVerdict>;
  /** The issuer's account plan (its status), when known. */
  plan: string | undefined;
  /** The namespace's DnsimpleCertificates. */
  existing: readonly DnsimpleCertificate[];
}

export interface SourceJudgement {
  wanted: Wanted;
  /** The operator's annotations per wanted Secret (the inferred domain). */
  annotations: WantedAnnotations;
  warnings: string[];
}

/** The source's wanted resources and what is wrong with it. */
export function judgeSource(facts: SourceFacts): SourceJudgement {
  const { annotations } = facts;
  const none = new Map<string, Record<string, string>>();
  if (annotations.kind === "none") return { wanted: new Map(), annotations: none, warnings: [] };
  if (annotations.kind === "invalid") {
    // Wrong annotations change nothing: every resource it made stays as it is.
    return { wanted: holdAll(facts), annotations: none, warnings: annotations.problems };
  }
  const wanted = new Map<string, ReturnType<typeof generatedSpec> | "hold">();
  const marks = new Map<string, Record<string, string>>();
  const warnings = [...facts.entries.problems];
  // An entry with a problem of its own (no hosts, a listener without a hostname) keeps its
  // resource as it is, as a wrong host does.
  for (const secret of facts.entries.held ?? []) wanted.set(secret, "hold");
  for (const entry of facts.entries.entries) {
    const judged = judgeEntry(entry, facts, annotations.settings);
    wanted.set(entry.secretName, judged.kind === "spec" ? judged.spec : "hold");
    if (judged.kind === "hold") warnings.push(`Secret ${entry.secretName}: ${judged.message}`);
    const domain = facts.domains.get(entry.secretName);
    if (judged.kind === "spec" && domain?.kind === "domain" && domain.inferred) {
      marks.set(entry.secretName, { [INFERRED_DOMAIN_ANNOTATION]: domain.domain });
    }
  }
  return { wanted, annotations: marks, warnings };
}

type EntryJudgement =
  | { kind: "spec"; spec: ReturnType<typeof generatedSpec> }
  | { kind: "hold"; message: string };

function judgeEntry(
  entry: TlsEntry,
  facts: SourceFacts,
  settings: Extract<SourceAnnotations, { kind: "source" }>["settings"],
): EntryJudgement {
  const invalid = invalidHosts(entry.hosts);
  if (invalid.length > 0) {
    return {
      kind: "hold",
      message: `${invalid.join(", ")} ${invalid.length > 1 ? "are" : "is"} not a DNS host name`,
    };
  }
  const domain = facts.domains.get(entry.secretName);
  if (!domain) return { kind: "hold", message: "the DNSimple domain of its hosts is not known" };
  if (domain.kind !== "domain") return { kind: "hold", message: domain.message };
  const names = certificateNamesFor({
    hosts: entry.hosts,
    domain: domain.domain,
    ...(facts.plan ? { plan: facts.plan } : {}),
  });
  if (names.kind === "unserviceable") return { kind: "hold", message: names.message };
  return { kind: "spec", spec: generatedSpec(entry.secretName, names.names, settings) };
}

function holdAll(facts: SourceFacts): Wanted {
  const held = facts.existing.filter((r) => isControlledBy(r, facts.source));
  return new Map(held.map((r) => [r.metadata.name, "hold" as const]));
}
