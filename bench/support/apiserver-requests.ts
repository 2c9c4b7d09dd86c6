// What the operator costs kube-apiserver, from the apiserver's own request counters
// (`apiserver_request_total` on its /metrics): a snapshot, the difference between two, and that
// difference grouped as writes and reads per resource, subresource and verb ("secrets apply",
// "dnsimplecertificates/status update"). The counters carry no client and no namespace, so a
// scenario takes the difference over a window in which only the operator writes: what the
// harness itself wrote in it is subtracted and reported as the harness's, and writes to
// resources the operator never writes (kube-apiserver's identity Lease heartbeats,
// kube-controller-manager's namespace and ServiceAccount work) are kept apart as the control
// plane's. A WATCH is counted when it ends, so watches still open at the second snapshot are
// not in it.
import type { Kube } from "./kubernetes.ts";
import { parseMetrics } from "./operator-process.ts";
import { sleep } from "./progress.ts";

const METRIC = "apiserver_request_total";

/** The labels of one `apiserver_request_total` series this module keeps. */
export interface RequestLabels {
  /** As the metric spells it: POST, PUT, PATCH, APPLY, DELETE, GET, LIST, WATCH, ... */
  verb: string;
  group: string;
  resource: string;
  subresource: string;
  code: string;
}

/** Counter values by series (labels joined); resource requests only, not /metrics or /readyz. */
export interface RequestSnapshot {
  at: number;
  series: Map<string, { labels: RequestLabels; value: number }>;
}

/**
 * The verbs kube-apiserver's metric uses for writes, and what they are in kubectl's words. A
 * server-side apply is a PATCH that the metric labels APPLY.
 */
const WRITE_VERBS: Readonly<Record<string, string>> = {
  POST: "create",
  PUT: "update",
  PATCH: "patch",
  APPLY: "apply",
  DELETE: "delete",
  DELETECOLLECTION: "deletecollection",
};

const READ_VERBS: Readonly<Record<string, string>> = {
  GET: "get",
  LIST: "list",
  WATCH: "watch",
  WATCHLIST: "watchlist",
};

/** The API group of the operator's own resources (DnsimpleCertificates, claims, issuers). */
const OPERATOR_GROUP = "dnsimple-cert-operator.dev";

/** Resources the operator writes, besides its own group's: Secrets and Events. */
function operatorWrites(labels: RequestLabels): boolean {
  if (labels.group === OPERATOR_GROUP) return true;
  if (labels.resource === "secrets") return labels.group === "";
  return labels.resource === "events" && (labels.group === "" || labels.group === "events.k8s.io");
}

/** Reads kube-apiserver's request counters now. */
export async function requestSnapshot(kube: Kube): Promise<RequestSnapshot> {
  const at = Date.now();
  const series = new Map<string, { labels: RequestLabels; value: number }>();
  // The whole text is about 2.5 MB, almost all of it histograms: only this counter's lines parsed.
  const lines = (await kube.rawMetrics()).split("\n").filter((l) => l.startsWith(`${METRIC}{`));
  for (const sample of parseMetrics(lines.join("\n"))) {
    if (sample.name !== METRIC || !sample.labels.resource) continue;
    const labels: RequestLabels = {
      verb: sample.labels.verb ?? "",
      group: sample.labels.group ?? "",
      resource: sample.labels.resource,
      subresource: sample.labels.subresource ?? "",
      code: sample.labels.code ?? "",
    };
    // Series differing only in labels not kept (scope, version, component, dry_run) add up.
    const key = [labels.verb, labels.group, labels.resource, labels.subresource, labels.code].join(
      " ",
    );
    const entry = series.get(key);
    if (entry) entry.value += sample.value;
    else series.set(key, { labels, value: sample.value });
  }
  return { at, series };
}

/** Requests counted between two snapshots, per series (only series that grew). */
export function requestsBetween(
  before: RequestSnapshot,
  after: RequestSnapshot,
): { labels: RequestLabels; count: number }[] {
  const out: { labels: RequestLabels; count: number }[] = [];
  for (const [key, { labels, value }] of after.series) {
    const count = value - (before.series.get(key)?.value ?? 0);
    if (count > 0) out.push({ labels, count });
  }
  return out;
}

