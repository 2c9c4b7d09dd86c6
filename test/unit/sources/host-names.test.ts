// certificateNamesFor, domainOfHosts and invalidHosts by table: from an entry's hosts to one
// DNSimple certificate (its domain, name and alternate names), or the reason none can serve
// them, which the source's Warning shows (so every such row checks the message's key part).
// The mapping rows are those of the issue (www.example.com or example.com -> "www", a wildcard
// -> "*", anything else -> its label, further hosts -> alternate names). No I/O.
import { describe, expect, it } from "vitest";
import { expectedDnsNames } from "../../../src/certs/dns-names.ts";
import {
  type CertificateNames,
  certificateNamesFor,
  domainOfHosts,
  invalidHosts,
  type NamesRequest,
  spansDomains,
} from "../../../src/sources/host-names.ts";

type NamesExpected = { names: CertificateNames } | { unserviceable: string[] };

const names = (name: string, alternateNames: string[] = [], domain = "example.com") => ({
  names: { domain, name, alternateNames },
});
/** Unserviceable, the message containing each part. */
const refused = (...parts: string[]) => ({ unserviceable: parts });

const inExample = (...hosts: string[]): NamesRequest => ({ hosts, domain: "example.com" });

/** `count` hosts host0.example.com, host1.example.com, ... */
const manyHosts = (count: number) =>
  Array.from({ length: count }, (_, i) => `host${i}.example.com`);

const nameRows: [string, NamesRequest, NamesExpected][] = [
  // The mapping.
  ["www.example.com: the name www", inExample("www.example.com"), names("www")],
  ["example.com: the name www (it covers both)", inExample("example.com"), names("www")],
  [
    "example.com and www.example.com: www, no alternate names",
    inExample("example.com", "www.example.com"),
    names("www"),
  ],
  [
    "www.example.com and example.com: www, no alternate names",
    inExample("www.example.com", "example.com"),
    names("www"),
  ],
  ["*.example.com: the name *", inExample("*.example.com"), names("*")],
  ["api.example.com: the name api", inExample("api.example.com"), names("api")],
  [
    "api.example.com and docs.example.com: api, docs as an alternate name",
    inExample("api.example.com", "docs.example.com"),
    names("api", ["docs.example.com"]),
  ],
  ["a.b.example.com: the name a.b", inExample("a.b.example.com"), names("a.b")],
  [
    "*.example.com and api.example.com: * (api is covered, dropped)",
    inExample("*.example.com", "api.example.com"),
    names("*"),
  ],
  [
    "api.example.com and *.example.com: * whichever comes first",
    inExample("api.example.com", "*.example.com"),
    names("*"),
  ],
  [
    "*.example.com and example.com: *, the apex an alternate name",
    inExample("*.example.com", "example.com"),
    names("*", ["example.com"]),
  ],
  [
    "the hosts normalised: upper case, final dot, duplicates",
    inExample("API.Example.com.", "api.example.com", "Docs.EXAMPLE.com"),
    names("api", ["docs.example.com"]),
  ],
  ["the domain normalised", { hosts: ["api.example.com"], domain: "Example.COM." }, names("api")],
  [
    "a host in a subdomain that is itself the DNSimple domain",
    { hosts: ["a.shop.example.com"], domain: "shop.example.com" },
    names("a", [], "shop.example.com"),
  ],
  [
    "a wildcard of a subdomain that is the DNSimple domain",
    { hosts: ["*.shop.example.com"], domain: "shop.example.com" },
    names("*", [], "shop.example.com"),
  ],
  // What one DNSimple certificate cannot be.
  [
    "*.example.com and a.b.example.com: a.b is deeper than the wildcard covers",
    inExample("*.example.com", "a.b.example.com"),
    refused("a.b.example.com", "covers one level below example.com"),
  ],
  [
    "*.api.example.com: a wildcard other than *.<domain>",
    inExample("*.api.example.com"),
    refused("*.api.example.com", "only as *.example.com"),
  ],
  [
    "*.example.com and *.api.example.com: the second wildcard is refused",
    inExample("*.example.com", "*.api.example.com"),
    refused("not *.api.example.com"),
  ],
  [
    "a host outside the domain",
    inExample("api.example.com", "shop.other.org"),
    refused("shop.other.org is not in the DNSimple domain example.com"),
  ],
  [
    "two hosts outside the domain: both named",
    inExample("a.other.org", "b.other.org"),
    refused("a.other.org, b.other.org are not in the DNSimple domain example.com"),
  ],
  [
    "a host that only ends in the domain's letters is outside it",
    inExample("notexample.com"),
    refused("notexample.com is not in the DNSimple domain example.com"),
  ],
  ["no hosts", inExample(), refused("names no hosts")],
  // The account's plan.
  [
    "Personal plan: example.com and www.example.com",
    { ...inExample("example.com", "www.example.com"), plan: "dnsimple-personal" },
    names("www"),
  ],
  [
    "Personal plan: a custom name",
    { ...inExample("api.example.com"), plan: "dnsimple-personal" },
    refused("plan (dnsimple-personal)", "Professional or Enterprise"),
  ],
  [
    "Personal plan: a wildcard",
    { ...inExample("*.example.com"), plan: "dnsimple-personal" },
    refused("plan (dnsimple-personal)"),
  ],
  [
    "Personal plan: the basic names and an alternate name",
    { ...inExample("www.example.com", "api.example.com"), plan: "dnsimple-personal" },
    refused("plan (dnsimple-personal)"),
  ],
  [
    "Professional plan: a custom name and alternate names",
    {
      ...inExample("api.example.com", "docs.example.com"),
      plan: "dnsimple-professional",
    },
    names("api", ["docs.example.com"]),
  ],
  [
    "Professional plan: a wildcard",
    { ...inExample("*.example.com"), plan: "dnsimple-professional" },
    names("*"),
  ],
  ["the plan not known: judged as any plan", inExample("api.example.com"), names("api")],
  // The CRD's limit on alternate names.
  [
    "100 alternate names: the CRD's limit, accepted",
    inExample(...manyHosts(101)),
    names("host0", manyHosts(101).slice(1)),
  ],
  [
    "101 alternate names: more than one certificate holds",
    inExample(...manyHosts(102)),
    refused("102 names are more than", "(101)", "split the hosts"),
  ],
];

