// observeSecret's verdict on a Secret's certificate by table: an expired server certificate
// is still usable (the one to renew: decide() sees its notAfter), anything else wrong is not.
import type { V1Secret } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { assembleBundle, type TlsSecretData } from "../../../src/certs/bundle.ts";
import { observeSecret } from "../../../src/controller/secret-observation.ts";
import { createAuthority, ISSUED_AT, issueDownload, NOW, VALIDITY_MS } from "../certs/material.ts";
import { resource } from "./fixtures.ts";

const authority = await createAuthority();
const www = await issueDownload(authority, { name: "www", algorithm: "ECDSA" });
const other = await issueDownload(authority, { name: "www", algorithm: "ECDSA" });
const good = assembleBundle(www.download, www.privateKey);
const expiredAt = new Date(ISSUED_AT.getTime() + VALIDITY_MS + 1000);

function secretOf(data: TlsSecretData): V1Secret {
  const base64 = (text: string) => Buffer.from(text).toString("base64");
  return {
    metadata: { name: "www-tls", namespace: "default" },
    type: "kubernetes.io/tls",
    data: { "tls.crt": base64(data.tlsCrt), "tls.key": base64(data.tlsKey) },
  };
}

describe("observeSecret", () => {
  it.each<[string, TlsSecretData, Date, boolean]>([
    ["a valid certificate and its key: usable", good, NOW, true],
    ["the same, expired: still usable (it is renewed, not repaired)", good, expiredAt, true],
    [
      "expired, with another certificate's key: unusable (repaired)",
      { ...good, tlsKey: other.privateKey },
      expiredAt,
      false,
    ],
    ["no certificate at all: unusable", { tlsCrt: "", tlsKey: "" }, NOW, false],
  ])("%s", (_what, data, now, usable) => {
    const observed = observeSecret(resource(), secretOf(data), now);
    expect(observed.usable).toBe(usable);
    if (data.tlsCrt) expect(observed.notAfter?.getTime()).toBeLessThan(expiredAt.getTime());
  });
});
