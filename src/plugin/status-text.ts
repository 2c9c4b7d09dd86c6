// The human form of `status NAME`, in the order a person asks: is it Ready and why, what
// happened lately, what DNSimple holds, what the Secret holds, when the next renewal is and
// why then, and where the resource comes from. Pure.
import type { EventEntry } from "./events.ts";
import { ageOf, fields, relativeTime, table } from "./output.ts";
import { secretSummary } from "./secret-text.ts";
import type { StatusReport } from "./status-report.ts";

export function statusText(report: StatusReport, now: Date): string[] {
  return [
    ...fields([
      ["Name", report.name],
      ["Namespace", report.namespace],
      ["Ready", readyLine(report, now)],
    ]),
    ...conditionLines(report, now),
    ...eventLines("Events", report.events, now),
    ...dnsimpleLines(report, now),
    ...secretLines(report, now),
    ...renewalLines(report, now),
    ...accessLines(report),
    ...sourceLines(report, now),
  ];
}

function readyLine(report: StatusReport, now: Date): string {
  const { status, reason, message } = report.ready;
  const condition = report.conditions.find((c) => c.type === "Ready");
  const since = condition?.lastTransitionTime
    ? ` for ${ageOf(condition.lastTransitionTime, now)}`
    : "";
  return `${status}${reason === null ? "" : ` (${reason})`}${since}${message === null ? "" : `: ${message}`}`;
}

function conditionLines(report: StatusReport, now: Date): string[] {
  if (report.conditions.length === 0) return ["Conditions: none yet"];
  const stale =
    report.observedGeneration !== null && report.observedGeneration !== report.generation
      ? ` (for generation ${report.observedGeneration}; the spec is at ${report.generation})`
      : "";
  return [
    `Conditions:${stale}`,
    ...table(
      [
        ["TYPE", "STATUS", "REASON", "AGE", "MESSAGE"],
        ...report.conditions.map((c) => [
          c.type,
          c.status,
          c.reason ?? "",
          ageOf(c.lastTransitionTime ?? undefined, now),
          c.message ?? "",
        ]),
      ],
      "  ",
    ),
  ];
}

/** A heading and the Events as `kubectl describe` lists them. */
export function eventLines(
  heading: string,
  events: readonly EventEntry[],
  now: Date,
  indent = "",
): string[] {
  if (events.length === 0) return [`${indent}${heading}: none`];
  return [
    `${indent}${heading}:`,
    ...table(
      [
        ["TYPE", "REASON", "AGE", "COUNT", "MESSAGE"],
        ...events.map((e) => [
          e.type,
          e.reason,
          ageOf(e.lastSeen ?? undefined, now),
          String(e.count),
          e.message,
        ]),
      ],
      `${indent}  `,
    ),
  ];
}

function dnsimpleLines({ dnsimple }: StatusReport, now: Date): string[] {
  const orNone = (value: number | string | null) => (value === null ? "none" : String(value));
  return [
    "DNSimple (as the operator last recorded it):",
    ...fields(
      [
        ["Certificate ID", orNone(dnsimple.certificateId)],
        ["Renewal ID", orNone(dnsimple.renewalId)],
        ["State", orNone(dnsimple.state)],
        ["Auto-renew", dnsimple.autoRenew === null ? "not recorded" : String(dnsimple.autoRenew)],
        [
          "Expires",
          dnsimple.expiresAt === null
            ? "not recorded"
            : `${dnsimple.expiresAt} (${relativeTime(dnsimple.expiresAt, now)})`,
        ],
      ],
      "  ",
    ),
  ];
}

function secretLines({ secret, failures }: StatusReport, now: Date): string[] {
  const failed =
    failures.failedAttempts > 0
      ? [
          `Failures: ${failures.failedAttempts} in a row, the last ${ageOf(failures.lastFailureTime ?? undefined, now)} ago`,
        ]
      : [];
  if (!secret.found || secret.report === null) {
    return [...failed, `Secret ${secret.name}: not found`];
  }
  return [...failed, `Secret ${secret.name}:`, ...secretSummary(secret.report, now)];
}

function renewalLines({ renewal }: StatusReport, now: Date): string[] {
  const next =
    renewal.renewalTime === null
      ? "not set"
      : `${renewal.renewalTime} (${relativeTime(renewal.renewalTime, now)})`;
  return [
    "Renewal:",
    ...fields(
      [
        ["Next", next],
        ["Why", renewal.explanation],
      ],
      "  ",
    ),
  ];
}

function accessLines({ issuer, credentials }: StatusReport): string[] {
  if (issuer === null) {
    const how =
      credentials.kind === "credentialsRef"
        ? `none (credentialsRef: Secret ${credentials.name})`
        : "none named (the operator's default issuer or token)";
    return fields([["Issuer", how]]);
  }
  const where = issuer.namespace === null ? issuer.name : `${issuer.namespace}/${issuer.name}`;
  const ready = !issuer.found
    ? "NOT FOUND"
    : issuer.ready === null
      ? "no Ready condition yet"
      : `Ready ${issuer.ready.status}${issuer.ready.reason === null ? "" : ` (${issuer.ready.reason})`}${issuer.ready.message === null ? "" : `: ${issuer.ready.message}`}`;
  return fields([["Issuer", `${issuer.kind} ${where}: ${ready}`]]);
}

function sourceLines({ source }: StatusReport, now: Date): string[] {
  if (source === null) return [];
  const label = source.labelled ? "" : " (without the generated-by label)";
  return [
    ...fields([
      ["Source", `generated from ${source.kind} ${source.namespace}/${source.name}${label}`],
    ]),
    ...eventLines(`${source.kind} warnings (BadConfig)`, source.warnings, now, "  "),
  ];
}