describe("certificateNamesFor", () => {
  it.each(nameRows)("%s", (_why, request, expected) => {
    const verdict = certificateNamesFor(request);
    if ("names" in expected) {
      expect(verdict).toStrictEqual({ kind: "names", names: expected.names });
    } else {
      if (verdict.kind !== "unserviceable") {
        throw new Error(`expected unserviceable, got ${JSON.stringify(verdict.names)}`);
      }
      for (const part of expected.unserviceable) expect(verdict.message).toContain(part);
    }
  });
});

// The sync keeps a resource as it is when its hosts are only reordered (see sync-plan.ts: "a
// reordering of hosts buys nothing"); that holds only if the DNS names a set of hosts maps to
// do not depend on the order the source lists them in.
describe("certificateNamesFor: the DNS names do not depend on the hosts' order", () => {
  const rows: [string, string[]][] = [
    ["api and docs", ["api.example.com", "docs.example.com"]],
    ["the apex and www", ["example.com", "www.example.com"]],
    ["a wildcard and the apex", ["*.example.com", "example.com"]],
    ["a wildcard and a host it covers", ["*.example.com", "api.example.com"]],
    ["the apex and a custom name", ["example.com", "api.example.com"]],
    ["www and a custom name", ["www.example.com", "api.example.com"]],
  ];
  const dnsNames = (hosts: string[]) => {
    const verdict = certificateNamesFor(inExample(...hosts));
    if (verdict.kind !== "names") throw new Error(verdict.message);
    return expectedDnsNames(verdict.names).sort();
  };
  it.each(rows)("%s", (_why, hosts) => {
    expect(dnsNames([...hosts].reverse())).toStrictEqual(dnsNames(hosts));
  });
});

type DomainExpected = { domain: string } | { unserviceable: string[] };

