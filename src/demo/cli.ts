// `npm run demo`: the operator's main job on embedded defaults. A local control plane, the
// DNSimple simulator and the operator (all on this machine), an example DnsimpleCertificate,
// and a summary once its Secret is Ready. `--once` stops everything and exits 0 then;
// otherwise it keeps running until Ctrl-C so you can look around with kubectl.
import { execFile } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { pino } from "pino";
import { parseConfig } from "../config.ts";
import { binary } from "../localcluster/binaries.ts";
import {
  isRunning,
  readState,
  startControlPlane,
  stopControlPlane,
} from "../localcluster/controlplane.ts";
import { runOperator } from "../main.ts";
import { createLogger } from "../observability/logger.ts";
import { startSimulator } from "../simulator/simulator.ts";

const root = join(import.meta.dirname, "..", "..");
const cacheDir = join(root, ".cache", "demo");
const clusterDir = join(cacheDir, "cluster");
const once = process.argv.includes("--once");
const say = (line = "") => process.stdout.write(`${line}\n`);
const TOKEN = "demo-token";
const NAMESPACE = "demo";

const example = (namespace: string) => `
apiVersion: v1
kind: Namespace
metadata: { name: ${namespace} }
---
apiVersion: v1
kind: Secret
metadata: { name: dnsimple-credentials, namespace: ${namespace} }
stringData: { token: ${TOKEN} }
---
apiVersion: dnsimple-cert-operator.dev/v1alpha1
kind: DnsimpleCertificate
metadata: { name: www-example-com, namespace: ${namespace} }
spec:
  domain: example.com
  name: www
  alternateNames: [docs.example.com]
  secretName: www-example-com-tls
  secretTemplate: { labels: { app: web } }
  credentialsRef: { name: dnsimple-credentials }
`;

async function main(): Promise<void> {
  mkdirSync(cacheDir, { recursive: true });
  const kubectlPath = await binary("kubectl", say);
  say("1/5 control plane (etcd, kube-apiserver, kube-controller-manager)");
  if (!(await isRunning(clusterDir))) {
    await stopControlPlane(clusterDir);
    await startControlPlane(clusterDir, say);
  }
  cleanups.push(() => stopControlPlane(clusterDir).then(() => {}));
  const kubeconfig = readState(clusterDir)?.kubeconfig ?? join(clusterDir, "kubeconfig");
  const kubectl = async (args: string[], input?: string) => {
    const running = promisify(execFile)(kubectlPath, args, {
      env: { ...process.env, KUBECONFIG: kubeconfig },
    });
    running.child.stdin?.end(input ?? "");
    return (await running).stdout;
  };

  say("2/5 the DnsimpleCertificate CRD");
  await kubectl(["apply", "--server-side", "-f", join(root, "crds")]);
  await kubectl(["wait", "--for=condition=Established", "--timeout=60s", "-f", join(root, "crds")]);

  say("3/5 the DNSimple simulator (account 1010, domain example.com, issuance takes 2s)");
  const simulator = await startSimulator({
    token: TOKEN,
    domains: ["example.com"],
    issueDelayMs: 2_000,
    caDir: join(cacheDir, "ca"),
    log: () => {},
  });
  cleanups.push(() => simulator.close());

  say("4/5 the operator");
  const config = parseConfig(
    [
      `--kubeconfig=${kubeconfig}`,
      `--dnsimple-base-url=${simulator.url}`,
      "--health-addr=127.0.0.1:0",
      "--metrics-addr=127.0.0.1:0",
      "--poll-interval=1s",
    ],
    {},
  );
  const logFile = join(cacheDir, "operator.log");
  const operator = await runOperator(
    config,
    createLogger("info", pino.destination({ dest: logFile, sync: true })),
  );
  cleanups.push(operator.stop);

  say(`5/5 an example DnsimpleCertificate in namespace ${NAMESPACE}; waiting until it is Ready`);
  await kubectl(["apply", "-f", "-"], example(NAMESPACE));
  const started = Date.now();
  await kubectl([
    "wait",
    "--for=condition=Ready",
    "--timeout=120s",
    "-n",
    NAMESPACE,
    "dnscert/www-example-com",
  ]);

  const secretJson = JSON.parse(
    await kubectl(["get", "secret", "-n", NAMESPACE, "www-example-com-tls", "-o", "json"]),
  ) as {
    type: string;
    data: Record<string, string>;
  };
  const tlsCrt = Buffer.from(secretJson.data["tls.crt"] ?? "", "base64").toString();
  const leaf = new X509Certificate(tlsCrt);
  say();
  say(`Ready after ${((Date.now() - started) / 1000).toFixed(1)}s.`);
  say();
  say((await kubectl(["get", "dnscert", "-n", NAMESPACE, "-o", "wide"])).trimEnd());
  say();
  say(`Secret ${NAMESPACE}/www-example-com-tls (${secretJson.type}):`);
  for (const [key, value] of Object.entries(secretJson.data)) {
    say(`  ${key.padEnd(8)} ${Buffer.from(value, "base64").length} bytes`);
  }
  say();
  say(`  subject  ${leaf.subject.replaceAll("\n", ", ")}`);
  say(`  SANs     ${leaf.subjectAltName}`);
  say(`  issuer   ${leaf.issuer.replaceAll("\n", ", ")}`);
  say(`  expires  ${new Date(leaf.validTo).toISOString()}`);
  say(`  key      ${leaf.publicKey.asymmetricKeyType === "ec" ? "ECDSA P-256" : "RSA"}`);
  say();
  const calls = simulator.calls();
  say(`DNSimple calls: ${calls.length} (purchases: ${simulator.purchases().length})`);
  const counted = new Map<string, number>();
  for (const call of calls) {
    const line = `${call.method} ${call.path} -> ${call.status}`;
    counted.set(line, (counted.get(line) ?? 0) + 1);
  }
  for (const [line, count] of counted) say(`  ${count} x ${line}`);
  say(`Operator log: ${logFile}`);

  if (once) return;
  say();
  say("Still running; look around, then press Ctrl-C to stop everything:");
  say(`  export KUBECONFIG=${kubeconfig}`);
  say(`  kubectl describe dnscert -n ${NAMESPACE} www-example-com`);
  say(`  simulator: ${simulator.url}/_sim  (root CA: ${join(cacheDir, "ca", "root.pem")})`);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  say("stopping");
}

/** Undone in reverse order when the demo ends, however it ends. */
const cleanups: (() => Promise<void>)[] = [];

async function cleanUp(): Promise<void> {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
}

main().then(
  async () => {
    await cleanUp();
    process.exit(0);
  },
  async (err: unknown) => {
    process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
    await cleanUp();
    process.exit(1);
  },
);
