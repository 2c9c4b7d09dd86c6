// The Secret cache keeps only what decisions read, whatever a labelled Secret carries.
import type { V1Secret } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import {
  keepWhatDecisionsRead,
  MAX_CACHED_TLS_BYTES,
  otherTlsWriters,
} from "../../../src/controller/secret-cache.ts";
import { FIELD_MANAGER } from "../../../src/kube/secrets.ts";

function labelled(data: Record<string, string>): V1Secret {
  return {
    metadata: {
      name: "www-tls",
      namespace: "web",
      labels: { "dnsimple-cert-operator.dev/managed": "true" },
      managedFields: [
        { manager: FIELD_MANAGER, operation: "Apply" },
        { manager: "kubectl", operation: "Update" },
      ],
    },
    data,
  };
}

describe("keepWhatDecisionsRead", () => {
  it("keeps tls.crt, tls.key and ca.crt and the operator's managedFields only", () => {
    const secret = labelled({
      "tls.crt": "Y3J0",
      "tls.key": "a2V5",
      "ca.crt": "Y2E=",
      big: "eA==",
    });
    keepWhatDecisionsRead(secret);
    expect(secret.data).toEqual({ "tls.crt": "Y3J0", "tls.key": "a2V5", "ca.crt": "Y2E=" });
    expect(secret.metadata?.managedFields?.map((f) => f.manager)).toEqual([FIELD_MANAGER]);
  });

  it("drops a bundle larger than any real one: it reads as holding no certificate", () => {
    const huge = "A".repeat(MAX_CACHED_TLS_BYTES);
    const secret = labelled({ "tls.crt": huge, "tls.key": "a2V5" });
    keepWhatDecisionsRead(secret);
    expect(secret.data).toEqual({});
  });

  it("keeps a bundle just under the bound", () => {
    const crt = "A".repeat(MAX_CACHED_TLS_BYTES - 4);
    const secret = labelled({ "tls.crt": crt, "tls.key": "a2V5" });
    keepWhatDecisionsRead(secret);
    expect(Object.keys(secret.data ?? {})).toEqual(["tls.crt", "tls.key"]);
  });

  it("keeps of another manager only that it writes tls.crt or tls.key", () => {
    const secret = labelled({ "tls.crt": "Y3J0", "tls.key": "a2V5" });
    secret.metadata?.managedFields?.push({
      manager: "tenant-tool",
      operation: "Apply",
      fieldsV1: { "f:data": { "f:tls.crt": {}, "f:other": {} }, "f:metadata": { "f:labels": {} } },
    });
    keepWhatDecisionsRead(secret);
    expect(secret.metadata?.managedFields?.map((f) => f.manager)).toEqual([
      FIELD_MANAGER,
      "tenant-tool",
    ]);
    expect(secret.metadata?.managedFields?.[1]?.fieldsV1).toEqual({
      "f:data": { "f:tls.crt": {} },
    });
    expect(otherTlsWriters(secret)).toEqual(["tenant-tool"]);
  });

  it("the operator alone writing tls.*: no other writers", () => {
    const secret = labelled({ "tls.crt": "Y3J0" });
    keepWhatDecisionsRead(secret);
    expect(otherTlsWriters(secret)).toEqual([]);
  });
});
