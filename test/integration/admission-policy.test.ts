// The chart's optional ValidatingAdmissionPolicies (issue 12, part 5), installed for real with
// `helm install`: in the namespaces they guard, only the operator's ServiceAccount may put the
// managed label on a Secret or write DnsimpleCertificate status; elsewhere nothing changes.
import { randomBytes } from "node:crypto";
import {
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GROUP, MANAGED_SECRET_LABEL, PLURAL, VERSION } from "../../src/api/v1alpha1.ts";
import { helmInstall, helmUninstall } from "./support/chart.ts";
import { core, objects, tokenKubeconfig, useNamespace, waitFor } from "./support/kube.ts";
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

/** The admission error of a call that must be refused (its message), or undefined if it went through. */
async function refusal(call: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await call();
    return undefined;
  } catch (err) {
    return String((err as { body?: unknown }).body ?? err);
  }
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

  it("leave namespaces outside the selector alone", async () => {
    const created = await core().createNamespacedSecret({
      namespace: openNs.name,
      body: labelled("elsewhere"),
    });
    expect(created.metadata?.labels?.[MANAGED_SECRET_LABEL]).toBe("true");
  });
});
