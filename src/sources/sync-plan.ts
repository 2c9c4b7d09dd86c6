// What to do to make a source's generated resources match it: a pure comparison of what the
// source wants (one spec per Secret) with the namespace's DnsimpleCertificates, tested by a
// table (test/unit/sources/sync-plan.test.ts). The rules:
//   - a wanted Secret without a resource of its name: create it;
//   - one controlled by this source (owner reference uid) that differs: put it back as the
//     source says (a hand edit is undone), keeping the spec's name order when the names are the
//     same set, so a reordering of hosts buys nothing;
//   - one not controlled by this source (made by hand, or by another source): never touched,
//     reported; one an earlier source of the same kind and name controlled (deleted and made
//     again: the garbage collector deletes it soon) is waited for, quietly;
//   - one being deleted: waited for (its deletion re-queues the source, which then creates);
//   - one this source controls (and labelled as generated) but no longer wants (the entry or
//     the annotation went): delete;
//   - an entry on hold (its hosts cannot be judged now): its resource stays as it is.

import type { DnsimpleCertificate, DnsimpleCertificateSpec } from "../api/v1alpha1.ts";
import { expectedDnsNames, sameDnsNames } from "../certs/dns-names.ts";
import { canonicalJson } from "../controller/reconciler.ts";
import {
  controllerOf,
  controllerReference,
  GENERATED_BY_LABEL,
  generatedResource,
  INFERRED_DOMAIN_ANNOTATION,
  isControlledBy,
  type SourceRef,
} from "./generated.ts";

/** Per Secret name: the spec its resource must have, or "hold" (leave it as it is). */
export type Wanted = ReadonlyMap<string, DnsimpleCertificateSpec | "hold">;

/** Per Secret name: the operator's annotations its resource must have (see generated.ts). */
export type WantedAnnotations = ReadonlyMap<string, Readonly<Record<string, string>>>;

/** The annotations on generated resources that the sync keeps as the source says. */
const MANAGED_ANNOTATIONS = [INFERRED_DOMAIN_ANNOTATION] as const;

export type SyncStep =
  | { kind: "create"; resource: ReturnType<typeof generatedResource> }
  | { kind: "update"; resource: DnsimpleCertificate; changed: string[] }
  | { kind: "delete"; resource: DnsimpleCertificate }
  | { kind: "notOwned"; name: string; controller: string | undefined };

/** The steps, in the order wanted lists the Secrets, deletions last. */
export function syncPlan(
  source: SourceRef,
  wanted: Wanted,
  existing: readonly DnsimpleCertificate[],
  annotations: WantedAnnotations = new Map(),
): SyncStep[] {
  const byName = new Map(existing.map((r) => [r.metadata.name, r]));
  const steps: SyncStep[] = [];
  for (const [name, spec] of wanted) {
    if (spec === "hold") continue;
    const step = stepFor(source, spec, annotations.get(name) ?? {}, byName.get(name));
    if (step) steps.push(step);
  }
  for (const resource of existing) {
    if (!isControlledBy(resource, source) || wanted.has(resource.metadata.name)) continue;
    if (resource.metadata.labels?.[GENERATED_BY_LABEL] !== source.kind) continue;
    if (resource.metadata.deletionTimestamp) continue;
    steps.push({ kind: "delete", resource });
  }
  return steps;
}

/** For one wanted Secret: create, restore, report, or nothing. */
function stepFor(
  source: SourceRef,
  spec: DnsimpleCertificateSpec,
  annotations: Readonly<Record<string, string>>,
  current: DnsimpleCertificate | undefined,
): SyncStep | undefined {
  if (!current) return { kind: "create", resource: generatedResource(source, spec, annotations) };
  if (current.metadata.deletionTimestamp) return undefined;
  if (isControlledBy(current, source)) return restored(source, current, spec, annotations);
  const controller = controllerOf(current);
  if (controller?.kind === source.kind && controller.name === source.name) return undefined;
  return {
    kind: "notOwned",
    name: spec.secretName,
    controller: controller ? `${controller.kind} ${controller.name}` : undefined,
  };
}

/** The resource as the source says it must be, or undefined when it already is. */
function restored(
  source: SourceRef,
  current: DnsimpleCertificate,
  wanted: DnsimpleCertificateSpec,
  annotations: Readonly<Record<string, string>>,
): SyncStep | undefined {
  const spec = keepNameOrder(wanted, current.spec);
  const changed = changedFields(spec, current.spec);
  const labelled = current.metadata.labels?.[GENERATED_BY_LABEL] === source.kind;
  if (!labelled) changed.push(`metadata.labels.${GENERATED_BY_LABEL}`);
  const currentAnnotations = current.metadata.annotations ?? {};
  for (const key of MANAGED_ANNOTATIONS) {
    if (currentAnnotations[key] !== annotations[key]) changed.push(`metadata.annotations.${key}`);
  }
  if (changed.length === 0) return undefined;
  const kept = Object.fromEntries(
    Object.entries(currentAnnotations).filter(
      ([k]) => !(MANAGED_ANNOTATIONS as readonly string[]).includes(k),
    ),
  );
  const merged = { ...kept, ...annotations };
  const { annotations: _old, ...metadata } = current.metadata;
  const resource: DnsimpleCertificate = {
    ...current,
    metadata: {
      ...metadata,
      ...(Object.keys(merged).length > 0 ? { annotations: merged } : {}),
      labels: { ...current.metadata.labels, [GENERATED_BY_LABEL]: source.kind },
      ownerReferences: withController(current, source),
    },
    spec,
  };
  return { kind: "update", resource, changed };
}

/** The same DNS names in another order: keep the resource's name and alternate names. */
function keepNameOrder(
  wanted: DnsimpleCertificateSpec,
  current: DnsimpleCertificateSpec,
): DnsimpleCertificateSpec {
  if (wanted.domain !== current.domain || !sameNames(wanted, current)) return wanted;
  const { alternateNames: _drop, ...rest } = wanted;
  return {
    ...rest,
    name: current.name,
    ...(current.alternateNames?.length ? { alternateNames: current.alternateNames } : {}),
  };
}

function sameNames(a: DnsimpleCertificateSpec, b: DnsimpleCertificateSpec): boolean {
  try {
    return sameDnsNames(expectedDnsNames(a), expectedDnsNames(b));
  } catch {
    return false; // a numeric domain (a hand edit): not comparable, so put back
  }
}

/** The spec fields whose values differ (compared canonically: key order does not count). */
function changedFields(
  wanted: DnsimpleCertificateSpec,
  current: DnsimpleCertificateSpec,
): string[] {
  const keys = new Set([...Object.keys(wanted), ...Object.keys(current)]);
  const w = wanted as unknown as Record<string, unknown>;
  const c = current as unknown as Record<string, unknown>;
  return [...keys]
    .filter((k) => canonicalJson(w[k]) !== canonicalJson(c[k]))
    .sort()
    .map((k) => `spec.${k}`);
}

function withController(current: DnsimpleCertificate, source: SourceRef) {
  const others = (current.metadata.ownerReferences ?? []).filter((r) => r.uid !== source.uid);
  return [...others, controllerReference(source)];
}
