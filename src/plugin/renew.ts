// `kubectl dnscert renew NAME | -l SELECTOR | --all [-A]`: asks the operator for a renewal now,
// as `cmctl renew` does, by setting the renew-at annotation to the current time (RFC 3339) with
// a JSON merge patch; the operator orders one renewal per annotation value (it records the
// value it acted on in status.renewRequestHandled). Prints what it asked; exits 0 once every
// patch is in, 3 for a NAME that is not there. A selector or --all that matches nothing is not
// an error (kubectl's "No resources found"): there was nothing to ask for.
import { RENEW_AT_ANNOTATION } from "../api/v1alpha1.ts";
import type { CertificateObject, Cluster } from "./cluster.ts";
import { EXIT, type ExitCode, NotFoundError } from "./exit-codes.ts";
import type { OutputFormat, RenewTarget } from "./flags.ts";
import { toJson } from "./output.ts";

export interface RenewRequest {
  target: RenewTarget;
  namespace: string;
  allNamespaces: boolean;
  output: OutputFormat;
}

/** `-o json`: the renewals asked for. */
export interface RenewReport {
  renewAt: string;
  annotation: string;
  renewals: { namespace: string; name: string }[];
}

export async function runRenew(
  cluster: Cluster,
  request: RenewRequest,
  write: (text: string) => void,
  warn: (text: string) => void,
): Promise<ExitCode> {
  const targets = await targetsOf(cluster, request);
  // One time for the whole run, so the lines (and the annotations) agree.
  const renewAt = new Date().toISOString();
  const report: RenewReport = { renewAt, annotation: RENEW_AT_ANNOTATION, renewals: [] };
  for (const { namespace, name } of targets) {
    await cluster.annotateCertificate(namespace, name, { [RENEW_AT_ANNOTATION]: renewAt });
    report.renewals.push({ namespace, name });
    if (request.output === "text") write(`${renewedLine(namespace, name, renewAt)}\n`);
  }
  if (request.output === "json") write(toJson(report));
  if (targets.length === 0) warn(`${nothingFound(request)}\n`);
  return EXIT.ok;
}

/** cmctl's wording. */
export function renewedLine(namespace: string, name: string, renewAt: string): string {
  return `Manually triggered renewal of ${namespace}/${name} at ${renewAt}`;
}

async function targetsOf(
  cluster: Cluster,
  request: RenewRequest,
): Promise<CertificateObject["metadata"][]> {
  const { target, namespace, allNamespaces } = request;
  if (target.kind === "name") {
    const resource = await cluster.getCertificate(namespace, target.name);
    if (resource === undefined) {
      throw new NotFoundError(`DnsimpleCertificate ${namespace}/${target.name} not found`);
    }
    return [resource.metadata];
  }
  const where = allNamespaces ? undefined : namespace;
  const selector = target.kind === "selector" ? target.selector : undefined;
  const resources = await cluster.listCertificates(where, selector);
  return resources
    .map((r) => r.metadata)
    .sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
}

function nothingFound({ target, namespace, allNamespaces }: RenewRequest): string {
  const where = allNamespaces ? "any namespace" : `namespace ${namespace}`;
  const which = target.kind === "selector" ? ` matching ${target.selector}` : "";
  return `No DnsimpleCertificates${which} found in ${where}: nothing renewed`;
}
