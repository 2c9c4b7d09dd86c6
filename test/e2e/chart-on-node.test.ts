// End to end, as users run it: the image built from the Dockerfile and loaded into a real node,
// the chart installed with Helm into a namespace that enforces Pod Security `restricted`, the
// operator on in-cluster config with its ServiceAccount, DNSimple simulated on the host (at the
// address Pods reach it), and Traefik, a real Ingress controller in the cluster, serving the
// Secret. The DnsimpleCertificates name no issuer: the chart's ClusterDnsimpleIssuer (the
// operator's own token) is the default issuer and serves the test's namespaces. Then the real
// consumers: an Ingress, and a Gateway Traefik serves through the Gateway API, only annotated
// with that issuer, each get their DnsimpleCertificate from the operator and Traefik serves its
// Secret. The steps build on each other and run in order; each `it` is one user-visible claim.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { text } from "node:stream/consumers";
import { GenericContainer, Wait } from "testcontainers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { binary } from "../../src/localcluster/binaries.ts";
import { applyGatewayApiCrds } from "../../src/localcluster/gateway-api.ts";
import { buildImage, loadImage } from "../../src/localcluster/image/index.ts";
import { type Simulator, startSimulator } from "../../src/simulator/simulator.ts";
import { memoryOf } from "./support/cgroup.ts";
import {
  down,
  type NodeCluster,
  type Tools,
  tools,
  upWithNode,
  waitFor,
} from "./support/cluster.ts";
import {
  backendAnswer,
  backendManifests,
  gatewayManifests,
  ingressManifest,
  loadTraefikImage,
  traefikManifests,
} from "./support/ingress.ts";
import { fetchServed, verifySecret } from "./support/tls.ts";

const root = join(import.meta.dirname, "..", "..");
const chart = join(root, "helm", "dnsimple-cert-operator");
const TOKEN = "e2e-dnsimple-token-5f1c";
const release = "dnsimple-cert-operator";
const ns = {
  operator: "dnsimple-cert-operator",
  web: "e2e-web",
  ingress: "e2e-ingress",
  burst: "e2e-burst",
};
const hosts = ["www.example.com", "example.com"];
/** The hosts only an annotated Ingress and an annotated Gateway ask a certificate for. */
const shopHost = "shop.example.com";
const gatewayHost = "gw.example.com";
const clusterIssuerAnnotation = { "dnsimple-cert-operator.dev/cluster-issuer": "dnsimple" };
const BURST = Number(process.env.E2E_BURST ?? 1000);

let cluster: NodeCluster;
let k: Tools;
let sim: Simulator;
let image: string;
let rootPem: string;
let traefikIp: string;
const work = mkdtempSync(join(tmpdir(), "e2e-"));

interface Condition {
  type: string;
  status: string;
  reason?: string;
}
interface Pod {
  metadata: { name: string; uid: string; deletionTimestamp?: string };
  spec: {
    containers: { resources?: object; securityContext?: object }[];
    serviceAccountName?: string;
  };
  status: {
    phase?: string;
    conditions?: Condition[];
    containerStatuses?: {
      containerID?: string;
      restartCount: number;
      ready: boolean;
      lastState?: { terminated?: { reason?: string } };
    }[];
  };
}
interface List<T> {
  items: T[];
}
interface Issuer {
  spec: { policy: { namespaceSelector?: object } };
  status?: { conditions?: Condition[] };
}
interface Certificate {
  metadata: {
    name: string;
    ownerReferences?: {
      apiVersion: string;
      kind: string;
      name: string;
      uid: string;
      controller?: boolean;
    }[];
  };
  spec: { domain: string; name: string; secretName: string; issuerRef?: object };
  status?: { conditions?: Condition[]; serialNumber?: string; certificateId?: number };
}

const say = (line: string) => process.stdout.write(`[e2e] ${line}\n`);
const ready = (c: { status?: { conditions?: Condition[] } }) =>
  c.status?.conditions?.some((x) => x.type === "Ready" && x.status === "True") ?? false;
const apply = (items: object[]) =>
  k.kubectl(["apply", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "List", items }));

