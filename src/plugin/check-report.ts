// `check` as data and its verdict: the four CRDs Established and serving the plugin's API
// version, the operator's Pods Ready, the Lease they elect a leader with held by one of them,
// versions alike, and every issuer Ready. Pure, tested by tables; check.ts reads the inputs.
//
// A problem fails the check (exit 1): something does not work. A warning does not: versions
// that differ (a rollout in progress, or a plugin older than the operator) and issuers no
// operator has looked at yet are worth a look, not an alarm.
import type { V1CustomResourceDefinition, V1Lease, V1Pod } from "@kubernetes/client-node";
import type { DnsimpleIssuer } from "../api/issuers.ts";
import { issuerLabel } from "../api/issuers.ts";

/** The chart's labels of the operator's Pods (helm/.../_helpers.tpl), whatever the release. */
export const OPERATOR_POD_SELECTOR =
  "app.kubernetes.io/part-of=dnsimple-cert-operator,app.kubernetes.io/component=operator";

/** The operator's default Lease name (config.ts --leader-election-id). */
export const DEFAULT_LEASE_NAME = "dnsimple-cert-operator";

/** A Lease renewed this long past its duration still counts as held: clocks differ a little. */
const CLOCK_SKEW_MS = 5_000;

export interface LeaderElectionSettings {
  enabled: boolean;
  /** Where the Lease is, when enabled. */
  lease?: { namespace: string; name: string };
}

export interface CheckInput {
  pluginVersion: string;
  /** The API version the plugin reads (v1alpha1). */
  apiVersion: string;
  crds: readonly { name: string; object: V1CustomResourceDefinition | undefined }[];
  /** Where the Pods were looked for: a namespace, or undefined for all. */
  podNamespace: string | undefined;
  pods: readonly V1Pod[];
  /** The Leases the Pods name (see leaderElectionOf), as read; undefined: not there. */
  leases: readonly { namespace: string; name: string; lease: V1Lease | undefined }[];
  issuers: readonly DnsimpleIssuer[];
  /** A part that could not be read (e.g. Pods, forbidden): a problem of its own. */
  unreadable: readonly string[];
  now: Date;
}

export interface CrdCheck {
  name: string;
  found: boolean;
  established: boolean;
  servedVersions: string[];
  storageVersion: string | null;
}

export interface PodCheck {
  namespace: string;
  name: string;
  ready: boolean;
  phase: string | null;
  /** app.kubernetes.io/version. */
  version: string | null;
  image: string | null;
  leaderElection: boolean;
  leader: boolean;
}

export interface LeaseCheck {
  namespace: string;
  name: string;
  found: boolean;
  holder: string | null;
  /** The Pod (namespace/name) whose hostname the holder identity begins with. */
  leaderPod: string | null;
  /** RFC 3339: renewTime + leaseDurationSeconds. */
  expiresAt: string | null;
  held: boolean;
}

export interface IssuerCheck {
  kind: string;
  namespace: string | null;
  name: string;
  ready: { status: string; reason: string | null; message: string | null } | null;
}

export interface CheckReport {
  ok: boolean;
  pluginVersion: string;
  apiVersion: string;
  crds: CrdCheck[];
  pods: PodCheck[];
  leases: LeaseCheck[];
  issuers: IssuerCheck[];
  problems: string[];
  warnings: string[];
}

export function reportCheck(input: CheckInput): CheckReport {
  const crds = input.crds.map(({ name, object }) => crdCheck(name, object));
  const leases = input.leases.map((l) => leaseCheck(l, input.pods, input.now));
  const pods = input.pods.map((pod) => podCheck(pod, leases));
  const issuers = input.issuers.map(issuerCheck);
  const problems = [
    ...input.unreadable,
    ...crds.flatMap((crd) => crdProblems(crd, input.apiVersion)),
    ...podProblems(pods, input.podNamespace),
    ...leaseProblems(leases, pods),
    ...issuers.flatMap(issuerProblems),
  ];
  const warnings = [
    ...versionWarnings(input.pluginVersion, pods, crds, input.apiVersion),
    ...issuers
      .filter((i) => i.ready === null)
      .map((i) => `${labelOf(i)} has no Ready condition yet`),
  ];
  return {
    ok: problems.length === 0,
    pluginVersion: input.pluginVersion,
    apiVersion: input.apiVersion,
    crds,
    pods,
    leases,
    issuers,
    problems,
    warnings,
  };
}