const domainRows: [string, string[], string[], DomainExpected][] = [
  [
    "one host, one domain",
    ["www.example.com"],
    ["example.com", "other.org"],
    { domain: "example.com" },
  ],
  ["the apex itself", ["example.com"], ["example.com"], { domain: "example.com" }],
  [
    "the longest domain that holds the host",
    ["a.shop.example.com"],
    ["example.com", "shop.example.com"],
    { domain: "shop.example.com" },
  ],
  [
    "the longest domain, whatever the list's order",
    ["a.shop.example.com"],
    ["shop.example.com", "example.com"],
    { domain: "shop.example.com" },
  ],
  [
    "a host of the shorter domain beside a longer one",
    ["www.example.com"],
    ["shop.example.com", "example.com"],
    { domain: "example.com" },
  ],
  [
    "a wildcard host matched by its base",
    ["*.example.com"],
    ["example.com"],
    { domain: "example.com" },
  ],
  [
    "the account's domain names normalised",
    ["www.example.com"],
    ["Example.COM."],
    { domain: "example.com" },
  ],
  [
    "several hosts of one domain",
    ["api.example.com", "*.example.com", "example.com"],
    ["example.com"],
    { domain: "example.com" },
  ],
  [
    "hosts of two domains: both named, with their hosts",
    ["www.example.com", "www.other.org"],
    ["example.com", "other.org"],
    {
      unserviceable: [
        "2 DNSimple domains",
        "example.com (www.example.com)",
        "other.org (www.other.org)",
      ],
    },
  ],
  [
    "hosts of a domain and of its subdomain that is a domain of its own",
    ["www.example.com", "a.shop.example.com"],
    ["example.com", "shop.example.com"],
    { unserviceable: ["example.com (www.example.com)", "shop.example.com (a.shop.example.com)"] },
  ],
  [
    "a host no domain holds",
    ["www.example.com", "www.unknown.net"],
    ["example.com"],
    { unserviceable: ["no domain of the DNSimple account holds www.unknown.net"] },
  ],
  [
    "notexample.com is not within example.com",
    ["notexample.com"],
    ["example.com"],
    { unserviceable: ["holds notexample.com"] },
  ],
  [
    "www.notexample.com is not within example.com",
    ["www.notexample.com"],
    ["example.com"],
    { unserviceable: ["holds www.notexample.com"] },
  ],
  [
    "an account without domains",
    ["www.example.com"],
    [],
    { unserviceable: ["holds www.example.com", "domain annotation"] },
  ],
];

describe("domainOfHosts", () => {
  it.each(domainRows)("%s", (_why, hosts, domains, expected) => {
    const verdict = domainOfHosts(hosts, domains);
    if ("domain" in expected) {
      expect(verdict).toStrictEqual({ kind: "domain", domain: expected.domain });
    } else {
      if (verdict.kind !== "unserviceable") {
        throw new Error(`expected unserviceable, got domain ${verdict.domain}`);
      }
      for (const part of expected.unserviceable) expect(verdict.message).toContain(part);
    }
  });
});

describe("invalidHosts", () => {
  const rows: [string, string[], string[]][] = [
    ["plain names", ["www.example.com", "example.com", "a.b.example.com"], []],
    ["a wildcard of one level", ["*.example.com"], []],
    ["hyphens and digits inside labels", ["a-1.x2.example.com"], []],
    ["one label", ["localhost"], ["localhost"]],
    ["an underscore", ["foo_bar.example.com"], ["foo_bar.example.com"]],
    ["a bare *", ["*"], ["*"]],
    ["a wildcard not leftmost", ["a.*.example.com"], ["a.*.example.com"]],
    ["a leading hyphen", ["-a.example.com"], ["-a.example.com"]],
    ["a port", ["example.com:443"], ["example.com:443"]],
    ["an IP address", ["10.0.0.1"], ["10.0.0.1"]],
    ["upper case (hosts are normalised first)", ["WWW.example.com"], ["WWW.example.com"]],
    ["an empty label", ["www..example.com"], ["www..example.com"]],
    ["exactly 253 characters", [`${"a.".repeat(125)}com`], []],
    ["longer than 253 characters", [`${"a.".repeat(126)}com`], [`${"a.".repeat(126)}com`]],
    [
      "only the bad ones of several",
      ["www.example.com", "bad_one.example.com", "api.example.com"],
      ["bad_one.example.com"],
    ],
  ];
  it.each(rows)("%s", (_why, hosts, expected) => {
    expect(invalidHosts(hosts)).toStrictEqual(expected);
  });
});

describe("spansDomains: hosts under different last two labels are refused before any list", () => {
  it.each([
    [["www.example.com", "api.example.com"], undefined],
    [["a.shop.example.com", "b.example.com"], undefined],
    [
      ["www.example.com", "www.other.org"],
      "2 domains, example.com (www.example.com) and other.org (www.other.org)",
    ],
    [["*.example.com", "x.example.org"], "2 domains"],
  ] as [string[], string | undefined][])("%j", (hosts, message) => {
    const verdict = spansDomains(hosts);
    if (message === undefined) expect(verdict).toBeUndefined();
    else expect(verdict?.message).toContain(message);
  });
});
