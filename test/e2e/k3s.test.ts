// The alternative end-to-end path, for machines that can pull public images
// (`E2E_CLUSTER=k3s npm run test:e2e`): build the image from the Dockerfile with its real base
// images, start k3s with testcontainers' K3s module, load the image into it, run the DNSimple
// simulator in the cluster (same image), install the chart, apply a DnsimpleCertificate, wait
// for its Secret, and fetch a page through k3s' Ingress controller (Traefik) over TLS with a
// client that trusts only the simulator's root. The default path (chart-on-node.test.ts) runs
// on the project's own local node and needs no registry.
import { execFile } from "node:child_process";
import { createWriteStream, mkdtempSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { promisify } from "node:util";
import { K3sContainer, type StartedK3sContainer } from "@testcontainers/k3s";
import { GenericContainer, getContainerRuntimeClient } from "testcontainers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { binary } from "../../src/localcluster/binaries.ts";

const root = join(import.meta.dirname, "..", "..");
const IMAGE = "dnsimple-cert-operator:e2e";
// A current k3s release; its Traefik serves Ingresses on 443.
const K3S_IMAGE = "rancher/k3s:v1.34.1-k3s1";
const TOKEN = "e2e-token";
const work = mkdtempSync(join(tmpdir(), "e2e-"));
const kubeconfig = join(work, "kubeconfig");
let k3s: StartedK3sContainer;

const run = async (file: string, args: string[], input?: string) => {
  const running = promisify(execFile)(file, args, {
    env: { ...process.env, KUBECONFIG: kubeconfig },
    maxBuffer: 64 * 1024 * 1024,
  });
  running.child.stdin?.end(input ?? "");
  return (await running).stdout;
};
const kubectl = async (args: string[], input?: string) => run(await binary("kubectl"), args, input);
const helm = async (args: string[]) => run(await binary("helm"), args);

/** GET over TLS to the k3s Ingress port, naming `host` (SNI) and trusting only `ca`. */
function fetchTls(port: number, host: string, path: string, ca?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path,
        servername: host,
        headers: { host },
        ...(ca ? { ca } : { rejectUnauthorized: false }),
      },
      (res) => {
        let body = "";
        res.on("data", (chunk: Buffer) => {
          body += chunk.toString();
        });
        res.on("end", () => resolve(body));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

beforeAll(async () => {
  await GenericContainer.fromDockerfile(root).build(IMAGE, { deleteOnExit: false });
  k3s = await new K3sContainer(K3S_IMAGE).withExposedPorts(443).start();
  writeFileSync(kubeconfig, k3s.getKubeConfig());

  // Load the image into k3s' containerd (pullPolicy Never below).
  const client = await getContainerRuntimeClient();
  const archive = join(work, "image.tar");
  await pipeline(
    (await client.container.dockerode.getImage(IMAGE).get()) as NodeJS.ReadableStream,
    createWriteStream(archive),
  );
  await k3s.copyFilesToContainer([{ source: archive, target: "/tmp/image.tar" }]);
  const imported = await k3s.exec(["ctr", "-n", "k8s.io", "images", "import", "/tmp/image.tar"]);
  expect(imported.exitCode).toBe(0);
});

afterAll(async () => {
  await k3s?.stop();
});

describe("install with Helm into k3s", () => {
  it("issues a certificate and serves it through the Ingress controller", async () => {
    // The simulator, in the cluster, from the same image.
    await kubectl(
      ["apply", "-f", "-"],
      JSON.stringify({
        apiVersion: "v1",
        kind: "List",
        items: [
          { apiVersion: "v1", kind: "Namespace", metadata: { name: "dnsimple" } },
          {
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name: "simulator", namespace: "dnsimple" },
            spec: {
              selector: { matchLabels: { app: "simulator" } },
              template: {
                metadata: { labels: { app: "simulator" } },
                spec: {
                  containers: [
                    {
                      name: "simulator",
                      image: IMAGE,
                      imagePullPolicy: "Never",
                      args: [
                        "dist/simulator/cli.js",
                        "--host",
                        "0.0.0.0",
                        "--port",
                        "8080",
                        "--token",
                        TOKEN,
                        "--domains",
                        "example.com",
                        "--issue-delay",
                        "1s",
                      ],
                      ports: [{ containerPort: 8080 }],
                    },
                  ],
                },
              },
            },
          },
          {
            apiVersion: "v1",
            kind: "Service",
            metadata: { name: "simulator", namespace: "dnsimple" },
            spec: { selector: { app: "simulator" }, ports: [{ port: 8080, targetPort: 8080 }] },
          },
        ],
      }),
    );
    await kubectl([
      "rollout",
      "status",
      "-n",
      "dnsimple",
      "deployment/simulator",
      "--timeout=180s",
    ]);

    await helm([
      "install",
      "dnsimple-cert-operator",
      join(root, "helm", "dnsimple-cert-operator"),
      "--namespace",
      "dnsimple-cert-operator",
      "--create-namespace",
      "--set",
      "image.repository=dnsimple-cert-operator",
      "--set",
      "image.tag=e2e",
      "--set",
      "image.pullPolicy=Never",
      "--set",
      "dnsimple.baseUrl=http://simulator.dnsimple.svc:8080",
      "--set",
      `dnsimple.token=${TOKEN}`,
      "--wait",
      "--timeout",
      "5m",
    ]);

    await kubectl(
      ["apply", "-f", "-"],
      JSON.stringify({
        apiVersion: "v1",
        kind: "List",
        items: [
          { apiVersion: "v1", kind: "Namespace", metadata: { name: "web" } },
          // The namespace's own token (spec.credentialsRef): the chart's ClusterDnsimpleIssuer
          // is made only on the first upgrade after the CRDs exist (see helm/README.md).
          {
            apiVersion: "v1",
            kind: "Secret",
            metadata: { name: "dnsimple", namespace: "web" },
            stringData: { token: TOKEN },
          },
          {
            apiVersion: "dnsimple-cert-operator.dev/v1alpha1",
            kind: "DnsimpleCertificate",
            metadata: { name: "www", namespace: "web" },
            spec: {
              domain: "example.com",
              name: "www",
              secretName: "www-tls",
              credentialsRef: { name: "dnsimple" },
            },
          },
          // Any HTTP backend will do: the simulator's admin view, through an ExternalName.
          {
            apiVersion: "v1",
            kind: "Service",
            metadata: { name: "backend", namespace: "web" },
            spec: {
              type: "ExternalName",
              externalName: "simulator.dnsimple.svc.cluster.local",
              ports: [{ port: 8080 }],
            },
          },
          {
            apiVersion: "networking.k8s.io/v1",
            kind: "Ingress",
            metadata: { name: "www", namespace: "web" },
            spec: {
              tls: [{ hosts: ["www.example.com"], secretName: "www-tls" }],
              rules: [
                {
                  host: "www.example.com",
                  http: {
                    paths: [
                      {
                        path: "/",
                        pathType: "Prefix",
                        backend: { service: { name: "backend", port: { number: 8080 } } },
                      },
                    ],
                  },
                },
              ],
            },
          },
        ],
      }),
    );
    await kubectl(["wait", "--for=condition=Ready", "-n", "web", "dnscert/www", "--timeout=180s"]);
    const secretType = await kubectl([
      "get",
      "secret",
      "-n",
      "web",
      "www-tls",
      "-o",
      "jsonpath={.type}",
    ]);
    expect(secretType).toBe("kubernetes.io/tls");

    // The root, read through the Ingress without trusting anything yet; then trust only it.
    const port = k3s.getMappedPort(443);
    const rootPem = await fetchTls(port, "www.example.com", "/_sim/ca/root.pem");
    expect(rootPem).toContain("BEGIN CERTIFICATE");
    let page = "";
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      // Traefik picks the Secret up a moment after it appears; until then it serves its default.
      page = await fetchTls(port, "www.example.com", "/_sim", rootPem).catch(() => "");
      if (page !== "") break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    expect(page).toContain("/_sim");
  });
});
