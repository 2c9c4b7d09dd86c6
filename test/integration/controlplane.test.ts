// The local control plane is a real one: readiness, RBAC with ServiceAccount tokens, CRDs with
// a status subresource and CEL validation, and owner-reference garbage collection.
import {
  ApiextensionsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  RbacAuthorizationV1Api,
} from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import {
  adminKubeConfig,
  kubectl,
  serviceAccountKubeconfig,
  useNamespace,
  waitFor,
} from "./support/kube.ts";

const ns = useNamespace("controlplane");

describe("local control plane", () => {
  it("answers /readyz with ok", async () => {
    const result = await kubectl(["get", "--raw", "/readyz"]);
    expect(result).toMatchObject({ code: 0, stdout: "ok" });
  });

  it("enforces RBAC for a ServiceAccount's signed token", async () => {
    const asRobot = await serviceAccountKubeconfig(ns.name, "robot");
    const denied = await kubectl(["get", "secrets", "-n", ns.name], asRobot);
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toContain(`system:serviceaccount:${ns.name}:robot`);
    expect(denied.stderr).toContain("forbidden");
    const before = await kubectl(["auth", "can-i", "list", "secrets", "-n", ns.name], asRobot);
    expect(before.stdout.trim()).toBe("no");

    const rbac = adminKubeConfig().makeApiClient(RbacAuthorizationV1Api);
    await rbac.createNamespacedRole({
      namespace: ns.name,
      body: {
        metadata: { name: "secret-reader" },
        rules: [{ apiGroups: [""], resources: ["secrets"], verbs: ["get", "list"] }],
      },
    });
    await rbac.createNamespacedRoleBinding({
      namespace: ns.name,
      body: {
        metadata: { name: "robot-reads-secrets" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "secret-reader" },
        subjects: [{ kind: "ServiceAccount", name: "robot", namespace: ns.name }],
      },
    });
    const after = await kubectl(["auth", "can-i", "list", "secrets", "-n", ns.name], asRobot);
    expect(after.stdout.trim()).toBe("yes");
    const elsewhere = await kubectl(["auth", "can-i", "list", "secrets", "-n", "default"], asRobot);
    expect(elsewhere.stdout.trim()).toBe("no");
    const admin = await kubectl([
      "auth",
      "can-i",
      "delete",
      "secrets",
      "-n",
      ns.name,
      `--as=system:serviceaccount:${ns.name}:robot`,
    ]);
    expect(admin.stdout.trim()).toBe("no");
  });

  it("serves CRDs with a status subresource and CEL validation", async () => {
    const group = "controlplane.test.dev";
    const plural = "widgets";
    const crds = adminKubeConfig().makeApiClient(ApiextensionsV1Api);
    await crds.createCustomResourceDefinition({
      body: {
        metadata: { name: `${plural}.${group}` },
        spec: {
          group,
          scope: "Namespaced",
          names: { plural, singular: "widget", kind: "Widget" },
          versions: [
            {
              name: "v1",
              served: true,
              storage: true,
              subresources: { status: {} },
              schema: {
                openAPIV3Schema: {
                  type: "object",
                  properties: {
                    spec: {
                      type: "object",
                      properties: { size: { type: "integer" } },
                      x_kubernetes_validations: [
                        { rule: "self.size < 10", message: "size must be below 10" },
                      ],
                    },
                    status: { type: "object", properties: { phase: { type: "string" } } },
                  },
                },
              },
            },
          ],
        },
      },
    });
    await waitFor("CRD established", async () => {
      const crd = await crds.readCustomResourceDefinition({ name: `${plural}.${group}` });
      return crd.status?.conditions?.some((c) => c.type === "Established" && c.status === "True")
        ? true
        : undefined;
    });

    const objects = adminKubeConfig().makeApiClient(CustomObjectsApi);
    const base = { group, version: "v1", namespace: ns.name, plural };
    const invalid = await kubectl(
      ["apply", "-f", "-"],
      undefined,
      JSON.stringify({
        apiVersion: `${group}/v1`,
        kind: "Widget",
        metadata: { name: "too-big", namespace: ns.name },
        spec: { size: 11 },
      }),
    );
    expect(invalid.code).not.toBe(0);
    expect(invalid.stderr).toContain("size must be below 10");
    await expect(
      objects.createNamespacedCustomObject({
        ...base,
        body: {
          apiVersion: `${group}/v1`,
          kind: "Widget",
          metadata: { name: "big" },
          spec: { size: 12 },
        },
      }),
    ).rejects.toThrow(/size must be below 10/);

    await objects.createNamespacedCustomObject({
      ...base,
      body: {
        apiVersion: `${group}/v1`,
        kind: "Widget",
        metadata: { name: "w" },
        spec: { size: 1 },
      },
    });
    // The main resource ignores status; the status subresource ignores spec.
    await objects.patchNamespacedCustomObjectStatus({
      ...base,
      name: "w",
      body: [{ op: "add", path: "/status", value: { phase: "Ready" } }],
    });
    const widget = (await objects.getNamespacedCustomObject({ ...base, name: "w" })) as {
      metadata: { generation: number };
      status?: { phase?: string };
    };
    expect(widget.status?.phase).toBe("Ready");
    expect(widget.metadata.generation).toBe(1);
    await crds.deleteCustomResourceDefinition({ name: `${plural}.${group}` });
  });

  it("garbage-collects dependents when their owner is deleted", async () => {
    const core = adminKubeConfig().makeApiClient(CoreV1Api);
    const owner = await core.createNamespacedConfigMap({
      namespace: ns.name,
      body: { metadata: { name: "owner" } },
    });
    await core.createNamespacedConfigMap({
      namespace: ns.name,
      body: {
        metadata: {
          name: "dependent",
          ownerReferences: [
            { apiVersion: "v1", kind: "ConfigMap", name: "owner", uid: owner.metadata?.uid ?? "" },
          ],
        },
      },
    });
    await core.deleteNamespacedConfigMap({ namespace: ns.name, name: "owner" });
    await waitFor("dependent ConfigMap collected", async () => {
      const list = await core.listNamespacedConfigMap({ namespace: ns.name });
      return list.items.some((cm) => cm.metadata?.name === "dependent") ? undefined : true;
    });
  });
});
