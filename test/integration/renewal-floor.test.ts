// The issuer's renewal floor counts from the resource's last purchase as its claims record it,
// not only from the Secret's notBefore: a tenant may write its own Secret, and a certificate it
// made itself, dated years back, for the same names passes the Secret's check. Counting from
// that notBefore alone, a renew-at would buy again at once, and again after every such edit.
import { PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { beforeAll, describe, expect, it } from "vitest";
import { CLUSTER_ISSUER_KIND } from "../../src/api/issuers.ts";
import { RENEW_AT_ANNOTATION } from "../../src/api/v1alpha1.ts";
import { createCertificateAuthority } from "../../src/simulator/certificate-authority.ts";
import { privateKeyPem } from "../../src/simulator/keys.ts";
import { issueLeaf } from "../../src/simulator/leaf-certificates.ts";
import { core, useNamespace, waitFor } from "./support/kube.ts";
import {
  applyClusterIssuer,
  createReady,
  getCertificate,
  loggedAction,
  setAnnotations,
  useOperator,
} from "./support/operator.ts";
import { purchasesOf } from "./support/simulator.ts";

const ns = useNamespace("floor");
const TOKEN = "renewal-floor-token-5e19";
const env = useOperator({
  namespace: ns,
  simulator: { token: TOKEN, accountId: 47, domains: ["example.com"], issueDelayMs: 100 },
  flags: [`--dnsimple-token=${TOKEN}`, "--dnsimple-account-id=47"],
});
const issuer = () => `floor-${ns.name}`;
const DAY_MS = 86_400_000;

beforeAll(async () => {
  await applyClusterIssuer(issuer(), {
    policy: {
      namespaceSelector: {
        matchExpressions: [
          { key: "kubernetes.io/metadata.name", operator: "In", values: [ns.name] },
        ],
      },
      budget: { ordersPerNamespacePerDay: 100, renewalFloor: "24h" },
    },
  });
});

/** A chain of the tenant's own for these names, issued three years ago and valid a year more. */
async function backdatedChain(commonName: string, dnsNames: readonly string[]) {
  const issuedAt = new Date(Date.now() - 3 * 365 * DAY_MS);
  const authority = await createCertificateAuthority(issuedAt);
  const leaf = await issueLeaf(authority, {
    commonName,
    subjectAltNames: dnsNames,
    algorithm: "ECDSA",
    issuedAt,
    validityMs: 4 * 365 * DAY_MS,
  });
  return {
    "tls.crt": Buffer.from(leaf.certificatePem + authority.intermediatePem).toString("base64"),
    "tls.key": Buffer.from(privateKeyPem(leaf.privateKey, "pkcs8")).toString("base64"),
    "ca.crt": Buffer.from(authority.rootPem).toString("base64"),
  };
}

describe("the renewal floor", () => {
  it("holds from the last purchase when the tenant backdates its Secret's certificate", async () => {
    const ready = await createReady(ns.name, "www", {
      issuerRef: { kind: CLUSTER_ISSUER_KIND, name: issuer() },
    });
    expect(purchasesOf(env.simulator, "www")).toHaveLength(1);
    const notBefore = Date.parse(ready.status?.notBefore ?? "");

    await core().patchNamespacedSecret(
      {
        namespace: ns.name,
        name: "www-tls",
        body: { data: await backdatedChain("www.example.com", ready.status?.alternateNames ?? []) },
      },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    // The operator takes the tenant's certificate for the Secret's (it passes the check).
    await waitFor("status to report the backdated certificate", async () => {
      const current = await getCertificate(ns.name, "www");
      const seen = Date.parse(current.status?.notBefore ?? "");
      return seen < notBefore - 365 * DAY_MS ? true : undefined;
    });

    const since = env.operator.logs.length;
    await setAnnotations(ns.name, "www", { [RENEW_AT_ANNOTATION]: new Date().toISOString() });
    await waitFor("the pass after the renew-at annotation", async () =>
      loggedAction(env.operator, ns.name, "www", "ready", since) ? true : undefined,
    );
    expect(purchasesOf(env.simulator, "www")).toHaveLength(1);
    const after = await getCertificate(ns.name, "www");
    // Looked at again at the floor: a day after the purchase, not three years before now.
    expect(Date.parse(after.status?.renewalTime ?? "")).toBeGreaterThan(Date.now() + DAY_MS / 2);
  });
});
