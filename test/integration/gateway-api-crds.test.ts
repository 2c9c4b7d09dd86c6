// The Gateway API CRDs that the global setup installs are the pinned standard channel, and they
// hold what a Gateway set-up names a certificate with: an HTTPS listener whose
// tls.certificateRefs name a Secret, with the API's defaults and validation in force.
import { describe, expect, it } from "vitest";
import { gatewayApiVersion } from "../../src/localcluster/gateway-api.ts";
import { kubectl, objects, useNamespace } from "./support/kube.ts";

const ns = useNamespace("gateway-api");

const gatewayRef = (name: string) => ({
  group: "gateway.networking.k8s.io",
  version: "v1",
  namespace: ns.name,
  plural: "gateways",
  name,
});

interface Crd {
  metadata: { name: string; annotations?: Record<string, string> };
  spec: { group: string };
}

interface Gateway {
  spec: {
    gatewayClassName: string;
    listeners: { name: string; hostname?: string; tls?: Record<string, unknown> }[];
  };
}

const httpsListener = (tls: Record<string, unknown>) => ({
  name: "https",
  protocol: "HTTPS",
  port: 443,
  hostname: "www.example.com",
  tls,
});

const gateway = (name: string, tls: Record<string, unknown>) => ({
  apiVersion: "gateway.networking.k8s.io/v1",
  kind: "Gateway",
  metadata: { name, namespace: ns.name },
  spec: { gatewayClassName: "traefik", listeners: [httpsListener(tls)] },
});

describe("the Gateway API CRDs", () => {
  it("are the standard channel of the pinned release", async () => {
    const listed = await kubectl(["get", "crd", "-o", "json"]);
    const crds = (JSON.parse(listed.stdout) as { items: Crd[] }).items.filter(
      (c) => c.spec.group === "gateway.networking.k8s.io",
    );
    expect(crds.map((c) => c.metadata.name).sort()).toEqual([
      "backendtlspolicies.gateway.networking.k8s.io",
      "gatewayclasses.gateway.networking.k8s.io",
      "gateways.gateway.networking.k8s.io",
      "grpcroutes.gateway.networking.k8s.io",
      "httproutes.gateway.networking.k8s.io",
      "referencegrants.gateway.networking.k8s.io",
    ]);
    for (const crd of crds) {
      expect(crd.metadata.annotations).toMatchObject({
        "gateway.networking.k8s.io/bundle-version": gatewayApiVersion(),
        "gateway.networking.k8s.io/channel": "standard",
      });
    }
  });

  it("take a Gateway with an HTTPS listener and tls.certificateRefs, and give it back", async () => {
    await objects().createNamespacedCustomObject({
      ...gatewayRef("web"),
      body: gateway("web", { certificateRefs: [{ name: "www-tls" }] }),
    });
    const got = (await objects().getNamespacedCustomObject(gatewayRef("web"))) as Gateway;
    expect(got.spec.gatewayClassName).toBe("traefik");
    expect(got.spec.listeners).toEqual([
      {
        ...httpsListener({
          mode: "Terminate",
          certificateRefs: [{ group: "", kind: "Secret", name: "www-tls" }],
        }),
        // The API's default: routes of the Gateway's own namespace only.
        allowedRoutes: { namespaces: { from: "Same" } },
      },
    ]);
  });

  it("refuse an HTTPS listener that terminates TLS with no certificate", async () => {
    const result = await kubectl(
      ["apply", "-f", "-"],
      undefined,
      JSON.stringify(gateway("no-cert", { mode: "Terminate" })),
    );
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/certificateRefs or options must be specified when mode/);
  });
});