/** "secrets apply", "dnsimplecertificates/status update": resource[/subresource] verb. */
function requestKey(labels: RequestLabels, verb: string): string {
  const resource = labels.subresource
    ? `${labels.resource}/${labels.subresource}`
    : labels.resource;
  return `${resource} ${verb}`;
}

const add = (counts: Record<string, number>, key: string, n: number) => {
  counts[key] = (counts[key] ?? 0) + n;
};

/** Sorted by key, so runs compare line by line. */
const sorted = (counts: Record<string, number>): Record<string, number> =>
  Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));

export interface KubeRequestTally {
  /** The operator's writes by resource and verb, every answer (a 409 is a request too). */
  writes: Record<string, number>;
  /** Their sum. */
  totalWrites: number;
  /** Of `writes`, those answered with an error, by resource, verb and HTTP code. */
  failedWrites: Record<string, number>;
  /** Writes the harness made in the window (subtracted from `writes`). */
  byHarness: Record<string, number>;
  /** Writes to resources the operator never writes: the control plane's own. */
  controlPlaneWrites: Record<string, number>;
  /** Reads by resource and verb, whoever made them (the harness's watch and lists too). */
  reads: Record<string, number>;
}

/**
 * Groups the requests between two snapshots. `harness` is what the harness itself wrote in the
 * window, keyed as the result is ("dnsimplecertificates create": n): taken off the successful
 * writes of that key and reported apart.
 */
export function tallyRequests(
  requests: readonly { labels: RequestLabels; count: number }[],
  harness: Readonly<Record<string, number>> = {},
): KubeRequestTally {
  const writes: Record<string, number> = {};
  const failedWrites: Record<string, number> = {};
  const controlPlaneWrites: Record<string, number> = {};
  const reads: Record<string, number> = {};
  const successes: Record<string, number> = {};
  for (const { labels, count } of requests) {
    const write = WRITE_VERBS[labels.verb];
    if (write === undefined) {
      add(reads, requestKey(labels, READ_VERBS[labels.verb] ?? labels.verb.toLowerCase()), count);
      continue;
    }
    const key = requestKey(labels, write);
    if (!operatorWrites(labels)) {
      add(controlPlaneWrites, key, count);
      continue;
    }
    add(writes, key, count);
    if (/^2/.test(labels.code)) add(successes, key, count);
    else add(failedWrites, `${key} ${labels.code}`, count);
  }
  const byHarness: Record<string, number> = {};
  for (const [key, n] of Object.entries(harness)) {
    const taken = Math.min(n, successes[key] ?? 0);
    if (taken === 0) continue;
    byHarness[key] = taken;
    const left = (writes[key] ?? 0) - taken;
    if (left > 0) writes[key] = left;
    else delete writes[key];
  }
  return {
    writes: sorted(writes),
    totalWrites: Object.values(writes).reduce((sum, n) => sum + n, 0),
    failedWrites: sorted(failedWrites),
    byHarness: sorted(byHarness),
    controlPlaneWrites: sorted(controlPlaneWrites),
    reads: sorted(reads),
  };
}

/** The operator's writes counted so far (a sum over `operatorWrites` series). */
function operatorWriteTotal(snapshot: RequestSnapshot): number {
  let total = 0;
  for (const { labels, value } of snapshot.series.values()) {
    if (WRITE_VERBS[labels.verb] !== undefined && operatorWrites(labels)) total += value;
  }
  return total;
}

/**
 * Waits until kube-apiserver has counted no write to the operator's resources for `quietMs`
 * (or `timeoutMs` passed; false then), reading its counters every `everyMs`.
 */
export async function waitWritesQuiet(
  kube: Kube,
  quietMs: number,
  timeoutMs: number,
  everyMs = 1_000,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let total = operatorWriteTotal(await requestSnapshot(kube));
  let since = Date.now();
  while (Date.now() < deadline) {
    await sleep(everyMs);
    const now = operatorWriteTotal(await requestSnapshot(kube));
    if (now !== total) {
      total = now;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) {
      return true;
    }
  }
  return false;
}
