// The human form of `check`: one line per thing checked, then the problems (which fail the
// check) and the warnings (which do not). Pure.
import type { CheckReport } from "./check-report.ts";
import { table } from "./output.ts";

export function checkText(report: CheckReport): string[] {
  return [
    `Plugin: ${report.pluginVersion} (reads ${report.apiVersion})`,
    "CRDs:",
    ...table(
      [
        ["NAME", "ESTABLISHED", "SERVED", "STORAGE"],
        ...report.crds.map((crd) =>
          crd.found
            ? [
                crd.name,
                crd.established ? "True" : "False",
                crd.servedVersions.join(",") || "none",
                crd.storageVersion ?? "none",
              ]
            : [crd.name, "not installed", "", ""],
        ),
      ],
      "  ",
    ),
    ...podLines(report),
    ...leaseLines(report),
    ...issuerLines(report),
    ...(report.problems.length === 0
      ? ["OK: no problems found"]
      : [`Problems (${report.problems.length}):`, ...report.problems.map((p) => `  - ${p}`)]),
    ...(report.warnings.length === 0
      ? []
      : [`Warnings (${report.warnings.length}):`, ...report.warnings.map((w) => `  - ${w}`)]),
  ];
}

function podLines(report: CheckReport): string[] {
  if (report.pods.length === 0) return ["Operator Pods: none found"];
  return [
    "Operator Pods:",
    ...table(
      [
        ["NAMESPACE", "NAME", "READY", "LEADER", "VERSION", "IMAGE"],
        ...report.pods.map((pod) => [
          pod.namespace,
          pod.name,
          pod.ready ? "True" : "False",
          pod.leaderElection ? (pod.leader ? "yes" : "no") : "no election",
          pod.version ?? "",
          pod.image ?? "",
        ]),
      ],
      "  ",
    ),
  ];
}

function leaseLines(report: CheckReport): string[] {
  return report.leases.map((lease) => {
    const where = `${lease.namespace}/${lease.name}`;
    if (!lease.found) return `Lease ${where}: not found`;
    const leader = lease.leaderPod ?? lease.holder ?? "nobody";
    return `Lease ${where}: ${lease.held ? `held by ${leader} until ${lease.expiresAt}` : `not held (holder ${lease.holder ?? "none"}, expired ${lease.expiresAt ?? "never renewed"})`}`;
  });
}

function issuerLines(report: CheckReport): string[] {
  if (report.issuers.length === 0) return ["Issuers: none"];
  return [
    "Issuers:",
    ...table(
      [
        ["KIND", "NAMESPACE", "NAME", "READY", "REASON"],
        ...report.issuers.map((issuer) => [
          issuer.kind,
          issuer.namespace ?? "",
          issuer.name,
          issuer.ready?.status ?? "Unknown",
          issuer.ready?.reason ?? "",
        ]),
      ],
      "  ",
    ),
  ];
}
