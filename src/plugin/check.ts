// `kubectl dnscert check`: reads the CRDs, the operator's Pods (by the chart's labels, in every
// namespace unless --operator-namespace), the Leases those Pods elect a leader with, and the
// issuers (DnsimpleIssuers in the namespace, or all with -A; every ClusterDnsimpleIssuer), and
// hands them to reportCheck. Exits 0 when no problem was found, 1 otherwise. A part the user
// may not read (RBAC) is reported as a problem, and the rest is still checked.
import { readFileSync } from "node:fs";
import { CLAIM_PLURAL } from "../api/claims.ts";
import { CLUSTER_ISSUER_PLURAL, type DnsimpleIssuer, ISSUER_PLURAL } from "../api/issuers.ts";
import { GROUP, PLURAL, VERSION } from "../api/v1alpha1.ts";
import { KubeApiError } from "../kube/errors.ts";
import {
  type CheckInput,
  leaderElectionOf,
  OPERATOR_POD_SELECTOR,
  reportCheck,
} from "./check-report.ts";
import { checkText } from "./check-text.ts";
import type { Cluster } from "./cluster.ts";
import { EXIT, type ExitCode } from "./exit-codes.ts";
import type { OutputFormat } from "./flags.ts";
import { lines, toJson } from "./output.ts";

export interface CheckRequest {
  namespace: string;
  allNamespaces: boolean;
  operatorNamespace?: string;
  output: OutputFormat;
}

/** The CRDs the chart installs, by name. */
export const CRD_NAMES = [PLURAL, ISSUER_PLURAL, CLUSTER_ISSUER_PLURAL, CLAIM_PLURAL].map(
  (plural) => `${plural}.${GROUP}`,
);

export async function runCheck(
  cluster: Cluster,
  request: CheckRequest,
  write: (text: string) => void,
): Promise<ExitCode> {
  const report = reportCheck(await gather(cluster, request));
  write(request.output === "json" ? toJson(report) : lines(checkText(report)));
  return report.ok ? EXIT.ok : EXIT.notOk;
}

async function gather(cluster: Cluster, request: CheckRequest): Promise<CheckInput> {
  const unreadable: string[] = [];
  const crds = await Promise.all(
    CRD_NAMES.map(async (name) => ({ name, object: await cluster.getCrd(name) })),
  );
  const served = new Set(crds.filter((c) => c.object !== undefined).map((c) => c.name));
  const pods = await readable(unreadable, [], () =>
    cluster.listPods(request.operatorNamespace, OPERATOR_POD_SELECTOR),
  );
  const leases = await Promise.all(
    distinctLeases(pods).map(async (where) => ({
      ...where,
      lease: await readable(unreadable, undefined, () =>
        cluster.getLease(where.namespace, where.name),
      ),
    })),
  );
  const issuers = [
    ...(served.has(`${ISSUER_PLURAL}.${GROUP}`)
      ? await readable(unreadable, [] as DnsimpleIssuer[], () =>
          cluster.listIssuers(request.allNamespaces ? undefined : request.namespace),
        )
      : []),
    ...(served.has(`${CLUSTER_ISSUER_PLURAL}.${GROUP}`)
      ? await readable(unreadable, [] as DnsimpleIssuer[], () => cluster.listClusterIssuers())
      : []),
  ];
  return {
    pluginVersion: pluginVersion(),
    apiVersion: VERSION,
    crds,
    podNamespace: request.operatorNamespace,
    pods,
    leases,
    issuers,
    unreadable,
    now: new Date(),
  };
}

function distinctLeases(pods: CheckInput["pods"]): { namespace: string; name: string }[] {
  const seen = new Map<string, { namespace: string; name: string }>();
  for (const pod of pods) {
    const { lease } = leaderElectionOf(pod);
    if (lease !== undefined) seen.set(`${lease.namespace}/${lease.name}`, lease);
  }
  return [...seen.values()];
}

/** The answer, or `fallback` with the failure noted when RBAC forbids the read. */
async function readable<T>(unreadable: string[], fallback: T, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (!(error instanceof KubeApiError) || error.code !== 403) throw error;
    unreadable.push(`cannot check: ${error.message}`);
    return fallback;
  }
}

// package.json is two levels up both from src/plugin/ and from dist/plugin/ (the image copies
// it beside dist/), as for the operator's User-Agent.
export function pluginVersion(): string {
  try {
    const parsed: unknown = JSON.parse(
      readFileSync(new URL("../../package.json", import.meta.url), "utf8"),
    );
    if (typeof parsed === "object" && parsed !== null && "version" in parsed) {
      if (typeof parsed.version === "string") return parsed.version;
    }
  } catch {
    // A copy without package.json beside it.
  }
  return "unknown";
}
