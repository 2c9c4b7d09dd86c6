// An Ingress source on a DNSimple Personal plan (issue 13): the plan allows only the domain and
// www.<domain>, so hosts that need a custom name, a wildcard or alternate names are refused
// on the Ingress before anything is created or bought; the plan comes from the issuer's status
// (its whoami), so the refusal costs no call of its own. A DnsimpleIssuer of the test's own
// namespace: other test files' operators (confined to theirs) never see it, so none of them
// writes its status with their simulator's plan.
import { NetworkingV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DnsimpleIssuer, ISSUER_KIND, ISSUER_PLURAL } from "../../src/api/issuers.ts";
import { GROUP, VERSION } from "../../src/api/v1alpha1.ts";
import { adminKubeConfig, objects, useNamespace, waitFor } from "./support/kube.ts";
import {
  createCredentials,
  eventsFor,
  getCertificate,
  type RunningOperator,
  startOperator,
  waitForReady,
} from "./support/operator.ts";
import { useSimulator } from "./support/simulator.ts";

const ns = useNamespace("ingress-plan");
const TOKEN = "ingress-plan-token-8e02";
const ACCOUNT = 4413;
const env = useSimulator({
  token: TOKEN,
  accountId: ACCOUNT,
  domains: ["example.com"],
  issueDelayMs: 50,
  plan: "personal",
});

let operator: RunningOperator;

const ISSUER = "team";

beforeAll(async () => {
  await createCredentials(ns.name, "team-token", { token: TOKEN, accountId: String(ACCOUNT) });
  await objects().createNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    plural: ISSUER_PLURAL,
    namespace: ns.name,
    body: {
      apiVersion: `${GROUP}/${VERSION}`,
      kind: ISSUER_KIND,
      metadata: { name: ISSUER },
      spec: { credentialsRef: { name: "team-token" }, policy: { allowWildcards: true } },
    },
  });
  operator = await startOperator(ns.name, env.simulator, [
    `--dnsimple-token=${TOKEN}`,
    `--dnsimple-account-id=${ACCOUNT}`,
  ]);
});

afterAll(async () => {
  await operator?.stop();
});

async function createIngress(name: string, hosts: string[], secretName: string): Promise<void> {
  await adminKubeConfig()
    .makeApiClient(NetworkingV1Api)
    .createNamespacedIngress({
      namespace: ns.name,
      body: {
        metadata: {
          name,
          namespace: ns.name,
          annotations: {
            [`${GROUP}/issuer`]: ISSUER,
            [`${GROUP}/domain`]: "example.com",
          },
        },
        spec: {
          tls: [{ hosts, secretName }],
          defaultBackend: { service: { name: "web", port: { number: 80 } } },
        },
      },
    });
}

describe("an Ingress on a Personal plan", () => {
  it("knows the plan from the issuer's status", async () => {
    const issuer = await waitFor("the issuer's plan", async () => {
      const found = (await objects().getNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        plural: ISSUER_PLURAL,
        namespace: ns.name,
        name: ISSUER,
      })) as DnsimpleIssuer;
      return found.status?.plan ? found : undefined;
    });
    expect(issuer.status?.plan).toBe("dnsimple-personal");
  });

  it("refuses hosts the plan cannot order, with no call and nothing created", async () => {
    const calls = env.simulator.calls().length;
    await createIngress("api", ["api.example.com"], "api-tls");
    const warning = await waitFor(
      "a BadConfig Event on Ingress api",
      async () => (await eventsFor(ns.name, "api")).find((e) => e.reason === "BadConfig")?.message,
    );
    expect(warning).toContain("plan (dnsimple-personal)");
    expect(warning).toContain("Professional or Enterprise");
    await expect(getCertificate(ns.name, "api-tls")).rejects.toThrow();
    // No call but whoami: every operator on the shared control plane checks every
    // ClusterDnsimpleIssuer's token (other test files' too), the issuer controller's, not the
    // source's.
    const made = env.simulator.calls().slice(calls);
    expect(made.filter((c) => c.operation !== "whoami")).toEqual([]);
  });

  it("serves the domain and www.<domain>, which the plan allows", async () => {
    await createIngress("www", ["example.com", "www.example.com"], "www-tls");
    const www = await waitForReady(ns.name, "www-tls", "True");
    expect(www.spec).toMatchObject({ domain: "example.com", name: "www" });
    expect(env.simulator.purchases()).toHaveLength(1);
  });
});
