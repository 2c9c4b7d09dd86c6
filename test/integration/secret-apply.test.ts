// The TLS Secret's server-side apply on a real API server: what the refresh and write steps
// rely on (steps/secret-apply.ts). An apply made over the version its data was read from is a 409
// once someone wrote the Secret since, and leaves their bytes; a ca.crt another manager set
// survives an apply that leaves it out, and is taken over only by an apply that sets it.
import { PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { KubeApiError } from "../../src/kube/errors.ts";
import { applyTlsSecret, type TlsSecretApply, tlsDataOf } from "../../src/kube/secrets.ts";
import { core, useNamespace } from "./support/kube.ts";

const ns = useNamespace("secret-apply");

function tlsSecret(name: string, content: TlsSecretApply["content"]): TlsSecretApply {
  return {
    namespace: ns.name,
    name,
    content,
    labels: { "dnsimple-cert-operator.dev/managed": "true" },
    annotations: {},
  };
}

/** Another field manager's server-side apply of data keys (base64 values). */
async function applyAsOther(name: string, data: Record<string, string>): Promise<void> {
  await core().patchNamespacedSecret(
    {
      namespace: ns.name,
      name,
      body: { apiVersion: "v1", kind: "Secret", metadata: { name }, data },
      fieldManager: "someone-else",
      force: true,
    },
    setHeaderOptions("Content-Type", PatchStrategy.ServerSideApply),
  );
}

const b64 = (text: string) => Buffer.from(text).toString("base64");

describe("the TLS Secret's server-side apply", () => {
  it("over a version someone wrote past is a 409 that leaves their bytes", async () => {
    const first = await applyTlsSecret(
      core(),
      tlsSecret("pre", { "tls.crt": "a", "tls.key": "k" }),
    );
    const read = first.metadata?.resourceVersion;
    expect(read).toBeDefined();
    await applyAsOther("pre", { "tls.crt": b64("theirs") });

    const stale = applyTlsSecret(core(), {
      ...tlsSecret("pre", { "tls.crt": "a", "tls.key": "k" }),
      resourceVersion: read,
    });
    await expect(stale).rejects.toSatisfy((err) => err instanceof KubeApiError && err.conflict);
    const kept = await core().readNamespacedSecret({ namespace: ns.name, name: "pre" });
    expect(tlsDataOf(kept).tlsCrt).toBe("theirs");

    // Over the version it now is: written.
    const current = kept.metadata?.resourceVersion;
    const written = await applyTlsSecret(core(), {
      ...tlsSecret("pre", { "tls.crt": "b", "tls.key": "k" }),
      resourceVersion: current,
    });
    expect(tlsDataOf(written).tlsCrt).toBe("b");
  });

  it("keeps another manager's ca.crt when it is left out; set empty, takes it; left out again, removes it", async () => {
    await applyTlsSecret(core(), tlsSecret("ca", { "tls.crt": "a", "tls.key": "k" }));
    await applyAsOther("ca", { "ca.crt": b64("forged root") });

    const leftOut = await applyTlsSecret(
      core(),
      tlsSecret("ca", { "tls.crt": "b", "tls.key": "k" }),
    );
    expect(tlsDataOf(leftOut).caCrt).toBe("forged root");

    const taken = await applyTlsSecret(
      core(),
      tlsSecret("ca", { "tls.crt": "b", "tls.key": "k", "ca.crt": "" }),
    );
    expect(taken.data?.["ca.crt"]).toBe("");
    expect(tlsDataOf(taken).caCrt).toBeUndefined();

    const again = await applyTlsSecret(core(), tlsSecret("ca", { "tls.crt": "c", "tls.key": "k" }));
    expect(again.data).not.toHaveProperty("ca.crt");
  });
});
