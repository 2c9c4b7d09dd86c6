// The CRD refuses bad specs at `kubectl apply` with a message that says what is wrong, applies
// defaults, and documents every field for `kubectl explain`.
import { describe, expect, it } from "vitest";
import { kubectl, useNamespace } from "./support/kube.ts";
import { certificateManifest } from "./support/operator.ts";

const ns = useNamespace("crd");

const manifest = (name: string, spec: Record<string, unknown>) =>
  certificateManifest({ name, namespace: ns.name }, spec);

const valid = { domain: "example.com", secretName: "example-tls" };

const invalid: [string, Record<string, unknown>, RegExp][] = [
  ["no domain", { secretName: "x-tls" }, /spec\.domain: Required value/],
  ["no secretName", { domain: "example.com" }, /spec\.secretName: Required value/],
  [
    "a domain with capitals",
    { ...valid, domain: "Example.COM" },
    /domain must be a lower-case domain name/,
  ],
  [
    "a domain without a dot",
    { ...valid, domain: "localhost" },
    /domain must be a lower-case domain name/,
  ],
  [
    "a certificate name with a space",
    { ...valid, name: "my api" },
    /name must be "\*" or lower-case DNS labels/,
  ],
  [
    "a wildcard inside a name",
    { ...valid, name: "*.api" },
    /name must be "\*" or lower-case DNS labels/,
  ],
  [
    "an alternate name that is not a DNS name",
    { ...valid, alternateNames: ["docs_example.com"] },
    /every entry of alternateNames must be a lower-case fully qualified DNS/,
  ],
  [
    "an alternate name outside the domain",
    { ...valid, alternateNames: ["docs.example.org"] },
    /every entry of alternateNames must be spec\.domain or a name under it/,
  ],
  [
    "a repeated alternate name",
    { ...valid, alternateNames: ["a.example.com", "a.example.com"] },
    /Duplicate value/,
  ],
  [
    "an unknown signature algorithm",
    { ...valid, signatureAlgorithm: "DSA" },
    /Unsupported value: "DSA"/,
  ],
  [
    "a duration without a unit",
    { ...valid, renewBefore: "720" },
    /renewBefore must be a positive duration/,
  ],
  ["a zero duration", { ...valid, renewBefore: "0h" }, /renewBefore must be a positive duration/],
  [
    "a secretName with capitals",
    { ...valid, secretName: "My_Secret" },
    /secretName must be a valid Secret name/,
  ],
  [
    "a credentialsRef without a name",
    { ...valid, credentialsRef: {} },
    /spec\.credentialsRef\.name: Required value/,
  ],
  [
    "a reserved template label",
    { ...valid, secretTemplate: { labels: { "dnsimple-cert-operator.dev/managed": "x" } } },
    /labels under dnsimple-cert-operator\.dev\/ are reserved/,
  ],
  [
    "a certificate id of zero",
    { ...valid, certificateId: 0 },
    /spec\.certificateId: Invalid value: 0: .*greater than or equal to 1/,
  ],
  ["an unknown field", { ...valid, colour: "blue" }, /unknown field "spec\.colour"/],
  [
    "both credentialsRef and issuerRef",
    { ...valid, credentialsRef: { name: "token" }, issuerRef: { name: "team" } },
    /set spec\.issuerRef or spec\.credentialsRef, not both/,
  ],
  [
    "an issuerRef without a name",
    { ...valid, issuerRef: {} },
    /spec\.issuerRef\.name: Required value/,
  ],
  [
    "an issuerRef of an unknown kind",
    { ...valid, issuerRef: { kind: "Issuer", name: "team" } },
    /Unsupported value: "Issuer"/,
  ],
  [
    "an issuerRef name with capitals",
    { ...valid, issuerRef: { name: "Team_Issuer" } },
    /issuerRef\.name must be a valid object name/,
  ],
  [
    "an unknown output format",
    { ...valid, additionalOutputFormats: [{ type: "PKCS7" }] },
    /Unsupported value: "PKCS7"/,
  ],
  [
    "an output format twice",
    { ...valid, additionalOutputFormats: [{ type: "DER" }, { type: "DER" }] },
    /spec\.additionalOutputFormats\[1\]: Duplicate value/,
  ],
  [
    "a PKCS#12 keystore without a password",
    { ...valid, keystores: { pkcs12: { create: true } } },
    /spec\.keystores\.pkcs12\.passwordSecretRef: Required value/,
  ],
  [
    "a JKS password reference without a key",
    { ...valid, keystores: { jks: { create: true, passwordSecretRef: { name: "pw" } } } },
    /spec\.keystores\.jks\.passwordSecretRef\.key: Required value/,
  ],
  [
    "an unknown PKCS#12 profile",
    {
      ...valid,
      keystores: {
        pkcs12: { create: true, profile: "LegacyRC2", passwordSecretRef: { name: "pw", key: "p" } },
      },
    },
    /Unsupported value: "LegacyRC2"/,
  ],
  [
    "a password reference into another namespace",
    {
      ...valid,
      keystores: {
        jks: { create: true, passwordSecretRef: { name: "pw", key: "p", namespace: "other" } },
      },
    },
    /unknown field "spec\.keystores\.jks\.passwordSecretRef\.namespace"/,
  ],
];

