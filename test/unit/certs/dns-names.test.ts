// The names a spec asks for, the way DNSimple derives them (and the simulator issues them),
// and the exact comparison with a certificate's names.
import { describe, expect, it } from "vitest";
import {
  type CertificateNamesSpec,
  compareDnsNames,
  DomainNameRequiredError,
  expectedDnsNames,
  sameDnsNames,
} from "../../../src/certs/dns-names.ts";
import { subjectAltNamesFor } from "../../../src/simulator/certificate-names.ts";

describe("expectedDnsNames", () => {
  it.each<{ title: string; spec: CertificateNamesSpec; expected: string[] }>([
    {
      title: "www covers the apex and www",
      spec: { domain: "example.com", name: "www" },
      expected: ["example.com", "www.example.com"],
    },
    {
      title: "* is the wildcard",
      spec: { domain: "example.com", name: "*" },
      expected: ["*.example.com"],
    },
    {
      title: "a custom name is that name under the domain",
      spec: { domain: "example.com", name: "api" },
      expected: ["api.example.com"],
    },
    {
      title: "a custom name of two labels",
      spec: { domain: "example.com", name: "eu.api" },
      expected: ["eu.api.example.com"],
    },
    {
      title: "an empty name is the apex",
      spec: { domain: "example.com", name: "" },
      expected: ["example.com"],
    },
    {
      title: "alternate names follow",
      spec: {
        domain: "example.com",
        name: "api",
        alternateNames: ["docs.example.com", "status.example.com"],
      },
      expected: ["api.example.com", "docs.example.com", "status.example.com"],
    },
    {
      title: "upper case, final dots and whitespace are normalised",
      spec: { domain: "Example.COM.", name: "WWW", alternateNames: [" Docs.Example.com. "] },
      expected: ["example.com", "www.example.com", "docs.example.com"],
    },
    {
      title: "duplicates appear once",
      spec: {
        domain: "example.com",
        name: "www",
        alternateNames: ["EXAMPLE.com", "www.example.com", "docs.example.com", "docs.example.com"],
      },
      expected: ["example.com", "www.example.com", "docs.example.com"],
    },
    {
      title: "a wildcard and the apex as alternate name",
      spec: { domain: "example.com", name: "*", alternateNames: ["example.com"] },
      expected: ["*.example.com", "example.com"],
    },
  ])("$title", ({ spec, expected }) => {
    expect(expectedDnsNames(spec)).toEqual(expected);
  });

  it.each([
    ["www", []],
    ["*", []],
    ["api", ["docs.example.com", "status.example.com"]],
  ] as const)("agrees with the names the simulator issues for %s %j", (name, alternateNames) => {
    expect(expectedDnsNames({ domain: "example.com", name, alternateNames })).toEqual(
      subjectAltNamesFor(name, "example.com", alternateNames),
    );
  });

  it.each(["101", " ", ""])("needs the domain's name, not an id: %j", (domain) => {
    expect(() => expectedDnsNames({ domain, name: "www" })).toThrow(DomainNameRequiredError);
  });
});

describe("compareDnsNames", () => {
  it.each<{
    title: string;
    expected: string[];
    actual: string[];
    missing: string[];
    unexpected: string[];
  }>([
    {
      title: "the same names in another order and case",
      expected: ["example.com", "www.example.com"],
      actual: ["WWW.example.com", "example.com"],
      missing: [],
      unexpected: [],
    },
    {
      title: "a name missing",
      expected: ["api.example.com", "docs.example.com"],
      actual: ["api.example.com"],
      missing: ["docs.example.com"],
      unexpected: [],
    },
    {
      title: "a name too many",
      expected: ["api.example.com"],
      actual: ["api.example.com", "www.example.com"],
      missing: [],
      unexpected: ["www.example.com"],
    },
    {
      title: "a wildcard does not stand in for a name it would match",
      expected: ["www.example.com"],
      actual: ["*.example.com"],
      missing: ["www.example.com"],
      unexpected: ["*.example.com"],
    },
    {
      title: "a name does not stand in for the wildcard",
      expected: ["*.example.com"],
      actual: ["www.example.com"],
      missing: ["*.example.com"],
      unexpected: ["www.example.com"],
    },
    {
      title: "the apex is not covered by the wildcard",
      expected: ["*.example.com", "example.com"],
      actual: ["*.example.com"],
      missing: ["example.com"],
      unexpected: [],
    },
    {
      title: "duplicates in the certificate count once",
      expected: ["a.example.com"],
      actual: ["a.example.com", "A.example.com.", "b.example.com", "b.example.com"],
      missing: [],
      unexpected: ["b.example.com"],
    },
    {
      title: "no names at all",
      expected: ["a.example.com"],
      actual: [],
      missing: ["a.example.com"],
      unexpected: [],
    },
  ])("$title", ({ expected, actual, missing, unexpected }) => {
    expect(compareDnsNames(expected, actual)).toEqual({ missing, unexpected });
    expect(sameDnsNames(expected, actual)).toBe(missing.length === 0 && unexpected.length === 0);
  });
});