function crdCheck(name: string, crd: V1CustomResourceDefinition | undefined): CrdCheck {
  const versions = crd?.spec.versions ?? [];
  return {
    name,
    found: crd !== undefined,
    established:
      crd?.status?.conditions?.some((c) => c.type === "Established" && c.status === "True") ??
      false,
    servedVersions: versions.filter((v) => v.served).map((v) => v.name),
    storageVersion: versions.find((v) => v.storage)?.name ?? null,
  };
}

function crdProblems(crd: CrdCheck, apiVersion: string): string[] {
  if (!crd.found) return [`CRD ${crd.name} is not installed`];
  const problems: string[] = [];
  if (!crd.established) problems.push(`CRD ${crd.name} is not Established`);
  if (!crd.servedVersions.includes(apiVersion)) {
    problems.push(
      `CRD ${crd.name} does not serve ${apiVersion}, the version this plugin reads (it serves ${crd.servedVersions.join(", ") || "none"})`,
    );
  }
  return problems;
}

/** How a Pod runs leader election: its container's environment and flags, as config.ts reads. */
export function leaderElectionOf(pod: V1Pod): LeaderElectionSettings {
  const container =
    pod.spec?.containers.find((c) => c.env?.some((e) => e.name === "LEADER_ELECT")) ??
    pod.spec?.containers[0];
  const env = new Map((container?.env ?? []).map((e) => [e.name, e.value]));
  const args = [...(container?.command ?? []), ...(container?.args ?? [])];
  const enabled =
    (flagValue(args, "leader-elect") ?? env.get("LEADER_ELECT") ?? "false") === "true";
  if (!enabled) return { enabled };
  const namespace =
    flagValue(args, "leader-election-namespace") ??
    env.get("LEADER_ELECTION_NAMESPACE") ??
    pod.metadata?.namespace ??
    "default";
  const name =
    flagValue(args, "leader-election-id") ?? env.get("LEADER_ELECTION_ID") ?? DEFAULT_LEASE_NAME;
  return { enabled, lease: { namespace, name } };
}

// `--name=value`, `--name value`, or a bare boolean `--name` ("true").
function flagValue(args: readonly string[], name: string): string | undefined {
  for (const [index, arg] of args.entries()) {
    if (arg.startsWith(`--${name}=`)) return arg.slice(name.length + 3);
    if (arg === `--${name}`) {
      const next = args[index + 1];
      return next === undefined || next.startsWith("--") ? "true" : next;
    }
  }
  return undefined;
}

function leaseCheck(
  { namespace, name, lease }: CheckInput["leases"][number],
  pods: readonly V1Pod[],
  now: Date,
): LeaseCheck {
  const holder = lease?.spec?.holderIdentity || null;
  const renewed = lease?.spec?.renewTime ?? lease?.spec?.acquireTime;
  const duration = (lease?.spec?.leaseDurationSeconds ?? 0) * 1000;
  const expiresAt = renewed === undefined ? null : new Date(new Date(renewed).getTime() + duration);
  const leaderPod = holder === null ? undefined : pods.find((pod) => holds(holder, pod));
  return {
    namespace,
    name,
    found: lease !== undefined,
    holder,
    leaderPod: leaderPod ? `${leaderPod.metadata?.namespace}/${leaderPod.metadata?.name}` : null,
    expiresAt: expiresAt?.toISOString() ?? null,
    held:
      holder !== null && expiresAt !== null && expiresAt.getTime() + CLOCK_SKEW_MS >= now.getTime(),
  };
}

// The operator's identity is `<hostname>_<random>` (kube/leader-election.ts); a Pod's hostname
// is its name.
function holds(holder: string, pod: V1Pod): boolean {
  const name = pod.metadata?.name;
  return name !== undefined && (holder === name || holder.startsWith(`${name}_`));
}

function podCheck(pod: V1Pod, leases: readonly LeaseCheck[]): PodCheck {
  const namespace = pod.metadata?.namespace ?? "";
  const name = pod.metadata?.name ?? "";
  return {
    namespace,
    name,
    ready: pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false,
    phase: pod.status?.phase ?? null,
    version: pod.metadata?.labels?.["app.kubernetes.io/version"] ?? null,
    image: pod.spec?.containers[0]?.image ?? null,
    leaderElection: leaderElectionOf(pod).enabled,
    leader: leases.some((l) => l.held && l.leaderPod === `${namespace}/${name}`),
  };
}

