// `kubectl dnscert inspect secret NAME`: decodes any TLS Secret, the operator's or not (see
// secret-report.ts), and looks up the DnsimpleCertificate it names to confirm that resource
// names this Secret. Exits 0 when the bundle passes the operator's checks, 1 when it does not,
// 3 when there is no such Secret.
import type { Cluster } from "./cluster.ts";
import { EXIT, type ExitCode, NotFoundError } from "./exit-codes.ts";
import type { OutputFormat } from "./flags.ts";
import { lines, toJson } from "./output.ts";
import { type OwnerLookup, ownerNameOf, reportSecret } from "./secret-report.ts";
import { secretText } from "./secret-text.ts";

export async function runInspectSecret(
  cluster: Cluster,
  namespace: string,
  name: string,
  output: OutputFormat,
  write: (text: string) => void,
): Promise<ExitCode> {
  const secret = await cluster.getSecret(namespace, name);
  if (secret === undefined) throw new NotFoundError(`Secret ${namespace}/${name} not found`);
  const now = new Date();
  const owner = await lookUpOwner(cluster, namespace, ownerNameOf(secret));
  const report = reportSecret(secret, now, owner);
  write(output === "json" ? toJson(report) : lines(secretText(report, now)));
  return report.verdict.valid ? EXIT.ok : EXIT.notOk;
}

async function lookUpOwner(
  cluster: Cluster,
  namespace: string,
  name: string | null,
): Promise<OwnerLookup> {
  if (name === null) return undefined;
  const resource = await cluster.getCertificate(namespace, name);
  return resource === undefined
    ? { found: false }
    : { found: true, secretName: resource.spec.secretName };
}
