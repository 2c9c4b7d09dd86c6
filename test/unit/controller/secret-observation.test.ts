// observeSecret's verdict on a Secret's certificate by table: an expired server certificate
// is still usable (the one to renew: decide() sees its notAfter), anything else wrong is not;
// and when status's record of the last full check stands in for checking again.
import type { V1Secret } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import type { DnsimpleCertificateStatus } from "../../../src/api/v1alpha1.ts";
import { assembleBundle, type TlsSecretData } from "../../../src/certs/bundle.ts";
import { observeSecret } from "../../../src/controller/secret-observation.ts";
import { recordOf } from "../../../src/controller/verified-secret.ts";
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

describe("observeSecret with status's record of the last full check", () => {
  const checked = {
    ...secretOf(good),
    metadata: { ...secretOf(good).metadata, resourceVersion: "41" },
  };
  const full = observeSecret(resource(), checked, NOW);
  /** The status a pass that observed `full` writes: the facts and the record (status.ts). */
  const recorded: DnsimpleCertificateStatus = {
    commonName: full.commonName,
    alternateNames: full.dnsNames,
    notBefore: full.notBefore?.toISOString(),
    notAfter: full.notAfter?.toISOString(),
    serialNumber: full.serialNumber,
    verifiedSecret: recordOf("www-tls", full),
  };
  const garbage = { tlsCrt: "garbage", tlsKey: "garbage" };
  const atVersion = (data: TlsSecretData, resourceVersion: string, name = "www-tls"): V1Secret => {
    const secret = secretOf(data);
    return { ...secret, metadata: { ...secret.metadata, name, resourceVersion } };
  };
  const validFrom = recorded.verifiedSecret ? new Date(recorded.verifiedSecret.validFrom) : NOW;
  const validUntil = recorded.verifiedSecret ? new Date(recorded.verifiedSecret.validUntil) : NOW;

  it("a full check of a valid version yields the record: that version, every certificate's common time", () => {
    expect(full.usable).toBe(true);
    expect(full.verified?.resourceVersion).toBe("41");
    expect(recorded.verifiedSecret).toEqual({
      name: "www-tls",
      resourceVersion: "41",
      validFrom: www.leaf.notBefore.toISOString(),
      validUntil: www.leaf.notAfter.toISOString(),
      keyAlgorithm: "ECDSA",
    });
  });

  it("the version recorded, inside its time: what status says, equal to what a full check finds", () => {
    const fromStatus = observeSecret(resource({}, recorded), checked, NOW);
    expect(fromStatus).toEqual(full);
  });

  // Garbage at the recorded version proves the record was trusted (no check would pass it):
  // a version is one content, so the API server never shows garbage at a checked version.
  it.each<[string, DnsimpleCertificateStatus, V1Secret, Date, boolean]>([
    ["the recorded version: trusted", recorded, atVersion(garbage, "41"), NOW, true],
    [
      "at the first instant of its time: trusted",
      recorded,
      atVersion(garbage, "41"),
      validFrom,
      true,
    ],
    [
      "at the last instant of its time: trusted",
      recorded,
      atVersion(garbage, "41"),
      validUntil,
      true,
    ],
    ["another version: checked in full", recorded, atVersion(garbage, "42"), NOW, false],
    [
      "another Secret name: checked in full",
      recorded,
      atVersion(garbage, "41", "other-tls"),
      NOW,
      false,
    ],
    [
      "past its time: checked in full",
      recorded,
      atVersion(garbage, "41"),
      new Date(validUntil.getTime() + 1000),
      false,
    ],
    [
      "before its time: checked in full",
      recorded,
      atVersion(garbage, "41"),
      new Date(validFrom.getTime() - 1000),
      false,
    ],
    [
      "a fact missing beside it: checked in full",
      { ...recorded, notAfter: undefined },
      atVersion(garbage, "41"),
      NOW,
      false,
    ],
    [
      "no record: checked in full",
      { ...recorded, verifiedSecret: undefined },
      atVersion(garbage, "41"),
      NOW,
      false,
    ],
  ])("%s", (_what, status, secret, now, trusted) => {
    expect(observeSecret(resource({}, status), secret, now).usable).toBe(trusted);
  });

  it("no record of a Secret that is only usable (expired), or that has no version", () => {
    const expired = observeSecret(resource(), checked, expiredAt);
    expect(expired.usable).toBe(true);
    expect(expired.verified).toBeUndefined();
    expect(recordOf("www-tls", expired)).toBeUndefined();
    expect(observeSecret(resource(), secretOf(good), NOW).verified).toBeUndefined();
  });
});