function podProblems(pods: readonly PodCheck[], namespace: string | undefined): string[] {
  if (pods.length === 0) {
    const where = namespace === undefined ? "any namespace" : `namespace ${namespace}`;
    return [`no operator Pods in ${where} (labels ${OPERATOR_POD_SELECTOR})`];
  }
  const problems = pods
    .filter((pod) => !pod.ready)
    .map(
      (pod) => `Pod ${pod.namespace}/${pod.name} is not Ready (phase ${pod.phase ?? "unknown"})`,
    );
  const unelected = pods.filter((pod) => !pod.leaderElection);
  if (unelected.length > 1) {
    problems.push(
      `${unelected.length} operator Pods run without leader election (${unelected.map((p) => `${p.namespace}/${p.name}`).join(", ")}): each reconciles on its own`,
    );
  }
  return problems;
}

function leaseProblems(leases: readonly LeaseCheck[], pods: readonly PodCheck[]): string[] {
  return leases.flatMap((lease) => {
    const where = `Lease ${lease.namespace}/${lease.name}`;
    if (!lease.found) return [`no leader: ${where} does not exist`];
    if (!lease.held) {
      return [
        `no leader: ${where} ${lease.holder === null ? "has no holder" : `expired at ${lease.expiresAt} (held by ${lease.holder})`}`,
      ];
    }
    if (lease.leaderPod === null) {
      return [
        `${where} is held by ${lease.holder}, which is none of the operator Pods found (${pods.map((p) => p.name).join(", ") || "none"})`,
      ];
    }
    return [];
  });
}

function issuerCheck(issuer: DnsimpleIssuer): IssuerCheck {
  const ready = issuer.status?.conditions?.find((c) => c.type === "Ready");
  return {
    kind: issuer.kind,
    namespace: issuer.metadata.namespace ?? null,
    name: issuer.metadata.name,
    ready:
      ready === undefined
        ? null
        : { status: ready.status, reason: ready.reason || null, message: ready.message || null },
  };
}

function labelOf(issuer: IssuerCheck): string {
  return issuerLabel(
    issuer.kind === "DnsimpleIssuer" ? "DnsimpleIssuer" : "ClusterDnsimpleIssuer",
    issuer.name,
    issuer.namespace ?? undefined,
  );
}

function issuerProblems(issuer: IssuerCheck): string[] {
  if (issuer.ready === null || issuer.ready.status === "True") return [];
  const why = [issuer.ready.reason, issuer.ready.message].filter((p) => p !== null).join(": ");
  return [`${labelOf(issuer)} is not Ready${why === "" ? "" : ` (${why})`}`];
}

function versionWarnings(
  pluginVersion: string,
  pods: readonly PodCheck[],
  crds: readonly CrdCheck[],
  apiVersion: string,
): string[] {
  const warnings: string[] = [];
  for (const pod of pods) {
    const tag = imageTag(pod.image);
    const versions = [pod.version, tag].filter((v): v is string => v !== null);
    const other = versions.find((v) => v.replace(/^v/, "") !== pluginVersion);
    if (other !== undefined) {
      warnings.push(
        `Pod ${pod.namespace}/${pod.name} runs ${other} (version label ${pod.version ?? "none"}, image ${pod.image ?? "none"}); this plugin is ${pluginVersion}`,
      );
    }
  }
  for (const crd of crds) {
    if (crd.storageVersion !== null && crd.storageVersion !== apiVersion) {
      warnings.push(
        `CRD ${crd.name} stores ${crd.storageVersion}; this plugin reads ${apiVersion}`,
      );
    }
  }
  return warnings;
}

/** The tag of an image reference ("repo:0.1.0" -> "0.1.0"); null for a digest or none. */
export function imageTag(image: string | null): string | null {
  if (image === null || image.includes("@")) return null;
  const lastSlash = image.lastIndexOf("/");
  const colon = image.indexOf(":", lastSlash + 1);
  return colon === -1 ? null : image.slice(colon + 1);
}
