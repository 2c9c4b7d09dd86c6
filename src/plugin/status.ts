// `kubectl dnscert status NAME`: reads the resource, its Events, its Secret, its issuer and its
// source (an Ingress or Gateway that generated it) and their Events, then hands them to
// reportStatus. Ready=True exits 0, anything else 1; a resource that is not there exits 3.

import { KIND } from "../api/v1alpha1.ts";
import { controllerOf, sourceKindOf } from "../sources/generated.ts";
import type { CertificateObject, Cluster } from "./cluster.ts";
import { EXIT, type ExitCode, NotFoundError } from "./exit-codes.ts";
import type { OutputFormat } from "./flags.ts";
import { lines, toJson } from "./output.ts";
import { isReady, reportStatus, type StatusInput } from "./status-report.ts";
import { statusText } from "./status-text.ts";

export async function runStatus(
  cluster: Cluster,
  namespace: string,
  name: string,
  output: OutputFormat,
  write: (text: string) => void,
): Promise<ExitCode> {
  const resource = await cluster.getCertificate(namespace, name);
  if (resource === undefined) {
    throw new NotFoundError(`DnsimpleCertificate ${namespace}/${name} not found`);
  }
  const now = new Date();
  const report = reportStatus(await gather(cluster, resource, now));
  write(output === "json" ? toJson(report) : lines(statusText(report, now)));
  return isReady(report) ? EXIT.ok : EXIT.notOk;
}

async function gather(
  cluster: Cluster,
  resource: CertificateObject,
  now: Date,
): Promise<StatusInput> {
  const { namespace, name, uid } = resource.metadata;
  const ref = resource.spec.issuerRef;
  const [events, secret, issuer, source] = await Promise.all([
    cluster.eventsOf({ kind: KIND, namespace, name, uid }),
    cluster.getSecret(namespace, resource.spec.secretName),
    ref === undefined ? undefined : cluster.getIssuer(ref, namespace),
    sourceOf(cluster, resource),
  ]);
  return {
    resource,
    events,
    secret,
    ...(ref === undefined ? {} : { issuer: { ref, object: issuer } }),
    ...(source === undefined ? {} : { source }),
    now,
  };
}

async function sourceOf(
  cluster: Cluster,
  resource: CertificateObject,
): Promise<StatusInput["source"]> {
  const kind = sourceKindOf(resource);
  const controller = controllerOf(resource);
  if (kind === undefined || controller === undefined) return undefined;
  const { namespace } = resource.metadata;
  const events = await cluster.eventsOf({
    kind,
    namespace,
    name: controller.name,
    uid: controller.uid,
  });
  return { kind, name: controller.name, uid: controller.uid, events };
}