async function operatorPods(): Promise<Pod[]> {
  const list = await k.kubectlJson<List<Pod>>([
    "get",
    "pods",
    "-n",
    ns.operator,
    "-l",
    "app.kubernetes.io/name=dnsimple-cert-operator",
  ]);
  return list.items.filter((p) => !p.metadata.deletionTimestamp);
}

async function leaseHolder(): Promise<string | undefined> {
  const lease = await k.kubectlJson<{ spec?: { holderIdentity?: string } }>([
    "get",
    "lease",
    "-n",
    ns.operator,
    release,
  ]);
  return lease.spec?.holderIdentity || undefined;
}

/** The leader Pod's name: the Lease holder's identity is `<hostname>_<random>`. */
async function leaderPod(): Promise<string> {
  const holder = await waitFor("a leader", leaseHolder, 60_000);
  return holder.slice(0, holder.lastIndexOf("_"));
}

async function secretData(namespace: string, name: string): Promise<Record<string, string>> {
  return (
    await k.kubectlJson<{ data: Record<string, string> }>(["get", "secret", "-n", namespace, name])
  ).data;
}

/** Waits until the DnsimpleCertificate `name` exists (a source makes it) and is Ready. */
async function readyCertificate(namespace: string, name: string): Promise<Certificate> {
  return waitFor(
    `DnsimpleCertificate ${namespace}/${name} Ready`,
    async () => {
      const found = await k.kubectlJson<Certificate>(["get", "dnscert", "-n", namespace, name]);
      return ready(found) ? found : undefined;
    },
    180_000,
    500,
  );
}

/** Waits until `kubectl describe` of the object shows `text` (its Events come a moment later). */
async function describedWith(kind: string, namespace: string, name: string, text: string) {
  return waitFor(
    `${text} in kubectl describe ${kind} ${name}`,
    async () => {
      const out = await k.kubectl(["describe", kind, "-n", namespace, name]);
      return out.includes(text) ? out : undefined;
    },
    30_000,
    500,
  );
}

/** The object's uid, as a controller owner reference names it. */
async function uidOf(kind: string, namespace: string, name: string): Promise<string> {
  return (await k.kubectlJson<{ metadata: { uid: string } }>(["get", kind, "-n", namespace, name]))
    .metadata.uid;
}

/** The purchases since `from`, as [kind, certificate name]. */
const purchasedSince = (from: number) =>
  sim
    .purchases()
    .slice(from)
    .map((p) => [p.kind, p.name]);

const orders = () => sim.purchases().filter((p) => p.kind === "certificate");
const renewals = () => sim.purchases().filter((p) => p.kind === "renewal");

beforeAll(async () => {
  const started = Date.now();
  cluster = await upWithNode();
  say(
    `cluster with a node in ${((Date.now() - started) / 1000).toFixed(1)}s (${cluster.startedHere ? "started" : "reused"})`,
  );
  k = await tools(cluster.kubeconfig);
  const built = Date.now();
  image = await buildImage({ log: say });
  await loadImage(image, { log: say });
  await loadTraefikImage(work);
  say(`images built and loaded in ${((Date.now() - built) / 1000).toFixed(1)}s: ${image}`);

  // DNSimple on the host, where Pods reach it. Certificates live 2 minutes at first, so the
  // first one is renewed during the test; the renewal step then makes them long-lived.
  sim = await startSimulator({
    host: cluster.hostAddress,
    port: 0,
    token: TOKEN,
    domains: ["example.com"],
    issueDelayMs: 1000,
    validityMs: 120_000,
    rateLimit: 1_000_000,
    log: () => {},
  });
  rootPem = sim.rootPem;
}, 30 * 60_000);

afterAll(async () => {
  await sim?.close();
  if (!k) return;
  if (cluster.startedHere) {
    await down();
    return;
  }
  await k.helm(["uninstall", release, "-n", ns.operator]).catch(() => "");
  for (const name of Object.values(ns)) {
    await k.kubectl(["delete", "namespace", name, "--ignore-not-found", "--wait=false"]);
  }
}, 5 * 60_000);

