// No order twice, ever: the operator process is killed (SIGKILL) after DNSimple took the order
// but before the certificate id reached the status. A new operator finds the order through the
// intent it recorded first, and the simulator counts exactly one purchase.
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { afterAll, describe, expect, it } from "vitest";
import { freePort, kubectl, useNamespace, waitFor } from "./support/kube.ts";
import {
  certificateManifest,
  createCertificate,
  eventsFor,
  getCertificate,
  spawnOperator,
  useOperator,
  waitForReady,
} from "./support/operator.ts";

const ns = useNamespace("crash");
const TOKEN = "crash-test-token-41aa";
// The tests start the in-process operator themselves, after the child process they kill.
const env = useOperator({
  namespace: ns,
  simulator: { token: TOKEN, accountId: 31, domains: ["example.com"], issueDelayMs: 200 },
  flags: [`--dnsimple-token=${TOKEN}`],
  start: false,
});
let child: ChildProcess | undefined;

afterAll(() => {
  child?.kill("SIGKILL");
});

describe("a crash between the order and its status write", () => {
  it("is recovered without a second purchase", async () => {
    // The order goes through at DNSimple, but its answer never reaches the operator: the
    // operator is left exactly between the POST and the status write when it is killed.
    env.simulator.addOneShotFault({
      method: "POST",
      path: "/v2/31/domains/example.com/certificates/letsencrypt",
      action: "process-then-drop",
    });
    child = spawnOperator(ns.name, env.simulator, [
      `--dnsimple-token=${TOKEN}`,
      "--health-addr=127.0.0.1:0",
      "--poll-interval=200ms",
    ]);
    await createCertificate(ns.name, "www", { domain: "example.com", secretName: "www-tls" });
    await waitFor("the order at DNSimple", async () =>
      env.simulator.purchases().length === 1 ? true : undefined,
    );
    const exited = once(child, "exit");
    child.kill("SIGKILL");
    await exited;
    child = undefined;

    const orphaned = await getCertificate(ns.name, "www");
    expect(orphaned.status?.pendingOrder?.startedAt).toBeDefined();
    expect(orphaned.status?.certificateId).toBeUndefined();

    await env.startOperator();
    const ready = await waitForReady(ns.name, "www", "True");
    expect(env.simulator.purchases()).toHaveLength(1);
    expect(ready.status?.certificateId).toBe(env.simulator.purchases()[0]?.certificateId);
    expect(ready.status?.pendingOrder).toBeUndefined();
    expect((await eventsFor(ns.name, "www")).map((e) => e.reason)).toContain("OrderRecovered");
  });
});

describe("the operator process", () => {
  it("answers /healthz and /readyz, and exits 0 soon after SIGTERM", async () => {
    const port = await freePort();
    const proc = spawnOperator(ns.name, env.simulator, [`--health-addr=127.0.0.1:${port}`]);
    try {
      const ready = await waitFor("/readyz ok", async () => {
        const res = await fetch(`http://127.0.0.1:${port}/readyz`);
        return res.status === 200 ? await res.text() : undefined;
      });
      expect(ready).toBe("ok");
      expect(await (await fetch(`http://127.0.0.1:${port}/healthz`)).text()).toBe("ok");
      const exited = once(proc, "exit") as Promise<[number | null, string | null]>;
      proc.kill("SIGTERM");
      const [code] = await exited;
      expect(code).toBe(0);
    } finally {
      proc.kill("SIGKILL");
    }
  });
});

describe("a status write that fails after the purchase", () => {
  it("keeps the intent and recovers the order without buying again", async () => {
    // An admission policy refuses every status write that records a certificate id on a
    // resource labelled deny-status-id: the operator buys, then cannot write down what it bought.
    const policy = `policy-${ns.name}`;
    const manifests = [
      {
        apiVersion: "admissionregistration.k8s.io/v1",
        kind: "ValidatingAdmissionPolicy",
        metadata: { name: policy },
        spec: {
          failurePolicy: "Fail",
          matchConstraints: {
            resourceRules: [
              {
                apiGroups: ["dnsimple-cert-operator.dev"],
                apiVersions: ["v1alpha1"],
                operations: ["UPDATE"],
                resources: ["dnsimplecertificates/status"],
              },
            ],
          },
          validations: [
            {
              expression:
                "!has(object.metadata.labels) || !('deny-status-id' in object.metadata.labels) || !has(object.status) || !has(object.status.certificateId)",
              message: "status writes with a certificate id are refused for this test",
            },
          ],
        },
      },
      {
        apiVersion: "admissionregistration.k8s.io/v1",
        kind: "ValidatingAdmissionPolicyBinding",
        metadata: { name: policy },
        spec: {
          policyName: policy,
          validationActions: ["Deny"],
          matchResources: {
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ns.name } },
          },
        },
      },
    ];
    for (const manifest of manifests) {
      const applied = await kubectl(["apply", "-f", "-"], undefined, JSON.stringify(manifest));
      expect(applied.stderr).toBe("");
    }
    try {
      // The API server loads policies asynchronously: wait until this one refuses a write.
      await kubectl(
        ["apply", "-f", "-"],
        undefined,
        certificateManifest(
          { name: "probe", namespace: ns.name, labels: { "deny-status-id": "true" } },
          { domain: "example.com", secretName: "probe-tls", credentialsRef: { name: "none" } },
        ),
      );
      await waitFor("the policy in force", async () => {
        const probe = await kubectl([
          "patch",
          "dnscert",
          "probe",
          "-n",
          ns.name,
          "--subresource=status",
          "--type=merge",
          "-p",
          '{"status":{"certificateId":1}}',
          "--dry-run=server",
        ]);
        return probe.stderr.includes("refused for this test") ? true : undefined;
      });
      await env.stopOperator();
      await env.startOperator();
      const before = env.simulator.purchases().length;
      await kubectl(
        ["apply", "-f", "-"],
        undefined,
        certificateManifest(
          { name: "denied", namespace: ns.name, labels: { "deny-status-id": "true" } },
          { domain: "example.com", name: "denied", secretName: "denied-tls" },
        ),
      );
      // Bought, but the id could not be recorded: the intent stays, and retries keep finding
      // the same order (and keep failing to record it) without buying again.
      await waitFor("a purchase", async () =>
        env.simulator.purchases().length > before ? true : undefined,
      );
      const refusals = () =>
        env.operator.logs.filter((l) =>
          l.includes("status writes with a certificate id are refused"),
        ).length;
      await waitFor("two refused status writes", async () => (refusals() >= 2 ? true : undefined));
      const stuck = await getCertificate(ns.name, "denied");
      expect(stuck.status?.pendingOrder).toBeDefined();
      expect(stuck.status?.certificateId).toBeUndefined();
      expect(env.simulator.purchases().length).toBe(before + 1);

      await kubectl(["label", "dnscert", "denied", "-n", ns.name, "deny-status-id-"]);
      const ready = await waitForReady(ns.name, "denied", "True");
      expect(env.simulator.purchases().length).toBe(before + 1);
      expect(ready.status?.certificateId).toBe(env.simulator.purchases().at(-1)?.certificateId);
    } finally {
      for (const kind of ["validatingadmissionpolicybinding", "validatingadmissionpolicy"]) {
        await kubectl(["delete", kind, policy, "--ignore-not-found"]);
      }
    }
  });
});
