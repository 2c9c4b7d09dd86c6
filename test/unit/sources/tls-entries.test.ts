// ingressEntries and gatewayEntries by table: what a source asks for, one entry per Secret with
// the hosts it must serve, and each part that gives no entry named as a problem (a BadConfig),
// never skipped in silence. What is not the operator's (HTTP, Passthrough, a ref to another
// kind of object) gives neither. No I/O.
import type { V1Ingress, V1IngressTLS } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import {
  GATEWAY_API_VERSION,
  GATEWAY_KIND,
  type Gateway,
  type GatewayListener,
} from "../../../src/api/gateway.ts";
import {
  gatewayEntries,
  ingressEntries,
  type SourceEntries,
} from "../../../src/sources/tls-entries.ts";

/** Ingress `web/shop` with these tls entries. */
function ingress(tls: V1IngressTLS[] | undefined): V1Ingress {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: { name: "shop", namespace: "web", uid: "ing-1" },
    spec: { ...(tls ? { tls } : {}), rules: [{ host: "www.example.com" }] },
  };
}

/** Gateway `web/edge` with these listeners. */
function gateway(listeners: GatewayListener[]): Gateway {
  return {
    apiVersion: GATEWAY_API_VERSION,
    kind: GATEWAY_KIND,
    metadata: { name: "edge", namespace: "web", uid: "gw-1" },
    spec: { gatewayClassName: "example", listeners },
  };
}

/** A terminating HTTPS listener on 443 for `hostname`, its certificate in Secret `secret`. */
function https(name: string, hostname: string | undefined, secret: string): GatewayListener {
  return {
    name,
    ...(hostname !== undefined ? { hostname } : {}),
    port: 443,
    protocol: "HTTPS",
    tls: { mode: "Terminate", certificateRefs: [{ kind: "Secret", name: secret }] },
  };
}

const entries = (
  list: [string, string[]][],
  ...problems: string[]
): { entries: SourceEntries["entries"]; problems: string[] } => ({
  entries: list.map(([secretName, hosts]) => ({ secretName, hosts })),
  problems,
});

/** Expected: exactly these entries; one problem per substring, each containing it. */
function expectEntries(actual: SourceEntries, expected: ReturnType<typeof entries>): void {
  expect(actual.entries).toStrictEqual(expected.entries);
  expect(actual.problems).toHaveLength(expected.problems.length);
  expected.problems.forEach((part, i) => {
    expect(actual.problems[i]).toContain(part);
  });
}

describe("ingressEntries", () => {
  const rows: [string, V1IngressTLS[] | undefined, ReturnType<typeof entries>][] = [
    ["no tls: no entries, no problem", undefined, entries([])],
    ["an empty tls list: no entries, no problem", [], entries([])],
    [
      "one entry",
      [{ hosts: ["www.example.com"], secretName: "www-tls" }],
      entries([["www-tls", ["www.example.com"]]]),
    ],
    [
      "two entries: one each, in order",
      [
        { hosts: ["www.example.com", "example.com"], secretName: "www-tls" },
        { hosts: ["api.example.com"], secretName: "api-tls" },
      ],
      entries([
        ["www-tls", ["www.example.com", "example.com"]],
        ["api-tls", ["api.example.com"]],
      ]),
    ],
    [
      "two entries naming one Secret: merged into one entry",
      [
        { hosts: ["api.example.com"], secretName: "shared-tls" },
        { hosts: ["docs.example.com"], secretName: "other-tls" },
        { hosts: ["blog.example.com", "api.example.com"], secretName: "shared-tls" },
      ],
      entries([
        ["shared-tls", ["api.example.com", "blog.example.com"]],
        ["other-tls", ["docs.example.com"]],
      ]),
    ],
    [
      "an entry without secretName: a problem naming its index, the others kept",
      [{ hosts: ["www.example.com"], secretName: "www-tls" }, { hosts: ["api.example.com"] }],
      entries([["www-tls", ["www.example.com"]]], "spec.tls[1] names no secretName"),
    ],
    [
      "a secretName of blanks: a problem",
      [{ hosts: ["api.example.com"], secretName: "  " }],
      entries([], "spec.tls[0] names no secretName"),
    ],
    [
      "an entry without hosts: a problem naming its Secret",
      [{ secretName: "default-tls" }],
      entries([], "spec.tls for Secret default-tls names no hosts"),
    ],
    [
      "an entry whose hosts are all blank: a problem",
      [{ hosts: ["", " "], secretName: "blank-tls" }],
      entries([], "Secret blank-tls names no hosts"),
    ],
    [
      "an entry without hosts merged with one with hosts: the hosts serve",
      [{ secretName: "www-tls" }, { hosts: ["www.example.com"], secretName: "www-tls" }],
      entries([["www-tls", ["www.example.com"]]]),
    ],
    [
      "hosts normalised (case, final dot) and without duplicates, in order",
      [
        {
          hosts: ["WWW.Example.com.", "api.example.com", "www.example.com", "API.example.com"],
          secretName: "www-tls",
        },
      ],
      entries([["www-tls", ["www.example.com", "api.example.com"]]]),
    ],
    [
      "several problems at once, in order",
      [{ hosts: ["a.example.com"] }, { secretName: "empty-tls", hosts: [] }],
      entries([], "spec.tls[0] names no secretName", "Secret empty-tls names no hosts"),
    ],
  ];
  it.each(rows)("%s", (_why, tls, expected) => {
    expectEntries(ingressEntries(ingress(tls)), expected);
  });
});

