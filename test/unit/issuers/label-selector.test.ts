// selectorMatches by table: metav1.LabelSelector matching as the API server does it (every
// matchLabels pair and every matchExpressions requirement must hold). An issuer's policy decides
// with it which namespaces a ClusterDnsimpleIssuer serves and which may adopt, so a selector
// that matches too much hands a tenant another's token. No I/O.
import type { V1LabelSelector } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { selectorMatches } from "../../../src/issuers/label-selector.ts";

const team = { team: "a", env: "prod" };

describe("selectorMatches", () => {
  const rows: [string, V1LabelSelector, Record<string, string>, boolean][] = [
    ["empty selector: matches labels", {}, team, true],
    ["empty selector: matches no labels", {}, {}, true],
    [
      "empty matchLabels and matchExpressions: matches all",
      { matchLabels: {}, matchExpressions: [] },
      {},
      true,
    ],
    ["matchLabels: the pair is there", { matchLabels: { team: "a" } }, team, true],
    ["matchLabels: every pair is there", { matchLabels: { team: "a", env: "prod" } }, team, true],
    ["matchLabels: another value", { matchLabels: { team: "b" } }, team, false],
    ["matchLabels: the key is missing", { matchLabels: { tier: "web" } }, team, false],
    [
      "matchLabels: one pair of two is missing",
      { matchLabels: { team: "a", env: "dev" } },
      team,
      false,
    ],
    ["matchLabels: values compare exactly (case)", { matchLabels: { team: "A" } }, team, false],
    ["matchLabels: no labels at all", { matchLabels: { team: "a" } }, {}, false],
    [
      "In: the value is listed",
      { matchExpressions: [{ key: "team", operator: "In", values: ["b", "a"] }] },
      team,
      true,
    ],
    [
      "In: the value is not listed",
      { matchExpressions: [{ key: "team", operator: "In", values: ["b", "c"] }] },
      team,
      false,
    ],
    [
      "In: the key is missing",
      { matchExpressions: [{ key: "tier", operator: "In", values: ["a"] }] },
      team,
      false,
    ],
    [
      "In: no values matches nothing",
      { matchExpressions: [{ key: "team", operator: "In", values: [] }] },
      team,
      false,
    ],
    [
      "NotIn: the value is not listed",
      { matchExpressions: [{ key: "team", operator: "NotIn", values: ["b"] }] },
      team,
      true,
    ],
    [
      "NotIn: the value is listed",
      { matchExpressions: [{ key: "team", operator: "NotIn", values: ["b", "a"] }] },
      team,
      false,
    ],
    [
      "NotIn: the key is missing (as the API server: matches)",
      { matchExpressions: [{ key: "tier", operator: "NotIn", values: ["a"] }] },
      team,
      true,
    ],
    [
      "Exists: the key is there",
      { matchExpressions: [{ key: "team", operator: "Exists" }] },
      team,
      true,
    ],
    [
      "Exists: an empty value is there too",
      { matchExpressions: [{ key: "team", operator: "Exists" }] },
      { team: "" },
      true,
    ],
    [
      "Exists: the key is missing",
      { matchExpressions: [{ key: "tier", operator: "Exists" }] },
      team,
      false,
    ],
    [
      "DoesNotExist: the key is missing",
      { matchExpressions: [{ key: "tier", operator: "DoesNotExist" }] },
      team,
      true,
    ],
    [
      "DoesNotExist: the key is there",
      { matchExpressions: [{ key: "team", operator: "DoesNotExist" }] },
      team,
      false,
    ],
    [
      "every requirement must hold: both do",
      {
        matchExpressions: [
          { key: "team", operator: "In", values: ["a"] },
          { key: "env", operator: "Exists" },
        ],
      },
      team,
      true,
    ],
    [
      "every requirement must hold: one does not",
      {
        matchExpressions: [
          { key: "team", operator: "In", values: ["a"] },
          { key: "env", operator: "DoesNotExist" },
        ],
      },
      team,
      false,
    ],
    [
      "matchLabels and matchExpressions: both hold",
      {
        matchLabels: { team: "a" },
        matchExpressions: [{ key: "env", operator: "NotIn", values: ["dev"] }],
      },
      team,
      true,
    ],
    [
      "matchLabels and matchExpressions: the labels fail",
      {
        matchLabels: { team: "b" },
        matchExpressions: [{ key: "env", operator: "NotIn", values: ["dev"] }],
      },
      team,
      false,
    ],
    [
      "matchLabels and matchExpressions: the expression fails",
      {
        matchLabels: { team: "a" },
        matchExpressions: [{ key: "env", operator: "In", values: ["dev"] }],
      },
      team,
      false,
    ],
    [
      "an unknown operator matches nothing",
      { matchExpressions: [{ key: "team", operator: "Equals", values: ["a"] }] },
      team,
      false,
    ],
    [
      "an unknown operator matches nothing, even with an empty value list",
      { matchExpressions: [{ key: "tier", operator: "exists" }] },
      {},
      false,
    ],
    // A label key may be the name of an Object property: only the namespace's own keys count.
    [
      "constructor Exists, no such label",
      { matchExpressions: [{ key: "constructor", operator: "Exists" }] },
      team,
      false,
    ],
    [
      "toString DoesNotExist, no such label",
      { matchExpressions: [{ key: "toString", operator: "DoesNotExist" }] },
      team,
      true,
    ],
    [
      "valueOf In [x], no such label",
      { matchExpressions: [{ key: "valueOf", operator: "In", values: ["x"] }] },
      team,
      false,
    ],
    [
      "hasOwnProperty in matchLabels, no such label",
      { matchLabels: { hasOwnProperty: "x" } },
      team,
      false,
    ],
  ];
  it.each(rows)("%s", (_why, selector, labels, expected) => {
    expect(selectorMatches(selector, labels)).toBe(expected);
  });
});
