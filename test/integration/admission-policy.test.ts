// The chart's optional ValidatingAdmissionPolicies (issue 12, part 5), installed for real with
// `helm install`: in the namespaces they guard, only the operator's ServiceAccount may put the
// managed label on a Secret or write the status of DnsimpleCertificates and DnsimpleIssuers,
// and only it may create or change the ownership claims of resources there (an admin may still
// delete one); elsewhere nothing changes. The release watches the guarded namespace only
// (watchNamespaces), so the claims rule covers that namespace's resources alone and leaves the
// other test files' operators be; the guards of a release that watches every namespace (every
// claim, ClusterDnsimpleIssuer status) are probed on a control plane of their own.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  NetworkingV1Api,
  PatchStrategy,
  setHeaderOptions,
} from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHART_DIR, helm } from "../../helm/render.ts";
import { CLAIM_KIND, CLAIM_PLURAL } from "../../src/api/claims.ts";
import {
  CLUSTER_ISSUER_KIND,
  CLUSTER_ISSUER_PLURAL,
  ISSUER_KIND,
  ISSUER_PLURAL,
} from "../../src/api/issuers.ts";
import { GROUP, MANAGED_SECRET_LABEL, PLURAL, VERSION } from "../../src/api/v1alpha1.ts";
import { startControlPlane, stopControlPlane } from "../../src/localcluster/controlplane.ts";
import { GENERATED_BY_LABEL } from "../../src/sources/generated.ts";
import { helmInstall, helmUninstall, valuesFile } from "./support/chart.ts";
import {
  adminKubeConfig,
  core,
  kubectl,
  objects,
  tokenKubeconfig,
  useNamespace,
  waitFor,
} from "./support/kube.ts";
import { createCertificate } from "./support/operator.ts";

const releaseNs = useNamespace("vap-release");
const guardedNs = useNamespace("vap-guarded");
const openNs = useNamespace("vap-open");
const name = `vap-${randomBytes(3).toString("hex")}`;
const fullname = `${name}-dnsimple-cert-operator`;
/** The operator's ServiceAccount, as a client (its own token). */
let asOperator: { core: CoreV1Api; objects: CustomObjectsApi };

beforeAll(async () => {
  await helmInstall(name, releaseNs.name, {
    watchNamespaces: [guardedNs.name],
    clusterIssuer: { create: false },
    admissionPolicy: {
      enabled: true,
      namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": guardedNs.name } },
    },
  });
  const kc = new KubeConfig();
  kc.loadFromFile(await tokenKubeconfig(releaseNs.name, fullname));
  asOperator = { core: kc.makeApiClient(CoreV1Api), objects: kc.makeApiClient(CustomObjectsApi) };
});

// The policies are cluster-scoped: gone with the release.
afterAll(() => helmUninstall(name, releaseNs.name));

const labelled = (secretName: string) => ({
  metadata: { name: secretName, labels: { [MANAGED_SECRET_LABEL]: "true" } },
  type: "Opaque",
  stringData: { note: "forged" },
});

/** A claim of a made-up certificate for a resource in `namespace` (no operator's business). */
const suffix = randomBytes(3).toString("hex");
const claimCount = { n: 0 };
function claim(namespace: string) {
  const certificateId = 900_000_000 + Math.floor(Math.random() * 1_000_000) + claimCount.n++;
  return {
    apiVersion: `${GROUP}/${VERSION}`,
    kind: CLAIM_KIND,
    metadata: { name: `vap-${suffix}-${certificateId}` },
    spec: {
      accountId: "1",
      certificateId,
      owner: { namespace, name: "www", uid: `uid-${certificateId}` },
      issuer: { kind: CLUSTER_ISSUER_KIND, name: "nobody" },
      via: "Order",
      claimedAt: new Date().toISOString(),
    },
  };
}
const CLAIMS = { group: GROUP, version: VERSION, plural: CLAIM_PLURAL };
const claimRef = (claimName: string) => ({ ...CLAIMS, name: claimName });

/** The admission error of a call that must be refused (its message), or undefined if it went through. */
async function refusal(call: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await call();
    return undefined;
  } catch (err) {
    return String((err as { body?: unknown }).body ?? err);
  }
}

/** An issuer status claiming a verified token, as someone other than the operator would write it. */
function forgedIssuerStatus() {
  const ready = { type: "Ready", status: "True", reason: "Verified", message: "forged" };
  return {
    accountId: "1",
    conditions: [{ ...ready, lastTransitionTime: new Date().toISOString() }],
  };
}