describe("gatewayEntries", () => {
  const rows: [string, GatewayListener[], ReturnType<typeof entries>][] = [
    ["no listeners: no entries", [], entries([])],
    [
      "an HTTPS listener",
      [https("web", "www.example.com", "www-tls")],
      entries([["www-tls", ["www.example.com"]]]),
    ],
    [
      "a TLS listener that terminates",
      [
        {
          name: "db",
          hostname: "db.example.com",
          port: 5432,
          protocol: "TLS",
          tls: { mode: "Terminate", certificateRefs: [{ name: "db-tls" }] },
        },
      ],
      entries([["db-tls", ["db.example.com"]]]),
    ],
    [
      "HTTPS and TLS listeners with their own Secrets: an entry each, in order",
      [
        https("web", "www.example.com", "www-tls"),
        {
          name: "db",
          hostname: "db.example.com",
          port: 5432,
          protocol: "TLS",
          tls: { certificateRefs: [{ name: "db-tls" }] },
        },
      ],
      entries([
        ["www-tls", ["www.example.com"]],
        ["db-tls", ["db.example.com"]],
      ]),
    ],
    [
      "tls.mode absent: Terminate, the default",
      [
        {
          name: "web",
          hostname: "www.example.com",
          port: 443,
          protocol: "HTTPS",
          tls: { certificateRefs: [{ name: "www-tls" }] },
        },
      ],
      entries([["www-tls", ["www.example.com"]]]),
    ],
    [
      "two listeners sharing a Secret: one entry with both hostnames",
      [
        https("web", "www.example.com", "shared-tls"),
        https("api", "api.example.com", "shared-tls"),
      ],
      entries([["shared-tls", ["www.example.com", "api.example.com"]]]),
    ],
    [
      "two listeners of one hostname (two ports) and one Secret: the host once",
      [
        https("web", "www.example.com", "www-tls"),
        { ...https("alt", "WWW.example.com", "www-tls"), port: 8443 },
      ],
      entries([["www-tls", ["www.example.com"]]]),
    ],
    [
      "an HTTP listener is ignored",
      [
        { name: "http", hostname: "www.example.com", port: 80, protocol: "HTTP" },
        https("web", "api.example.com", "api-tls"),
      ],
      entries([["api-tls", ["api.example.com"]]]),
    ],
    [
      "a Passthrough TLS listener is ignored (it holds no certificate)",
      [
        {
          name: "pass",
          hostname: "db.example.com",
          port: 443,
          protocol: "TLS",
          tls: { mode: "Passthrough" },
        },
      ],
      entries([]),
    ],
    [
      "a ref to a Secret of another namespace: a problem, no entry",
      [
        {
          ...https("web", "www.example.com", "unused"),
          tls: { certificateRefs: [{ name: "www-tls", namespace: "certs" }] },
        },
      ],
      entries(
        [],
        "listener web names Secret certs/www-tls: the operator writes certificates only into the Gateway's own namespace",
      ),
    ],
    [
      "a ref naming the Gateway's own namespace: an entry",
      [
        {
          ...https("web", "www.example.com", "unused"),
          tls: { certificateRefs: [{ name: "www-tls", namespace: "web" }] },
        },
      ],
      entries([["www-tls", ["www.example.com"]]]),
    ],
    [
      "a ref of another kind is ignored, the listener's Secret ref kept",
      [
        {
          ...https("web", "www.example.com", "unused"),
          tls: {
            certificateRefs: [
              { group: "", kind: "ConfigMap", name: "bundle" },
              { group: "", kind: "Secret", name: "www-tls" },
            ],
          },
        },
      ],
      entries([["www-tls", ["www.example.com"]]]),
    ],
    [
      "a ref of another group is ignored: no entry, no problem",
      [
        {
          ...https("web", "www.example.com", "unused"),
          tls: {
            certificateRefs: [{ group: "secrets.example.io", kind: "Secret", name: "vault-tls" }],
          },
        },
      ],
      entries([]),
    ],
    [
      "a listener without hostname: a problem naming it",
      [https("any", undefined, "any-tls"), https("web", "www.example.com", "www-tls")],
      entries([["www-tls", ["www.example.com"]]], "listener any has no hostname"),
    ],
    [
      "a listener without hostname sharing a Secret: the others' hosts serve it",
      [https("any", undefined, "shared-tls"), https("web", "www.example.com", "shared-tls")],
      entries([["shared-tls", ["www.example.com"]]], "listener any has no hostname"),
    ],
    [
      "a listener without any certificateRefs: nothing to do",
      [{ name: "web", hostname: "www.example.com", port: 443, protocol: "HTTPS", tls: {} }],
      entries([]),
    ],
    [
      "a wildcard hostname, normalised",
      [https("wild", "*.Example.com", "wild-tls")],
      entries([["wild-tls", ["*.example.com"]]]),
    ],
  ];
  it.each(rows)("%s", (_why, listeners, expected) => {
    expectEntries(gatewayEntries(gateway(listeners)), expected);
  });
});
