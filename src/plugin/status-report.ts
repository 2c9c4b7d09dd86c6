// `status NAME` as data: everything the command shows, judged from what was read (status.ts
// reads it). Pure. Its JSON form is `-o json`'s shape (docs/plugin.md documents it): fields are
// never dropped, an unknown value is null.
import type { CoreV1Event, V1Secret } from "@kubernetes/client-node";
import type { DnsimpleIssuer, IssuerRef } from "../api/issuers.ts";
import type { Condition } from "../api/v1alpha1.ts";
import { GENERATED_BY_LABEL, type SourceKind } from "../sources/generated.ts";
import type { CertificateObject } from "./cluster.ts";
import { type EventEntry, recentEvents } from "./events.ts";
import { type RenewalReport, reportRenewal } from "./renewal-report.ts";
import { reportSecret, type SecretReport } from "./secret-report.ts";

/** What status.ts read for one resource. */
export interface StatusInput {
  resource: CertificateObject;
  /** The resource's Events. */
  events: readonly CoreV1Event[];
  /** The Secret spec.secretName names; undefined when there is none. */
  secret: V1Secret | undefined;
  /** spec.issuerRef and the issuer it names (undefined: not found). */
  issuer?: { ref: IssuerRef; object: DnsimpleIssuer | undefined };
  /** The Ingress or Gateway that generated the resource, and its Events. */
  source?: { kind: SourceKind; name: string; uid: string; events: readonly CoreV1Event[] };
  now: Date;
}

export interface ConditionEntry {
  type: string;
  status: string;
  reason: string | null;
  message: string | null;
  /** RFC 3339. */
  lastTransitionTime: string | null;
  observedGeneration: number | null;
}

export interface StatusReport {
  namespace: string;
  name: string;
  /** The Ready condition; status "Unknown" when the operator has written none yet. */
  ready: { status: string; reason: string | null; message: string | null };
  generation: number;
  observedGeneration: number | null;
  conditions: ConditionEntry[];
  events: EventEntry[];
  /** DNSimple's side, as the operator recorded it (the plugin asks DNSimple nothing). */
  dnsimple: {
    certificateId: number | null;
    renewalId: number | null;
    state: string | null;
    /** status.dnsimple: null when the operator has not recorded it. */
    autoRenew: boolean | null;
    expiresAt: string | null;
  };
  failures: { failedAttempts: number; lastFailureTime: string | null };
  secret: { name: string; found: boolean; report: SecretReport | null };
  renewal: RenewalReport;
  /** How the resource reaches DNSimple. */
  credentials: { kind: "issuerRef" | "credentialsRef" | "operatorDefault"; name: string | null };
  issuer: {
    kind: string;
    name: string;
    namespace: string | null;
    found: boolean;
    ready: { status: string; reason: string | null; message: string | null } | null;
  } | null;
  source: {
    kind: SourceKind;
    name: string;
    namespace: string;
    /** Whether the resource carries the generated-by label too. */
    labelled: boolean;
    /** The source's recent Warning Events with reason BadConfig. */
    warnings: EventEntry[];
  } | null;
}

export function reportStatus(input: StatusInput): StatusReport {
  const { resource, now } = input;
  const status = resource.status ?? {};
  const { namespace, name } = resource.metadata;
  return {
    namespace,
    name,
    ready: readyOf(status.conditions),
    generation: resource.metadata.generation,
    observedGeneration: status.observedGeneration ?? null,
    conditions: (status.conditions ?? []).map(conditionEntry),
    events: recentEvents(input.events),
    dnsimple: {
      certificateId: status.certificateId ?? null,
      renewalId: status.renewalId ?? null,
      state: status.state ?? null,
      autoRenew: status.dnsimple?.autoRenew ?? null,
      expiresAt: status.dnsimple?.expiresAt ?? null,
    },
    failures: {
      failedAttempts: status.failedAttempts ?? 0,
      lastFailureTime: status.lastFailureTime ?? null,
    },
    secret: {
      name: resource.spec.secretName,
      found: input.secret !== undefined,
      report: input.secret === undefined ? null : reportSecret(input.secret, now),
    },
    renewal: reportRenewal(resource, input.issuer?.object, now),
    credentials: credentialsOf(resource),
    issuer: issuerOf(input, namespace),
    source: sourceOf(input, namespace),
  };
}

/** Ready=True is the one answer that exits 0. */
export function isReady(report: StatusReport): boolean {
  return report.ready.status === "True";
}

function readyOf(conditions: readonly Condition[] | undefined): StatusReport["ready"] {
  const ready = conditions?.find((c) => c.type === "Ready");
  return ready === undefined
    ? {
        status: "Unknown",
        reason: null,
        message: "the operator has not written a Ready condition yet",
      }
    : { status: ready.status, reason: ready.reason || null, message: ready.message || null };
}

function conditionEntry(condition: Condition): ConditionEntry {
  return {
    type: condition.type,
    status: condition.status,
    reason: condition.reason || null,
    message: condition.message || null,
    lastTransitionTime: condition.lastTransitionTime
      ? new Date(condition.lastTransitionTime).toISOString()
      : null,
    observedGeneration: condition.observedGeneration ?? null,
  };
}

function credentialsOf(resource: CertificateObject): StatusReport["credentials"] {
  if (resource.spec.issuerRef) return { kind: "issuerRef", name: resource.spec.issuerRef.name };
  if (resource.spec.credentialsRef) {
    return { kind: "credentialsRef", name: resource.spec.credentialsRef.name };
  }
  return { kind: "operatorDefault", name: null };
}

function issuerOf(input: StatusInput, namespace: string): StatusReport["issuer"] {
  if (input.issuer === undefined) return null;
  const { ref, object } = input.issuer;
  const ready = object?.status?.conditions?.find((c) => c.type === "Ready");
  return {
    kind: ref.kind,
    name: ref.name,
    namespace: ref.kind === "DnsimpleIssuer" ? namespace : null,
    found: object !== undefined,
    ready:
      ready === undefined
        ? null
        : { status: ready.status, reason: ready.reason || null, message: ready.message || null },
  };
}

function sourceOf(input: StatusInput, namespace: string): StatusReport["source"] {
  if (input.source === undefined) return null;
  const { kind, name, events } = input.source;
  const badConfig = events.filter((e) => e.type === "Warning" && e.reason === "BadConfig");
  return {
    kind,
    name,
    namespace,
    labelled: input.resource.metadata.labels?.[GENERATED_BY_LABEL] === kind,
    warnings: recentEvents(badConfig),
  };
}