describe("the chart's admission policies", () => {
  it("refuse the managed label on a Secret from anyone but the operator, in a guarded namespace", async () => {
    // A policy takes a moment to be enforced after it is created: try until it is.
    let n = 0;
    const refused = await waitFor("the label policy to be enforced", async () => {
      const secretName = `forged-${n++}`;
      const answer = await refusal(() =>
        core().createNamespacedSecret({ namespace: guardedNs.name, body: labelled(secretName) }),
      );
      if (answer === undefined) {
        await core().deleteNamespacedSecret({ namespace: guardedNs.name, name: secretName });
      }
      return answer;
    });
    expect(refused).toContain("only the dnsimple-cert-operator may put the label");

    // Adding the label later is refused too.
    await core().createNamespacedSecret({
      namespace: guardedNs.name,
      body: { metadata: { name: "plain" }, stringData: { note: "mine" } },
    });
    const added = await refusal(() =>
      core().patchNamespacedSecret(
        {
          namespace: guardedNs.name,
          name: "plain",
          body: { metadata: { labels: { [MANAGED_SECRET_LABEL]: "true" } } },
        },
        setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
      ),
    );
    expect(added).toContain("only the dnsimple-cert-operator may put the label");
  });

  it("let the operator's ServiceAccount label a Secret, and others still edit it afterwards", async () => {
    await asOperator.core.createNamespacedSecret({
      namespace: guardedNs.name,
      body: labelled("by-operator"),
    });
    await core().patchNamespacedSecret(
      {
        namespace: guardedNs.name,
        name: "by-operator",
        body: { metadata: { labels: { team: "web" } } },
      },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    const secret = await core().readNamespacedSecret({
      namespace: guardedNs.name,
      name: "by-operator",
    });
    expect(secret.metadata?.labels).toMatchObject({ [MANAGED_SECRET_LABEL]: "true", team: "web" });
  });

  it("refuse a status write from anyone but the operator", async () => {
    await createCertificate(guardedNs.name, "status-probe", {
      domain: "example.com",
      name: "www",
      secretName: "status-probe-tls",
    });
    const ref = {
      group: GROUP,
      version: VERSION,
      plural: PLURAL,
      namespace: guardedNs.name,
      name: "status-probe",
    };
    const current = await objects().getNamespacedCustomObject(ref);
    const forged = { ...(current as object), status: { certificateId: 1 } };
    const refused = await refusal(() =>
      objects().replaceNamespacedCustomObjectStatus({ ...ref, body: forged }),
    );
    expect(refused).toContain("only the dnsimple-cert-operator writes the status");
    await asOperator.objects.replaceNamespacedCustomObjectStatus({ ...ref, body: forged });
  });

  it("refuse a spec edit of a generated DnsimpleCertificate from anyone but the operator", async () => {
    const ref = { group: GROUP, version: VERSION, plural: PLURAL, namespace: guardedNs.name };
    // A real owner: one that does not exist would have the garbage collector delete the probe.
    const owner = await adminKubeConfig()
      .makeApiClient(NetworkingV1Api)
      .createNamespacedIngress({
        namespace: guardedNs.name,
        body: {
          metadata: { name: "shop" },
          spec: { defaultBackend: { service: { name: "web", port: { number: 80 } } } },
        },
      });
    await objects().createNamespacedCustomObject({
      ...ref,
      body: {
        apiVersion: `${GROUP}/${VERSION}`,
        kind: "DnsimpleCertificate",
        metadata: {
          name: "generated-probe",
          labels: { [GENERATED_BY_LABEL]: "Ingress" },
          ownerReferences: [
            {
              apiVersion: "networking.k8s.io/v1",
              kind: "Ingress",
              name: "shop",
              uid: owner.metadata?.uid ?? "",
              controller: true,
            },
          ],
        },
        spec: { domain: "example.com", name: "www", secretName: "generated-probe-tls" },
      },
    });
    const named = { ...ref, name: "generated-probe" };
    const patch = (body: object[]) => ({ ...named, body });
    // A policy takes a moment to be in force after its binding is made: wait for the refusal.
    const refusedSpec = await waitFor("the generated-resource policy in force", () =>
      refusal(() =>
        objects().patchNamespacedCustomObject(
          patch([{ op: "replace", path: "/spec/name", value: "evil" }]),
        ),
      ),
    );
    expect(refusedSpec).toContain(
      "was generated from Ingress annotations: change the Ingress instead",
    );
    const refusedLabel = await refusal(() =>
      objects().patchNamespacedCustomObject(
        patch([
          { op: "remove", path: `/metadata/labels/${GENERATED_BY_LABEL.replace("/", "~1")}` },
        ]),
      ),
    );
    expect(refusedLabel).toContain("was generated from Ingress");
    const refusedOwner = await refusal(() =>
      objects().patchNamespacedCustomObject(
        patch([{ op: "remove", path: "/metadata/ownerReferences" }]),
      ),
    );
    expect(refusedOwner).toContain("was generated from Ingress");
    // An annotation (a renew-at) stays open; the operator may put the spec back.
    await objects().patchNamespacedCustomObject(
      patch([
        {
          op: "add",
          path: "/metadata/annotations",
          value: { [`${GROUP}/renew-at`]: new Date().toISOString() },
        },
      ]),
    );
    const current = (await objects().getNamespacedCustomObject(named)) as {
      spec: Record<string, unknown>;
    };
    await asOperator.objects.replaceNamespacedCustomObject({
      ...named,
      body: { ...current, spec: { ...current.spec, name: "api" } },
    });
    const after = (await objects().getNamespacedCustomObject(named)) as { spec: { name: string } };
    expect(after.spec.name).toBe("api");
  });

  it("refuse a DnsimpleIssuer status write from anyone but the operator", async () => {
    const ref = {
      group: GROUP,
      version: VERSION,
      plural: ISSUER_PLURAL,
      namespace: guardedNs.name,
      name: "team",
    };
    await objects().createNamespacedCustomObject({
      ...ref,
      body: {
        apiVersion: `${GROUP}/${VERSION}`,
        kind: ISSUER_KIND,
        metadata: { name: "team" },
        spec: { credentialsRef: { name: "team-token" } },
      },
    });
    const current = await objects().getNamespacedCustomObject(ref);
    const forged = {
      ...(current as object),
      status: forgedIssuerStatus(),
    };
    const refused = await refusal(() =>
      objects().replaceNamespacedCustomObjectStatus({ ...ref, body: forged }),
    );
    expect(refused).toContain(
      "only the dnsimple-cert-operator writes the status of a DnsimpleIssuer",
    );
    await asOperator.objects.replaceNamespacedCustomObjectStatus({ ...ref, body: forged });
  });

  it("refuse a claim for a resource of a guarded namespace from anyone but the operator, and let an admin delete one", async () => {
    const made: string[] = [];
    try {
      // The claims policy is enforced a moment after it is created: try until it is.
      const refused = await waitFor("the claims policy to be enforced", async () => {
        const body = claim(guardedNs.name);
        const answer = await refusal(() =>
          objects().createClusterCustomObject({ ...CLAIMS, body }),
        );
        if (answer === undefined) {
          await objects().deleteClusterCustomObject(claimRef(body.metadata.name));
        }
        return answer;
      });
      expect(refused).toContain(
        "only the dnsimple-cert-operator creates or changes a DnsimpleCertificateClaim",
      );

      // The operator's ServiceAccount creates one (its ClusterRole allows create).
      const own = claim(guardedNs.name);
      await asOperator.objects.createClusterCustomObject({ ...CLAIMS, body: own });
      made.push(own.metadata.name);
      // Nobody else changes it, not even its metadata.
      const relabelled = await refusal(() =>
        objects().patchClusterCustomObject(
          { ...claimRef(own.metadata.name), body: { metadata: { labels: { mine: "yes" } } } },
          setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
        ),
      );
      expect(relabelled).toContain("only the dnsimple-cert-operator creates or changes");
      // An admin releases the certificate by deleting the claim.
      await objects().deleteClusterCustomObject(claimRef(own.metadata.name));
      made.pop();

      // A claim for a resource in a namespace this release does not watch is not its to guard.
      const elsewhere = claim(openNs.name);
      await objects().createClusterCustomObject({ ...CLAIMS, body: elsewhere });
      made.push(elsewhere.metadata.name);
    } finally {
      for (const claimName of made) {
        await objects()
          .deleteClusterCustomObject(claimRef(claimName))
          .catch(() => {});
      }
    }
  });

  it("leave namespaces outside the selector alone", async () => {
    const created = await core().createNamespacedSecret({
      namespace: openNs.name,
      body: labelled("elsewhere"),
    });
    expect(created.metadata?.labels?.[MANAGED_SECRET_LABEL]).toBe("true");
  });
});

describe("the admission policies of a release that watches every namespace (a control plane of its own)", () => {
  // Cluster-wide, the claims rule covers every claim and ClusterDnsimpleIssuer status is
  // guarded too: on the shared control plane that would refuse the other test files'
  // operators, so this release gets a cluster of its own.
  const dir = mkdtempSync(join(tmpdir(), "vap-cluster-"));
  const release = "cluster-wide";
  const namespace = "operators";
  const sa = `${release}-dnsimple-cert-operator`;
  let admin: CustomObjectsApi;
  let operator: CustomObjectsApi;

  beforeAll(async () => {
    const { kubeconfig } = await startControlPlane(dir, () => {});
    const crds = join(import.meta.dirname, "..", "..", "crds");
    for (const args of [
      ["apply", "--server-side", "-f", crds],
      ["wait", "--for=condition=Established", "--timeout=60s", "-f", crds],
      ["create", "namespace", namespace],
      ["create", "namespace", "tenant"],
    ]) {
      const done = await kubectl(args, kubeconfig);
      expect(done.code, done.stderr).toBe(0);
    }
    const installed = await helm([
      "install",
      release,
      CHART_DIR,
      "--namespace",
      namespace,
      "--kubeconfig",
      kubeconfig,
      "-f",
      valuesFile({ crds: { enabled: false }, admissionPolicy: { enabled: true } }),
    ]);
    expect(installed.code, installed.stderr).toBe(0);
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfig);
    admin = kc.makeApiClient(CustomObjectsApi);
    const tokenRequest = await kc.makeApiClient(CoreV1Api).createNamespacedServiceAccountToken({
      name: sa,
      namespace,
      body: { spec: { audiences: [], expirationSeconds: 3600 } },
    });
    const cluster = kc.getCurrentCluster();
    if (!cluster || !tokenRequest.status?.token) throw new Error("no cluster or no token");
    const asSa = new KubeConfig();
    asSa.loadFromOptions({
      clusters: [cluster],
      users: [{ name: sa, token: tokenRequest.status.token }],
      contexts: [{ name: sa, cluster: cluster.name, user: sa }],
      currentContext: sa,
    });
    const path = join(dir, "operator-kubeconfig");
    writeFileSync(path, asSa.exportConfig(), { mode: 0o600 });
    const loaded = new KubeConfig();
    loaded.loadFromFile(path);
    operator = loaded.makeApiClient(CustomObjectsApi);
  });
  afterAll(async () => {
    await stopControlPlane(dir);
    rmSync(dir, { recursive: true, force: true });
  });

  it("refuse a ClusterDnsimpleIssuer status write and any claim from anyone but the operator", async () => {
    // The chart's ClusterDnsimpleIssuer (its kind was served: the CRDs came first).
    const ref = { group: GROUP, version: VERSION, plural: CLUSTER_ISSUER_PLURAL, name: "dnsimple" };
    const forged = async () => ({
      ...((await admin.getClusterCustomObject(ref)) as object),
      status: forgedIssuerStatus(),
    });
    // Enforced a moment after it is created: try until it is (each try on the latest version).
    const refused = await waitFor("the status policy to be enforced", async () => {
      const body = await forged();
      return refusal(() => admin.replaceClusterCustomObjectStatus({ ...ref, body }));
    });
    expect(refused).toContain(
      "only the dnsimple-cert-operator writes the status of a ClusterDnsimpleIssuer",
    );
    await operator.replaceClusterCustomObjectStatus({ ...ref, body: await forged() });

    // Claims: every namespace's are the operator's.
    const forgedClaim = claim("tenant");
    const claimRefused = await waitFor("the claims policy to be enforced", async () => {
      const body = claim("tenant");
      const answer = await refusal(() => admin.createClusterCustomObject({ ...CLAIMS, body }));
      if (answer === undefined) await admin.deleteClusterCustomObject(claimRef(body.metadata.name));
      return answer;
    });
    expect(claimRefused).toContain("only the dnsimple-cert-operator creates or changes");
    await operator.createClusterCustomObject({ ...CLAIMS, body: forgedClaim });
    await admin.deleteClusterCustomObject(claimRef(forgedClaim.metadata.name));

    const uninstalled = await helm([
      "uninstall",
      release,
      "--namespace",
      namespace,
      "--kubeconfig",
      join(dir, "kubeconfig"),
    ]);
    expect(uninstalled.code, uninstalled.stderr).toBe(0);
  });
});
