// A Secret the operator did not make is never written: a resource naming one gets Ready=False
// SecretConflict before anything is bought, and the Secret stays byte for byte as it was, until
// its owner hands it over with the allow-takeover annotation (issue 12, part 3).
import { PatchStrategy, setHeaderOptions, type V1Secret } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { MANAGED_SECRET_LABEL, TAKEOVER_ANNOTATION } from "../../src/api/v1alpha1.ts";
import { core, useNamespace } from "./support/kube.ts";
import {
  createCertificate,
  getSecret,
  useOperator,
  waitForReady,
  waitForWarning,
} from "./support/operator.ts";
import { purchasesOf } from "./support/simulator.ts";

const ns = useNamespace("takeover");
const TOKEN = "takeover-test-token-41c2";
const env = useOperator({
  namespace: ns,
  simulator: { token: TOKEN, accountId: 31, domains: ["example.com"], issueDelayMs: 100 },
  flags: [`--dnsimple-token=${TOKEN}`, "--dnsimple-account-id=31"],
});

/** A TLS Secret someone else made (not the operator's label), with data of their own. */
async function createTheirs(name: string): Promise<V1Secret> {
  return core().createNamespacedSecret({
    namespace: ns.name,
    body: {
      metadata: { name, labels: { team: "theirs" } },
      type: "kubernetes.io/tls",
      stringData: { "tls.crt": "their certificate", "tls.key": "their key" },
    },
  });
}

describe("an existing Secret the operator did not make", () => {
  it("is left byte for byte, SecretConflict and nothing bought; handed over, it is written", async () => {
    const theirs = await createTheirs("theirs-tls");
    await createCertificate(ns.name, "theirs", {
      domain: "example.com",
      name: "theirs",
      secretName: "theirs-tls",
    });
    await waitForReady(ns.name, "theirs", "False", "SecretConflict");
    await waitForWarning(ns.name, "theirs", "SecretConflict");
    expect(purchasesOf(env.simulator, "theirs")).toHaveLength(0);
    const after = await getSecret(ns.name, "theirs-tls");
    expect(after?.metadata?.resourceVersion).toBe(theirs.metadata?.resourceVersion);
    expect(after?.data).toEqual(theirs.data);

    // Its owner hands it over; the operator's retry (it does not watch unlabelled Secrets) takes it.
    await core().patchNamespacedSecret(
      {
        namespace: ns.name,
        name: "theirs-tls",
        body: { metadata: { annotations: { [TAKEOVER_ANNOTATION]: "theirs" } } },
      },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    await waitForReady(ns.name, "theirs", "True", undefined, 60_000);
    expect(purchasesOf(env.simulator, "theirs")).toHaveLength(1);
    const taken = await getSecret(ns.name, "theirs-tls");
    expect(taken?.metadata?.labels?.[MANAGED_SECRET_LABEL]).toBe("true");
    expect(taken?.data?.["tls.crt"]).not.toEqual(theirs.data?.["tls.crt"]);
  });

  it("handed over to another resource: still refused", async () => {
    const theirs = await createTheirs("other-tls");
    await core().patchNamespacedSecret(
      {
        namespace: ns.name,
        name: "other-tls",
        body: { metadata: { annotations: { [TAKEOVER_ANNOTATION]: "someone-else" } } },
      },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    await createCertificate(ns.name, "other", {
      domain: "example.com",
      name: "other",
      secretName: "other-tls",
    });
    await waitForReady(ns.name, "other", "False", "SecretConflict");
    expect(purchasesOf(env.simulator, "other")).toHaveLength(0);
    expect((await getSecret(ns.name, "other-tls"))?.data).toEqual(theirs.data);
  });

  it("a Secret someone else made with the operator's label: left as it is", async () => {
    // The label alone does not make a Secret the operator's: it never wrote this one.
    const theirs = await core().createNamespacedSecret({
      namespace: ns.name,
      fieldManager: "tenant-tool",
      body: {
        metadata: { name: "labelled-tls", labels: { [MANAGED_SECRET_LABEL]: "true" } },
        type: "kubernetes.io/tls",
        stringData: { "tls.crt": "their certificate", "tls.key": "their key" },
      },
    });
    await createCertificate(ns.name, "labelled", {
      domain: "example.com",
      name: "labelled",
      secretName: "labelled-tls",
    });
    const refused = await waitForReady(ns.name, "labelled", "False", "SecretConflict");
    const message = refused.status?.conditions?.find((c) => c.type === "Ready")?.message;
    expect(message).toContain("tenant-tool");
    await waitForWarning(ns.name, "labelled", "SecretConflict");
    const after = await getSecret(ns.name, "labelled-tls");
    expect(after?.metadata?.resourceVersion).toBe(theirs.metadata?.resourceVersion);
    expect(purchasesOf(env.simulator, "labelled")).toHaveLength(0);
  });
});