describe("the DnsimpleCertificate CRD", () => {
  it.each(invalid)("refuses %s", async (_what, spec, message) => {
    const result = await kubectl(["apply", "-f", "-"], undefined, manifest("bad", spec));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(message);
  });

  it("accepts a valid spec and fills in the defaults", async () => {
    const applied = await kubectl(["apply", "-f", "-"], undefined, manifest("good", valid));
    expect(applied.stderr).toBe("");
    const got = await kubectl(["get", "dnscert", "good", "-n", ns.name, "-o", "jsonpath={.spec}"]);
    expect(JSON.parse(got.stdout)).toEqual({
      ...valid,
      name: "www",
      signatureAlgorithm: "ECDSA",
      autoRenew: false,
      secretDeletionPolicy: "Retain",
    });
  });

  it("accepts an issuerRef, DnsimpleIssuer by default, and shows it with -o wide", async () => {
    const spec = { ...valid, issuerRef: { name: "team" } };
    const applied = await kubectl(["apply", "-f", "-"], undefined, manifest("with-issuer", spec));
    expect(applied.stderr).toBe("");
    const got = await kubectl([
      "get",
      "dnscert",
      "with-issuer",
      "-n",
      ns.name,
      "-o",
      "jsonpath={.spec.issuerRef}",
    ]);
    expect(JSON.parse(got.stdout)).toEqual({ kind: "DnsimpleIssuer", name: "team" });
    const wide = await kubectl(["get", "dnscert", "with-issuer", "-n", ns.name, "-o", "wide"]);
    expect(wide.stdout).toMatch(/\sISSUER\s/);
    expect(wide.stdout).toMatch(/\steam\s/);
  });

  it("documents every field for kubectl explain", async () => {
    const explain = await kubectl(["explain", "dnsimplecertificates.spec", "--recursive=false"]);
    expect(explain.code).toBe(0);
    for (const field of [
      "domain",
      "name",
      "alternateNames",
      "signatureAlgorithm",
      "autoRenew",
      "renewBefore",
      "secretName",
      "secretTemplate",
      "credentialsRef",
      "issuerRef",
      "certificateId",
      "secretDeletionPolicy",
      "additionalOutputFormats",
      "keystores",
    ]) {
      expect(explain.stdout).toMatch(new RegExp(`^  ${field}\\s+<`, "m"));
    }
    const name = await kubectl(["explain", "dnscert.spec.name"]);
    // kubectl wraps descriptions; compare with whitespace folded.
    const folded = (text: string) => text.replace(/\s+/g, " ");
    expect(folded(name.stdout)).toContain('"www" (the default) covers both the domain itself');
    const status = await kubectl(["explain", "dnscert.status.renewalTime"]);
    expect(folded(status.stdout)).toContain("When the operator will renew");
  });
});