describe("the chart on a real node", () => {
  it("has an image that runs the operator as uid 65532 with no capabilities and no network", async () => {
    // testcontainers (the project's library for containers in tests) runs it in Docker, where
    // it was built; its Ryuk reaper is off (run.ts), as its image cannot be pulled here.
    const container = await new GenericContainer(image)
      .withCommand(["dist/main.js", "--help"])
      .withUser("65532:65532")
      .withDroppedCapabilities("ALL")
      .withSecurityOpt("no-new-privileges")
      .withNetworkMode("none")
      .withWaitStrategy(Wait.forOneShotStartup())
      .start();
    const output = await text(await container.logs());
    await container.stop();
    expect(output).toMatch(/^usage: dnsimple-cert-operator/m);
    expect(output).toContain("--dnsimple-base-url");
  });

  it("runs the operator Pods Ready in a restricted namespace, on in-cluster config", async () => {
    await apply([
      {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: {
          name: ns.operator,
          labels: {
            "pod-security.kubernetes.io/enforce": "restricted",
            "pod-security.kubernetes.io/enforce-version": "latest",
          },
        },
      },
      {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: `${release}-credentials`, namespace: ns.operator },
        stringData: { token: TOKEN },
      },
    ]);
    const [repository, tag] = [
      image.slice(0, image.lastIndexOf(":")),
      image.slice(image.lastIndexOf(":") + 1),
    ];
    // The chart's ClusterDnsimpleIssuer serves the test's namespaces and is the default issuer;
    // its budget holds the burst, and no renewal floor, so the two-minute certificate renews.
    const issuerValues = join(work, "issuer-values.json");
    writeFileSync(
      issuerValues,
      JSON.stringify({
        clusterIssuer: {
          policy: {
            namespaceSelector: {
              matchExpressions: [
                { key: "kubernetes.io/metadata.name", operator: "In", values: [ns.web, ns.burst] },
              ],
            },
            budget: { ordersPerNamespacePerDay: 100_000, renewalFloor: "0s" },
          },
        },
        defaultClusterIssuer: "dnsimple",
      }),
    );
    const installed = await k.helm([
      "install",
      release,
      chart,
      "--namespace",
      ns.operator,
      "-f",
      issuerValues,
      "--set",
      `image.repository=${repository}`,
      "--set",
      `image.tag=${tag}`,
      "--set",
      "image.pullPolicy=Never",
      "--set",
      `dnsimple.baseUrl=${sim.url.replace("127.0.0.1", cluster.hostAddress)}`,
      "--set",
      "replicas=2",
      "--wait",
      "--timeout",
      "5m",
    ]);
    // On a cluster that never had the CRDs the install cannot create the ClusterDnsimpleIssuer
    // (its kind is not served before the release creates the CRD): NOTES say so, and the next
    // upgrade, with the same values, does.
    const issuerExists = async () =>
      (await k.kubectl(["get", "clusterdnsimpleissuers", "-o", "name"])).includes(
        "clusterdnsimpleissuer.dnsimple-cert-operator.dev/dnsimple",
      );
    if (!(await issuerExists())) {
      expect(installed).toContain(
        "The ClusterDnsimpleIssuer dnsimple (the operator's own token) was NOT created",
      );
      say("the first install left the ClusterDnsimpleIssuer to the next upgrade: upgrading");
      await k.helm([
        "upgrade",
        release,
        chart,
        "--namespace",
        ns.operator,
        "--reuse-values",
        "--wait",
        "--timeout",
        "5m",
      ]);
    }
    expect(await issuerExists()).toBe(true);
    const pods = await operatorPods();
    expect(pods).toHaveLength(2);
    for (const pod of pods) {
      expect(pod.status.containerStatuses?.[0]?.ready).toBe(true);
      expect(pod.spec.serviceAccountName).toBe(release);
      expect(pod.spec.containers[0]?.resources).toEqual({
        requests: { cpu: "50m", memory: "128Mi" },
        limits: { cpu: "500m", memory: "768Mi" },
      });
    }
    // In-cluster config through the `kubernetes` Service: the leader holds its Lease.
    expect(pods.map((p) => p.metadata.name)).toContain(await leaderPod());
    // The chart's ClusterDnsimpleIssuer: the operator verified its own token (whoami) and
    // wrote its Ready condition through the chart's RBAC.
    const issuer = await waitFor(
      "the ClusterDnsimpleIssuer Ready",
      async () => {
        const found = await k.kubectlJson<Issuer>(["get", "clusterdnsimpleissuer", "dnsimple"]);
        return ready(found) ? found : undefined;
      },
      60_000,
    );
    expect(issuer.spec.policy.namespaceSelector).toBeDefined();
  });

  it("issues a certificate whose Secret verifies against the simulator's root", async () => {
    await apply([
      { apiVersion: "v1", kind: "Namespace", metadata: { name: ns.web } },
      {
        apiVersion: "dnsimple-cert-operator.dev/v1alpha1",
        kind: "DnsimpleCertificate",
        metadata: { name: "www", namespace: ns.web },
        spec: { domain: "example.com", name: "www", secretName: "www-tls" },
      },
    ]);
    await k.kubectl([
      "wait",
      "--for=condition=Ready",
      "-n",
      ns.web,
      "dnscert/www",
      "--timeout=180s",
    ]);
    const verified = verifySecret(await secretData(ns.web, "www-tls"), rootPem);
    expect(verified.dnsNames.sort()).toEqual([...hosts].sort());
    expect(orders().map((p) => p.name)).toEqual(["www"]);
  });

  it("runs kubectl dnscert from the image: check finds the installation healthy, status shows the certificate", async () => {
    // The plugin in the operator's image, as docs/plugin.md says to run it: node is the
    // entrypoint, the kubeconfig copied in, the host's network (the API server is on 127.0.0.1).
    const plugin = async (args: string[]) => {
      const container = await new GenericContainer(image)
        .withCommand(["dist/plugin/kubectl-dnscert.js", "--kubeconfig", "/tmp/kubeconfig", ...args])
        .withCopyContentToContainer([
          {
            content: readFileSync(cluster.kubeconfig, "utf8"),
            target: "/tmp/kubeconfig",
            mode: 0o444,
          },
        ])
        .withUser("65532:65532")
        .withNetworkMode("host")
        // A one-shot that must exit 0: check and status exit non-zero on any problem.
        .withWaitStrategy(Wait.forOneShotStartup())
        .start();
      const output = await text(await container.logs());
      await container.stop();
      return output;
    };
    const check = JSON.parse(await plugin(["check", "-o", "json"])) as {
      ok: boolean;
      problems: unknown[];
    };
    expect(check.ok).toBe(true);
    expect(check.problems).toEqual([]);
    const checkText = await plugin(["check"]);
    say(`kubectl dnscert check (from the image):\n${checkText}`);
    expect(checkText).toMatch(/leader/i);
    const status = await plugin(["status", "www", "-n", ns.web]);
    expect(status).toMatch(/^Ready:\s+True/m);
    expect(status).toContain("Secret www-tls:");
    expect(status).toContain("matches the server certificate");
    expect(status).not.toContain("PRIVATE KEY");
  });

  it("is served by the Ingress controller for each host name, trusting only the simulator's root", async () => {
    await apply([
      { apiVersion: "v1", kind: "Namespace", metadata: { name: ns.ingress } },
      ...traefikManifests(ns.ingress),
      ...backendManifests(ns.web, image),
      ingressManifest(ns.web, hosts, "www-tls"),
    ]);
    await k.rolledOut(ns.ingress, "traefik");
    await k.rolledOut(ns.web, "backend");
    traefikIp = (
      await k.kubectl([
        "get",
        "service",
        "-n",
        ns.ingress,
        "traefik",
        "-o",
        "jsonpath={.spec.clusterIP}",
      ])
    ).trim();
    const serial = verifySecret(await secretData(ns.web, "www-tls"), rootPem).serial;
    for (const host of hosts) {
      // Traefik picks the Secret and the route up a moment after the Ingress appears; until then
      // it serves its own default certificate (which fails verification: only the root is
      // trusted) or a 404.
      const served = await waitFor(
        `${host} served`,
        async () => {
          const s = await fetchServed(traefikIp, 443, host, rootPem);
          return s.body === backendAnswer ? s : undefined;
        },
        120_000,
      );
      expect(served.serial).toBe(serial);
    }
  });

  it("serves the renewed certificate after a renewal, with no restart of the controller", async () => {
    const before = verifySecret(await secretData(ns.web, "www-tls"), rootPem).serial;
    const traefikBefore = (await k.kubectlJson<List<Pod>>(["get", "pods", "-n", ns.ingress])).items;
    // Renewals from now on are long-lived, so this one renewal is the only one.
    sim.updateSettings({ validityMs: 90 * 24 * 3_600_000 });
    const after = await waitFor(
      "the renewed certificate in the Secret",
      async () => {
        const serial = verifySecret(await secretData(ns.web, "www-tls"), rootPem).serial;
        return serial !== before ? serial : undefined;
      },
      240_000,
      1000,
    );
    for (const host of hosts) {
      const served = await waitFor(
        `${host} served with the new serial`,
        async () => {
          const s = await fetchServed(traefikIp, 443, host, rootPem);
          return s.serial === after ? s : undefined;
        },
        60_000,
      );
      expect(served.body).toBe(backendAnswer);
    }
    const traefikAfter = (await k.kubectlJson<List<Pod>>(["get", "pods", "-n", ns.ingress])).items;
    expect(
      traefikAfter.map((p) => [p.metadata.uid, p.status.containerStatuses?.[0]?.restartCount]),
    ).toEqual(traefikBefore.map((p) => [p.metadata.uid, 0]));
    expect(orders()).toHaveLength(1);
    expect(renewals().map((p) => p.name)).toEqual(["www"]);
  });

  it("makes the certificate an annotated Ingress asks for, owned by it, and Traefik serves it", async () => {
    // Only the Ingress: the issuer annotation, its tls entry's Secret, and no domain (the
    // operator finds example.com in the account's domain list).
    const purchases = sim.purchases().length;
    const applied = Date.now();
    await apply([
      ingressManifest(ns.web, [shopHost], "shop-tls", {
        name: "shop",
        annotations: clusterIssuerAnnotation,
      }),
    ]);
    const made = await readyCertificate(ns.web, "shop-tls");
    say(
      `ingress-shim: DnsimpleCertificate shop-tls Ready ${((Date.now() - applied) / 1000).toFixed(1)}s after the Ingress was applied`,
    );
    expect(made.spec).toMatchObject({
      domain: "example.com",
      name: "shop",
      secretName: "shop-tls",
      issuerRef: { kind: "ClusterDnsimpleIssuer", name: "dnsimple" },
    });
    expect(made.metadata.ownerReferences).toEqual([
      {
        apiVersion: "networking.k8s.io/v1",
        kind: "Ingress",
        name: "shop",
        uid: await uidOf("ingress", ns.web, "shop"),
        controller: true,
      },
    ]);
    const verified = verifySecret(await secretData(ns.web, "shop-tls"), rootPem);
    expect(verified.dnsNames).toEqual([shopHost]);
    const served = await waitFor(
      `${shopHost} served`,
      async () => {
        const s = await fetchServed(traefikIp, 443, shopHost, rootPem);
        return s.body === backendAnswer ? s : undefined;
      },
      120_000,
    );
    expect(served.serial).toBe(verified.serial);
    const described = await describedWith(
      "ingress",
      ns.web,
      "shop",
      `Created DnsimpleCertificate shop-tls for ${shopHost} (DNSimple domain example.com)`,
    );
    expect(described).toMatch(/Normal\s+CreateCertificate/);
    expect(purchasedSince(purchases)).toEqual([["certificate", "shop"]]);
  });

  it("makes the certificate an annotated Gateway asks for once the chart's gatewayAPI is on, and Traefik serves it through the Gateway API", async () => {
    const purchases = sim.purchases().length;
    // The Gateway API CRDs first: the operator looks for the Gateway CRD when it starts (and
    // then every minute), and Traefik's kubernetesgateway provider cannot sync without them.
    await applyGatewayApiCrds(await binary("kubectl"), cluster.kubeconfig, say);
    await apply([
      ...traefikManifests(ns.ingress, { gateway: true }),
      ...gatewayManifests(ns.web, {
        name: "gw",
        hostname: gatewayHost,
        secretName: "gw-tls",
        annotations: clusterIssuerAnnotation,
      }),
    ]);
    await k.rolledOut(ns.ingress, "traefik");
    // Traefik accepts the GatewayClass (its controllerName is Traefik's): its provider synced.
    await waitFor(
      "the GatewayClass traefik Accepted",
      async () => {
        const found = await k.kubectlJson<{ status?: { conditions?: Condition[] } }>([
          "get",
          "gatewayclass",
          "traefik",
        ]);
        return found.status?.conditions?.some((c) => c.type === "Accepted" && c.status === "True")
          ? true
          : undefined;
      },
      60_000,
      500,
    );
    const upgraded = Date.now();
    await k.helm([
      "upgrade",
      release,
      chart,
      "-n",
      ns.operator,
      "--reuse-values",
      "--set",
      "gatewayAPI.enabled=true",
      "--wait",
      "--timeout",
      "5m",
    ]);
    await k.rolledOut(ns.operator, release);
    const made = await readyCertificate(ns.web, "gw-tls");
    say(
      `gateway source: DnsimpleCertificate gw-tls Ready ${((Date.now() - upgraded) / 1000).toFixed(1)}s after the helm upgrade turning gatewayAPI on began`,
    );
    expect(made.spec).toMatchObject({
      domain: "example.com",
      name: "gw",
      secretName: "gw-tls",
      issuerRef: { kind: "ClusterDnsimpleIssuer", name: "dnsimple" },
    });
    expect(made.metadata.ownerReferences).toEqual([
      {
        apiVersion: "gateway.networking.k8s.io/v1",
        kind: "Gateway",
        name: "gw",
        uid: await uidOf("gateway", ns.web, "gw"),
        controller: true,
      },
    ]);
    const verified = verifySecret(await secretData(ns.web, "gw-tls"), rootPem);
    expect(verified.dnsNames).toEqual([gatewayHost]);
    const served = await waitFor(
      `${gatewayHost} served through the Gateway`,
      async () => {
        const s = await fetchServed(traefikIp, 443, gatewayHost, rootPem);
        return s.body === backendAnswer ? s : undefined;
      },
      120_000,
    );
    expect(served.serial).toBe(verified.serial);
    const described = await describedWith(
      "gateway",
      ns.web,
      "gw",
      `Created DnsimpleCertificate gw-tls for ${gatewayHost} (DNSimple domain example.com)`,
    );
    expect(described).toMatch(/Normal\s+CreateCertificate/);
    // The new Traefik Pod still serves the Ingress's host.
    expect((await fetchServed(traefikIp, 443, shopHost, rootPem)).body).toBe(backendAnswer);
    // The upgrade rolled the operator: it bought the Gateway's certificate and nothing again.
    expect(purchasedSince(purchases)).toEqual([["certificate", "gw"]]);
  });

  it("hands over to the other Pod within the lease duration when the leader's Pod is deleted", async () => {
    const leader = await leaderPod();
    const purchases = sim.purchases().length;
    const deleted = Date.now();
    await k.kubectl(["delete", "pod", "-n", ns.operator, leader, "--wait=false"]);
    const next = await waitFor(
      "a new leader",
      async () => {
        const holder = await leaseHolder();
        return holder && !holder.startsWith(`${leader}_`) ? holder : undefined;
      },
      60_000,
      100,
    );
    const seconds = (Date.now() - deleted) / 1000;
    say(`failover: ${next} leads ${seconds.toFixed(1)}s after ${leader} was deleted`);
    expect(seconds).toBeLessThanOrEqual(15); // leaderElection.leaseDuration, the chart's default
    // The new leader reconciles everything once and buys nothing.
    await k.kubectl([
      "wait",
      "--for=condition=Ready",
      "-n",
      ns.web,
      "dnscert/www",
      "--timeout=60s",
    ]);
    await k.rolledOut(ns.operator, release);
    expect(sim.purchases()).toHaveLength(purchases);
  });

  it("rolls the Deployment on helm upgrade without buying anything again", async () => {
    const purchases = sim.purchases().length;
    const oldPods = (await operatorPods()).map((p) => p.metadata.uid);
    await k.helm([
      "upgrade",
      release,
      chart,
      "-n",
      ns.operator,
      "--reuse-values",
      "--set",
      "logLevel=debug",
      "--wait",
      "--timeout",
      "5m",
    ]);
    await k.rolledOut(ns.operator, release);
    const newPods = await waitFor(
      "only new Pods",
      async () => {
        const pods = await operatorPods();
        return pods.length === 2 && pods.every((p) => !oldPods.includes(p.metadata.uid))
          ? pods
          : undefined;
      },
      120_000,
    );
    expect(newPods).toHaveLength(2);
    await leaderPod();
    const www = await k.kubectlJson<Certificate>(["get", "dnscert", "-n", ns.web, "www"]);
    expect(ready(www)).toBe(true);
    expect(sim.purchases()).toHaveLength(purchases);
  });

  it(`holds a burst of ${BURST} resources under the chart's memory limit with no OOM kill or restart`, async () => {
    const leader = await leaderPod();
    await k.kubectl(["create", "namespace", ns.burst]);
    const items = Array.from({ length: BURST }, (_, i) => ({
      apiVersion: "dnsimple-cert-operator.dev/v1alpha1",
      kind: "DnsimpleCertificate",
      metadata: { name: `b${i}`, namespace: ns.burst },
      spec: { domain: "example.com", name: `b${i}`, secretName: `b${i}-tls` },
    }));
    const started = Date.now();
    for (let i = 0; i < items.length; i += 250) {
      await k.kubectl(
        ["create", "-f", "-"],
        JSON.stringify({ apiVersion: "v1", kind: "List", items: items.slice(i, i + 250) }),
      );
    }
    await waitFor(
      `${BURST} Ready`,
      async () => {
        const list = await k.kubectlJson<List<Certificate>>(["get", "dnscert", "-n", ns.burst]);
        return list.items.filter(ready).length === BURST ? true : undefined;
      },
      25 * 60_000,
      5000,
    );
    const seconds = (Date.now() - started) / 1000;
    const pod = await k.kubectlJson<Pod>(["get", "pod", "-n", ns.operator, leader]);
    const status = pod.status.containerStatuses?.[0];
    expect(status?.restartCount).toBe(0);
    expect(status?.lastState?.terminated).toBeUndefined();
    const memory = memoryOf((status?.containerID ?? "").replace(/^containerd:\/\//, ""));
    expect(memory.limitBytes).toBe(768 * 1024 * 1024);
    expect(memory.oomKills).toBe(0);
    expect(memory.peakBytes).toBeLessThan(memory.limitBytes);
    const [peak, limit] = [memory.peakBytes, memory.limitBytes];
    say(
      `burst: ${BURST} Ready in ${seconds.toFixed(1)}s; leader ${leader} cgroup memory peak ${(peak / 1024 / 1024).toFixed(1)} MiB of ${limit / 1024 / 1024} MiB`,
    );
    // www (by hand), shop (the Ingress's), gw (the Gateway's), and the burst.
    expect(orders()).toHaveLength(3 + BURST);
  });

  it("keeps the CRDs, the resources and the Secrets on helm uninstall", async () => {
    await k.helm(["uninstall", release, "-n", ns.operator, "--wait", "--timeout", "2m"]);
    expect(await operatorPods()).toEqual([]);
    for (const plural of [
      "dnsimplecertificates",
      "dnsimpleissuers",
      "clusterdnsimpleissuers",
      "dnsimplecertificateclaims",
    ]) {
      await k.kubectl(["get", "crd", `${plural}.dnsimple-cert-operator.dev`]);
    }
    // The ClusterDnsimpleIssuer was the release's: gone with it.
    expect(await k.kubectl(["get", "clusterdnsimpleissuers", "-o", "name"])).not.toContain(
      "/dnsimple\n",
    );
    // Those the Ingress and the Gateway control stay too: the release owns neither.
    for (const name of ["www", "shop-tls", "gw-tls"]) {
      const kept = await k.kubectlJson<Certificate>(["get", "dnscert", "-n", ns.web, name]);
      expect(ready(kept)).toBe(true);
    }
    for (const secret of ["www-tls", "shop-tls", "gw-tls"]) {
      verifySecret(await secretData(ns.web, secret), rootPem);
    }
    const burst = await k.kubectlJson<List<Certificate>>(["get", "dnscert", "-n", ns.burst]);
    expect(burst.items).toHaveLength(BURST);
    const secrets = await k.kubectlJson<List<object>>([
      "get",
      "secrets",
      "-n",
      ns.burst,
      "--field-selector",
      "type=kubernetes.io/tls",
    ]);
    expect(secrets.items).toHaveLength(BURST);
  });
});
