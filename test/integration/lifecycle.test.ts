// Spec changes (each with its purchase count), drift repair (Secret deleted, edited, key
// swapped: restored with zero orders), a private key DNSimple no longer has, and deletion
// (both policies, and in the middle of an issuance).
import { generateKeyPairSync, X509Certificate } from "node:crypto";
import { PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { beforeAll, describe, expect, it } from "vitest";
import type { DnsimpleCertificateSpec } from "../../src/api/v1alpha1.ts";
import { core, objects, useNamespace, waitFor } from "./support/kube.ts";
import {
  certificateRef,
  createCertificate,
  createCredentials,
  createReady,
  decoded,
  eventsFor,
  getCertificate,
  getSecret,
  heldCertificateId,
  startOperator,
  useOperator,
  waitForReady,
} from "./support/operator.ts";

const ns = useNamespace("lifecycle");
const TOKEN = "lifecycle-test-token-b4d";
const env = useOperator({
  namespace: ns,
  simulator: {
    token: TOKEN,
    accountId: 66,
    domains: ["example.com", "example.net"],
    issueDelayMs: 300,
  },
  credentials: { token: TOKEN, accountId: "66" },
});
const { credentialsRef } = env;
const resourceApi = (name: string) => certificateRef(ns.name, name);

async function patchSpec(name: string, spec: Partial<DnsimpleCertificateSpec>): Promise<void> {
  await objects().patchNamespacedCustomObject({
    ...resourceApi(name),
    body: Object.entries(spec).map(([key, value]) => ({ op: "add", path: `/spec/${key}`, value })),
  });
}

/** Waits for Ready=True on the given generation, with the Secret holding status.certificateId. */
async function waitForSettled(name: string, generation: number) {
  return waitFor(`${name} settled on generation ${generation}`, async () => {
    const r = await getCertificate(ns.name, name);
    const ready = r.status?.conditions?.find((c) => c.type === "Ready");
    const held = heldCertificateId(await getSecret(ns.name, r.spec.secretName));
    return ready?.status === "True" &&
      ready.observedGeneration === generation &&
      held === r.status?.certificateId
      ? r
      : undefined;
  });
}

const purchases = () => env.simulator.purchases().length;
const certificateIdOf = async (secretName: string) =>
  heldCertificateId(await getSecret(ns.name, secretName));

describe("spec changes", () => {
  it("cost a purchase exactly when the certificate must change", async () => {
    let resource = await createReady(ns.name, "change", { credentialsRef });
    let generation = resource.metadata.generation;

    const cases: [string, Partial<DnsimpleCertificateSpec>, number][] = [
      [
        "secretTemplate",
        { secretTemplate: { labels: { team: "web" }, annotations: { note: "hi" } } },
        0,
      ],
      ["renewBefore", { renewBefore: "720h" }, 0],
      ["autoRenew", { autoRenew: true }, 0],
      ["secretName", { secretName: "change-tls-2" }, 0],
      ["alternateNames", { alternateNames: ["docs.example.com"] }, 1],
      ["signatureAlgorithm", { signatureAlgorithm: "RSA" }, 1],
      ["name", { name: "changed" }, 1],
      ["domain", { domain: "example.net", name: "www", alternateNames: [] }, 1],
    ];
    for (const [what, change, cost] of cases) {
      const before = purchases();
      await patchSpec("change", change);
      generation += 1;
      resource = await waitForSettled("change", generation);
      expect(purchases() - before, what).toBe(cost);
    }

    const secret = await getSecret(ns.name, "change-tls-2");
    expect(secret?.metadata?.labels?.team).toBe("web");
    expect(secret?.metadata?.annotations?.note).toBe("hi");
    const leaf = new X509Certificate(decoded(secret, "tls.crt"));
    expect(leaf.publicKey.asymmetricKeyType).toBe("rsa");
    expect(leaf.subjectAltName?.split(", ").sort()).toEqual([
      "DNS:example.net",
      "DNS:www.example.net",
    ]);
    expect(Date.parse(resource.status?.renewalTime ?? "")).toBe(
      Date.parse(resource.status?.notAfter ?? "") - 720 * 3_600_000,
    );
    // The old Secret is left as it was (Retain).
    expect(await getSecret(ns.name, "change-tls")).toBeDefined();
  });
});

describe("secretTemplate", () => {
  it("removes a key taken out of the template, keeps keys others set, buys nothing", async () => {
    const ready = await createReady(ns.name, "template", {
      credentialsRef,
      secretTemplate: { labels: { team: "web", tier: "front" }, annotations: { note: "hi" } },
    });
    await core().patchNamespacedSecret(
      {
        namespace: ns.name,
        name: "template-tls",
        body: { metadata: { labels: { "added-by": "someone-else" } } },
      },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    const before = purchases();
    await objects().patchNamespacedCustomObject({
      ...resourceApi("template"),
      body: [{ op: "replace", path: "/spec/secretTemplate", value: { labels: { team: "web" } } }],
    });
    await waitForSettled("template", ready.metadata.generation + 1);
    const metadata = await waitFor("tier and note removed from the Secret", async () => {
      const m = (await getSecret(ns.name, "template-tls"))?.metadata;
      return m?.labels?.tier === undefined && m?.annotations?.note === undefined ? m : undefined;
    });
    expect(metadata.labels?.team).toBe("web");
    expect(metadata.labels?.["added-by"]).toBe("someone-else");
    expect(metadata.labels?.["dnsimple-cert-operator.dev/managed"]).toBe("true");
    expect(metadata.annotations?.["dnsimple-cert-operator.dev/certificate-id"]).toBe(
      String(ready.status?.certificateId),
    );
    expect(purchases()).toBe(before);
  });
});

describe("drift repair", () => {
  let certificateId: number;

  beforeAll(async () => {
    const ready = await createReady(ns.name, "drift", { credentialsRef });
    certificateId = ready.status?.certificateId ?? 0;
  });

  async function expectRestored(before: number): Promise<void> {
    await waitFor("the Secret restored", async () => {
      const secret = await getSecret(ns.name, "drift-tls");
      const crt = decoded(secret, "tls.crt");
      const key = decoded(secret, "tls.key");
      if (!crt.includes("BEGIN CERTIFICATE") || !key.includes("PRIVATE KEY")) return undefined;
      try {
        const leaf = new X509Certificate(crt);
        const { createPrivateKey } = await import("node:crypto");
        return leaf.checkPrivateKey(createPrivateKey(key)) ? true : undefined;
      } catch {
        return undefined;
      }
    });
    expect(await certificateIdOf("drift-tls")).toBe(certificateId);
    expect(purchases()).toBe(before);
  }

  it("restores a deleted Secret without ordering", async () => {
    const before = purchases();
    await core().deleteNamespacedSecret({ namespace: ns.name, name: "drift-tls" });
    await expectRestored(before);
    // Said as a repair, not as a second issuance.
    const downloaded = await waitFor("a Downloaded Event", async () =>
      (await eventsFor(ns.name, "drift")).find((e) => e.reason === "Downloaded"),
    );
    expect(downloaded.message).toContain("again to restore Secret drift-tls (missing)");
    const issued = (await eventsFor(ns.name, "drift")).filter((e) => e.reason === "Issued");
    expect(issued.reduce((sum, e) => sum + (e.count ?? 1), 0)).toBe(1);
  });

  it("restores an edited Secret without ordering", async () => {
    const before = purchases();
    await core().patchNamespacedSecret({
      namespace: ns.name,
      name: "drift-tls",
      body: [
        { op: "replace", path: "/data/tls.crt", value: Buffer.from("garbage").toString("base64") },
      ],
    });
    await expectRestored(before);
  });

  it("restores a Secret whose key no longer matches, without ordering", async () => {
    const before = purchases();
    const stranger = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({
      type: "sec1",
      format: "pem",
    });
    await core().patchNamespacedSecret({
      namespace: ns.name,
      name: "drift-tls",
      body: [
        { op: "replace", path: "/data/tls.key", value: Buffer.from(stranger).toString("base64") },
      ],
    });
    await expectRestored(before);
  });

  it("without the key at DNSimple a lost Secret cannot be restored: no order until asked", async () => {
    env.simulator.removePrivateKey(certificateId);
    const before = purchases();
    await core().deleteNamespacedSecret({ namespace: ns.name, name: "drift-tls" });
    const failed = await waitForReady(ns.name, "drift", "False", "PrivateKeyUnavailable");
    expect(failed.status?.conditions?.find((c) => c.type === "Ready")?.message).toMatch(
      /no longer has the key|cannot hand out/,
    );
    expect(purchases()).toBe(before);

    await objects().patchNamespacedCustomObject({
      ...resourceApi("drift"),
      body: [
        {
          op: "add",
          path: "/metadata/annotations",
          value: { "dnsimple-cert-operator.dev/renew-at": new Date().toISOString() },
        },
      ],
    });
    const ready = await waitForReady(ns.name, "drift", "True");
    expect(purchases()).toBe(before + 1);
    expect(ready.status?.certificateId).not.toBe(certificateId);
  });
});

describe("deletion", () => {
  it("Delete: the Secret goes with the resource (owner reference, garbage collection)", async () => {
    const ready = await createReady(ns.name, "owned", {
      secretDeletionPolicy: "Delete",
      credentialsRef,
    });
    const secret = await getSecret(ns.name, "owned-tls");
    expect(secret?.metadata?.ownerReferences).toEqual([
      expect.objectContaining({
        kind: "DnsimpleCertificate",
        name: "owned",
        uid: ready.metadata.uid,
        controller: true,
      }),
    ]);
    await objects().deleteNamespacedCustomObject(resourceApi("owned"));
    await waitFor("the Secret collected", async () =>
      (await getSecret(ns.name, "owned-tls")) === undefined ? true : undefined,
    );
  });

  it("Retain: the Secret stays, without an owner reference", async () => {
    await createReady(ns.name, "kept", { credentialsRef });
    expect((await getSecret(ns.name, "kept-tls"))?.metadata?.ownerReferences).toBeUndefined();
    await objects().deleteNamespacedCustomObject(resourceApi("kept"));
    await waitFor("the resource gone", async () => {
      try {
        await getCertificate(ns.name, "kept");
        return undefined;
      } catch {
        return true;
      }
    });
    expect(await getSecret(ns.name, "kept-tls")).toBeDefined();
  });

  it("switching Retain to Delete and back adds and removes the owner reference", async () => {
    await createReady(ns.name, "switch", { credentialsRef });
    await patchSpec("switch", { secretDeletionPolicy: "Delete" });
    await waitFor("owner reference added", async () =>
      (await getSecret(ns.name, "switch-tls"))?.metadata?.ownerReferences?.length === 1
        ? true
        : undefined,
    );
    await patchSpec("switch", { secretDeletionPolicy: "Retain" });
    await waitFor("owner reference removed", async () =>
      (await getSecret(ns.name, "switch-tls"))?.metadata?.ownerReferences === undefined
        ? true
        : undefined,
    );
  });

  it("deleting mid-issuance leaves nothing stuck", async () => {
    const scratch = `${ns.name}-mid`;
    await core().createNamespace({ body: { metadata: { name: scratch } } });
    await createCredentials(scratch, "dnsimple", { token: TOKEN, accountId: "66" });
    const midOperator = await startOperator(scratch, env.simulator);
    env.simulator.updateSettings({ issueDelayMs: 5_000 });
    try {
      await createCertificate(scratch, "mid", {
        domain: "example.com",
        name: "mid",
        secretName: "mid-tls",
        secretDeletionPolicy: "Delete",
        credentialsRef,
      });
      await waitForReady(scratch, "mid", "False", "Issuing");
      const resource = await getCertificate(scratch, "mid");
      expect(resource.metadata.finalizers ?? []).toEqual([]);
      await core().deleteNamespace({ name: scratch });
      await waitFor(
        "the namespace gone",
        async () => {
          try {
            await core().readNamespace({ name: scratch });
            return undefined;
          } catch {
            return true;
          }
        },
        60_000,
      );
    } finally {
      env.simulator.updateSettings({ issueDelayMs: 300 });
      await midOperator.stop();
    }
  });
});
