// Gateways as sources (issue 13): with --enable-gateway-api, a Gateway annotated with an
// issuer gets a DnsimpleCertificate per Secret its HTTPS/TLS listeners name; listeners that
// share a Secret share one certificate covering their hostnames. The Gateway API CRDs come
// from the sigs.k8s.io/gateway-api module (global-setup installs them).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  GATEWAY_GROUP,
  GATEWAY_PLURAL,
  GATEWAY_VERSION,
  type Gateway,
  type GatewayListener,
} from "../../src/api/gateway.ts";
import { GROUP } from "../../src/api/v1alpha1.ts";
import { GENERATED_BY_LABEL } from "../../src/sources/generated.ts";
import { verifySecret } from "../support/tls-secret.ts";
import { objects, useNamespace, waitFor } from "./support/kube.ts";
import {
  eventsFor,
  getCertificate,
  getSecret,
  type RunningOperator,
  startOperator,
  testIssuerName,
  waitForReady,
} from "./support/operator.ts";
import { purchasesOf, useSimulator } from "./support/simulator.ts";

const ns = useNamespace("gateway");
const TOKEN = "gateway-source-token-5b21";
const ACCOUNT = 4412;
const env = useSimulator({
  token: TOKEN,
  accountId: ACCOUNT,
  domains: ["example.com"],
  issueDelayMs: 50,
});

let operator: RunningOperator;
const where = { group: GATEWAY_GROUP, version: GATEWAY_VERSION, plural: GATEWAY_PLURAL };

beforeAll(async () => {
  operator = await startOperator(ns.name, env.simulator, [
    `--dnsimple-token=${TOKEN}`,
    `--dnsimple-account-id=${ACCOUNT}`,
    "--enable-gateway-api=true",
  ]);
});

afterAll(async () => {
  await operator?.stop();
});

function https(name: string, hostname: string, secret: string): GatewayListener {
  return {
    name,
    hostname,
    port: 443,
    protocol: "HTTPS",
    tls: { mode: "Terminate", certificateRefs: [{ kind: "Secret", name: secret }] },
  };
}

async function readGateway(name: string): Promise<Gateway> {
  return (await objects().getNamespacedCustomObject({
    ...where,
    namespace: ns.name,
    name,
  })) as Gateway;
}

describe("an annotated Gateway", () => {
  it("gets one certificate for the listeners that share a Secret, covering their hostnames", async () => {
    const gateway = (await objects().createNamespacedCustomObject({
      ...where,
      namespace: ns.name,
      body: {
        apiVersion: `${GATEWAY_GROUP}/${GATEWAY_VERSION}`,
        kind: "Gateway",
        metadata: {
          name: "edge",
          annotations: { [`${GROUP}/cluster-issuer`]: testIssuerName(ns.name) },
        },
        spec: {
          gatewayClassName: "traefik",
          listeners: [
            { name: "http", port: 80, protocol: "HTTP" },
            https("www", "www.example.com", "edge-tls"),
            https("api", "api.example.com", "edge-tls"),
          ],
        },
      },
    })) as Gateway;
    const edge = await waitForReady(ns.name, "edge-tls", "True");
    expect(edge.spec).toMatchObject({
      domain: "example.com",
      name: "www",
      alternateNames: ["api.example.com"],
    });
    expect(edge.metadata.labels?.[GENERATED_BY_LABEL]).toBe("Gateway");
    expect(edge.metadata.ownerReferences).toEqual([
      expect.objectContaining({
        kind: "Gateway",
        name: "edge",
        uid: gateway.metadata.uid,
        controller: true,
      }),
    ]);
    // Leaf signed through the chain by the simulator's root, key matching, valid now.
    const secret = await getSecret(ns.name, "edge-tls");
    const verified = verifySecret(secret?.data ?? {}, env.simulator.rootPem);
    expect(verified.dnsNames.sort()).toEqual(["api.example.com", "example.com", "www.example.com"]);
    expect(purchasesOf(env.simulator, "www")).toHaveLength(1);
    const events = await eventsFor(ns.name, "edge");
    expect(
      events.some((e) => e.involvedObject.kind === "Gateway" && e.reason === "CreateCertificate"),
    ).toBe(true);
  });

  it("follows a listener's hostname, and a listener that goes", async () => {
    const gateway = await readGateway("edge");
    gateway.spec.listeners = gateway.spec.listeners.map((l) =>
      l.name === "api" ? { ...l, hostname: "status.example.com" } : l,
    );
    await objects().replaceNamespacedCustomObject({
      ...where,
      namespace: ns.name,
      name: "edge",
      body: gateway,
    });
    await waitFor("edge-tls follows the hostname", async () => {
      const r = await getCertificate(ns.name, "edge-tls");
      const ready = r.status?.conditions?.find((c) => c.type === "Ready")?.status === "True";
      return ready && r.status?.alternateNames?.includes("status.example.com") ? r : undefined;
    });
    expect(purchasesOf(env.simulator, "www")).toHaveLength(2);

    const again = await readGateway("edge");
    again.spec.listeners = again.spec.listeners.filter((l) => l.protocol === "HTTP");
    await objects().replaceNamespacedCustomObject({
      ...where,
      namespace: ns.name,
      name: "edge",
      body: again,
    });
    await waitFor("edge-tls deleted", async () =>
      (await getCertificate(ns.name, "edge-tls").catch(() => undefined)) ? undefined : true,
    );
  });
});
