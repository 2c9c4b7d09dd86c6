// secret-outputs.ts by table: which extra keys a spec wants, and why the keys a Secret holds are
// (or are not) still right for its certificate. The keys are real (built by src/formats, read
// back with the password); what OpenSSL and keytool make of them is test/unit/formats'.
import { beforeAll, describe, expect, it } from "vitest";
import type { DnsimpleCertificateSpec, Keystores } from "../../../src/api/v1alpha1.ts";
import type { TlsSecretData } from "../../../src/certs/bundle.ts";
import {
  buildOutputs,
  heldOutputsStale,
  type KeystorePasswords,
  wantedOutputKeys,
} from "../../../src/controller/secret-outputs.ts";
import { type Chain, makeChain } from "../formats/consumers.ts";

const base: DnsimpleCertificateSpec = {
  domain: "example.com",
  name: "www",
  signatureAlgorithm: "ECDSA",
  autoRenew: false,
  secretName: "www-tls",
  secretDeletionPolicy: "Retain",
};
const ref = { name: "pw", key: "password" };
const both: Keystores = {
  pkcs12: { create: true, passwordSecretRef: ref },
  jks: { create: true, passwordSecretRef: ref },
};
const spec = (extra: Partial<DnsimpleCertificateSpec>): DnsimpleCertificateSpec => ({
  ...base,
  ...extra,
});
const passwords: KeystorePasswords = { pkcs12: "p12-pass-1", jks: "jks-pass-1" };

describe("wantedOutputKeys", () => {
  it.each<[string, Partial<DnsimpleCertificateSpec>, boolean, string[]]>([
    ["nothing asked for", {}, true, []],
    [
      "both formats",
      { additionalOutputFormats: [{ type: "DER" }, { type: "CombinedPEM" }] },
      false,
      ["tls-combined.pem", "key.der"],
    ],
    [
      "both keystores with a root: the truststores too",
      { keystores: both },
      true,
      ["keystore.p12", "truststore.p12", "keystore.jks", "truststore.jks"],
    ],
    [
      "both keystores, no root: no truststore",
      { keystores: both },
      false,
      ["keystore.p12", "keystore.jks"],
    ],
    [
      "create: false writes nothing",
      { keystores: { jks: { create: false, passwordSecretRef: ref } } },
      true,
      [],
    ],
  ])("%s", (_what, extra, hasCa, keys) => {
    expect(wantedOutputKeys(spec(extra), hasCa)).toEqual(keys);
  });
});

describe("heldOutputsStale", () => {
  let chain: Chain;
  let other: Chain;
  let tls: TlsSecretData;
  let held: Record<string, Buffer>;
  const all = spec({
    additionalOutputFormats: [{ type: "CombinedPEM" }, { type: "DER" }],
    keystores: both,
  });
  beforeAll(async () => {
    [chain, other] = await Promise.all([makeChain("ECDSA"), makeChain("ECDSA")]);
    tls = { tlsCrt: chain.tlsCrt, tlsKey: chain.tlsKey, caCrt: chain.caCrt };
    held = await buildOutputs(all, tls, passwords);
  });

  it("keys built for the certificate are right, though a rebuild would differ in bytes", async () => {
    expect(await heldOutputsStale(all, tls, held, passwords)).toBeUndefined();
    const again = await buildOutputs(all, tls, passwords);
    expect(again["keystore.p12"]?.equals(held["keystore.p12"] ?? Buffer.alloc(0))).toBe(false);
    expect(again["tls-combined.pem"]).toEqual(held["tls-combined.pem"]);
  });

  it("nothing asked for and nothing held: right", async () => {
    expect(await heldOutputsStale(base, tls, {}, {})).toBeUndefined();
  });

  it.each<
    [
      string,
      () => Promise<
        [DnsimpleCertificateSpec, Record<string, Buffer>, KeystorePasswords, TlsSecretData?]
      >,
      RegExp,
    ]
  >([
    [
      "a key asked for is missing",
      async () => [all, without(held, "key.der"), passwords],
      /^key\.der missing$/,
    ],
    [
      "a key no longer asked for is held",
      async () => [spec({ keystores: both }), held, passwords],
      /tls-combined\.pem, key\.der no longer asked for/,
    ],
    [
      "the PKCS#12 password changed",
      async () => [all, held, { ...passwords, pkcs12: "new-pass-2" }],
      /^keystore\.p12: it does not open/,
    ],
    [
      "the JKS password changed",
      async () => [all, held, { ...passwords, jks: "new-pass-2" }],
      /^keystore\.jks: it does not open/,
    ],
    [
      "the profile changed",
      async () => [
        spec({
          ...all,
          keystores: {
            ...both,
            pkcs12: { create: true, profile: "LegacyDES", passwordSecretRef: ref },
          },
        }),
        held,
        passwords,
      ],
      /^keystore\.p12: it is of profile Modern2023$/,
    ],
    [
      "the certificate was renewed (another key and chain)",
      async () => [
        all,
        held,
        passwords,
        { tlsCrt: other.tlsCrt, tlsKey: other.tlsKey, caCrt: chain.caCrt },
      ],
      /^tls-combined\.pem: it is not tls\.key followed by tls\.crt$/,
    ],
    [
      "a keystore of another certificate under the same password",
      async () => {
        const foreign = await buildOutputs(
          all,
          { tlsCrt: other.tlsCrt, tlsKey: other.tlsKey, caCrt: chain.caCrt },
          passwords,
        );
        return [
          all,
          { ...held, "keystore.jks": foreign["keystore.jks"] ?? Buffer.alloc(0) },
          passwords,
        ];
      },
      /^keystore\.jks: it holds another private key$/,
    ],
    [
      "a truststore of another root",
      async () => {
        const foreign = await buildOutputs(all, { ...tls, caCrt: other.caCrt }, passwords);
        return [
          all,
          { ...held, "truststore.p12": foreign["truststore.p12"] ?? Buffer.alloc(0) },
          passwords,
        ];
      },
      /^truststore\.p12: it holds other trusted certificates$/,
    ],
    [
      "garbage where a keystore should be",
      async () => [all, { ...held, "keystore.p12": Buffer.from("not a keystore") }, passwords],
      /^keystore\.p12: it does not open/,
    ],
  ])("%s: stale", async (_what, situation, why) => {
    const [wanted, keys, pw, data] = await situation();
    expect(await heldOutputsStale(wanted, data ?? tls, keys, pw)).toMatch(why);
  });

  it("never names a password in what it says", async () => {
    const why = await heldOutputsStale(all, tls, held, {
      pkcs12: "secret-pass-3",
      jks: "secret-pass-3",
    });
    expect(why).toBeDefined();
    expect(why).not.toContain("secret-pass-3");
  });
});

function without(keys: Record<string, Buffer>, key: string): Record<string, Buffer> {
  const { [key]: _dropped, ...rest } = keys;
  return rest;
}
