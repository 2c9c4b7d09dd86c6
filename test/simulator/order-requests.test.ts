// Names, plans and order bodies: the pure rules behind the order endpoints.
import { describe, expect, it } from "vitest";
import {
  commonNameFor,
  isValidCertificateName,
  isValidHostname,
  subjectAltNamesFor,
} from "../../src/simulator/certificate-names.ts";
import { ApiError } from "../../src/simulator/errors.ts";
import { parseOrderRequest, parseRenewalRequest } from "../../src/simulator/order-requests.ts";
import { planIdentifier, planRefusal } from "../../src/simulator/plans.ts";

describe("certificate names", () => {
  it.each([
    ["www", "www.example.com", ["example.com", "www.example.com"]],
    ["*", "*.example.com", ["*.example.com"]],
    ["api", "api.example.com", ["api.example.com"]],
    ["a.b", "a.b.example.com", ["a.b.example.com"]],
  ])("%s gives CN %s and SANs %j", (name, commonName, subjectAltNames) => {
    expect(commonNameFor(name, "example.com")).toBe(commonName);
    expect(subjectAltNamesFor(name, "example.com", [])).toEqual(subjectAltNames);
  });

  it("adds alternate names as SANs, once each", () => {
    expect(
      subjectAltNamesFor("www", "example.com", ["docs.example.com", "www.example.com"]),
    ).toEqual(["example.com", "www.example.com", "docs.example.com"]);
  });

  it.each(["www", "*", "api", "api-2", "a.b"])("%j is a valid name", (name) => {
    expect(isValidCertificateName(name)).toBe(true);
  });

  it.each(["", "-api", "api-", "a..b", "*.api", "a b", "ä", "x".repeat(64)])(
    "%j is not a valid name",
    (name) => {
      expect(isValidCertificateName(name)).toBe(false);
    },
  );

  it("allows a leading wildcard label in hostnames only when asked", () => {
    expect(isValidHostname("*.example.com", { allowWildcard: true })).toBe(true);
    expect(isValidHostname("*.example.com", { allowWildcard: false })).toBe(false);
    expect(isValidHostname("a.*.example.com", { allowWildcard: true })).toBe(false);
  });
});

describe("plans", () => {
  it("names DNSimple's plan identifiers", () => {
    expect(planIdentifier("professional")).toBe("dnsimple-professional");
  });

  it("lets a personal plan have only the default www certificate", () => {
    expect(planRefusal("personal", { name: "www", alternateNames: [] })).toBeUndefined();
    expect(planRefusal("personal", { name: "api", alternateNames: [] })).toMatch(/custom name/);
    expect(planRefusal("personal", { name: "*", alternateNames: [] })).toMatch(/wildcard/);
    expect(planRefusal("personal", { name: "www", alternateNames: ["a.example.com"] })).toMatch(
      /alternate names/,
    );
  });

  it.each(["professional", "enterprise"] as const)("lets %s have everything", (plan) => {
    expect(planRefusal(plan, { name: "*", alternateNames: ["a.example.com"] })).toBeUndefined();
  });
});

describe("parseOrderRequest", () => {
  it("fills in DNSimple's defaults for absent and null fields", () => {
    const defaults = {
      name: "www",
      alternateNames: [],
      autoRenew: false,
      signatureAlgorithm: "ECDSA",
    };
    expect(parseOrderRequest(undefined, "example.com")).toEqual(defaults);
    expect(parseOrderRequest({}, "example.com")).toEqual(defaults);
    expect(
      parseOrderRequest(
        { name: null, alternate_names: null, auto_renew: null, signature_algorithm: null },
        "example.com",
      ),
    ).toEqual(defaults);
  });

  it("reads every field, lowercasing and de-duplicating names", () => {
    expect(
      parseOrderRequest(
        {
          name: "API",
          alternate_names: ["Docs.Example.com", "docs.example.com", "*.apps.example.com"],
          auto_renew: true,
          signature_algorithm: "RSA",
          unknown_field: 1,
        },
        "example.com",
      ),
    ).toEqual({
      name: "api",
      alternateNames: ["docs.example.com", "*.apps.example.com"],
      autoRenew: true,
      signatureAlgorithm: "RSA",
    });
  });

  it("reports every invalid field at once, as DNSimple's validation errors", () => {
    let error: unknown;
    try {
      parseOrderRequest(
        { name: 7, alternate_names: ["other.org"], signature_algorithm: "ecdsa" },
        "example.com",
      );
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      status: 400,
      message: "Validation failed",
      errors: {
        name: ["must be a string"],
        alternate_names: ["`other.org` does not belong to the domain `example.com`"],
        signature_algorithm: ["must be ECDSA or RSA"],
      },
    });
  });

  it.each([[[]], ["text"], [42]])("refuses a body that is not an object: %j", (body) => {
    expect(() => parseOrderRequest(body, "example.com")).toThrow(/JSON object/);
  });
});

describe("parseRenewalRequest", () => {
  it("reads auto_renew and signature_algorithm with their defaults", () => {
    expect(parseRenewalRequest(undefined)).toEqual({
      autoRenew: false,
      signatureAlgorithm: "ECDSA",
    });
    expect(parseRenewalRequest({ auto_renew: true, signature_algorithm: "RSA" })).toEqual({
      autoRenew: true,
      signatureAlgorithm: "RSA",
    });
    expect(() => parseRenewalRequest({ auto_renew: 1 })).toThrow(ApiError);
  });
});
