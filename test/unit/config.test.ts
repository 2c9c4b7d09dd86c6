// parseConfig by table: flags over environment over defaults, and a refusal that says what to
// write for each kind of bad value. USAGE lists every flag of the FLAGS table.
import { describe, expect, it } from "vitest";
import { FLAGS, type OperatorConfig, parseConfig, USAGE } from "../../src/config.ts";

const env = { POD_NAMESPACE: "operators" };

describe("parseConfig", () => {
  it("fills every default from the one table", () => {
    const config = parseConfig([], env);
    expect(config).toMatchObject({
      dnsimpleBaseUrl: "https://api.dnsimple.com",
      pollIntervalMs: 2_000,
      resyncIntervalMs: 600_000,
      leaderElect: false,
      logLevel: "info",
    } satisfies Partial<OperatorConfig>);
    expect(config.leaderElection.namespace).toBe("operators");
    expect(config.webhook).toBeUndefined();
    expect(config.dnsimpleToken).toBeUndefined();
  });

  const taken: [string, string[], NodeJS.ProcessEnv, Partial<OperatorConfig>][] = [
    ["a flag", ["--poll-interval", "5s"], {}, { pollIntervalMs: 5_000 }],
    ["a flag with =", ["--concurrency=8"], {}, { concurrency: 8 }],
    ["the environment", [], { RESYNC_INTERVAL: "1m" }, { resyncIntervalMs: 60_000 }],
    [
      "a flag over the environment",
      ["--log-level", "debug"],
      { LOG_LEVEL: "warn" },
      { logLevel: "debug" },
    ],
    [
      "an empty value counts as not given",
      [],
      { DNSIMPLE_TOKEN: "" },
      { dnsimpleToken: undefined },
    ],
    ["a boolean flag", ["--leader-elect", "true"], {}, { leaderElect: true }],
    ["the account id", ["--dnsimple-account-id", "1010"], {}, { dnsimpleAccountId: "1010" }],
    ["one namespace", ["--watch-namespace", "web"], {}, { watchNamespaces: ["web"] }],
    [
      "a list of namespaces, once each",
      ["--watch-namespace", "web, shop,web"],
      {},
      { watchNamespaces: ["web", "shop"] },
    ],
    [
      "the default ClusterDnsimpleIssuer",
      [],
      { DEFAULT_CLUSTER_ISSUER: "dnsimple" },
      { defaultClusterIssuer: "dnsimple" },
    ],
    [
      "the ClusterDnsimpleIssuers' Secret namespace, $POD_NAMESPACE by default",
      [],
      {},
      { clusterResourceNamespace: "operators" },
    ],
    [
      "the auto-renewal pickup: DNSimple's 30-day window, one look an hour, polling on",
      [],
      {},
      {
        autoRenewalWindowMs: 30 * 86_400_000,
        autoRenewalIntervalMs: 3_600_000,
        autoRenewalPolling: true,
      },
    ],
    [
      "polling off with the webhook receiver",
      [
        "--auto-renewal-polling=false",
        "--webhook-addr=:8443",
        "--webhook-token=0123456789abcdef",
        "--auto-renewal-interval=15m",
      ],
      {},
      { autoRenewalPolling: false, autoRenewalIntervalMs: 900_000 },
    ],
  ];
  it.each(taken)("takes %s", (_what, argv, extra, expected) => {
    expect(parseConfig(argv, { ...env, ...extra })).toMatchObject(expected);
  });

  const refused: [string, string[], NodeJS.ProcessEnv, RegExp][] = [
    ["a base URL that is not one", ["--dnsimple-base-url", "api"], {}, /write a URL like/],
    ["a non-numeric account id", ["--dnsimple-account-id", "me"], {}, /numeric account id/],
    ["zero workers", ["--concurrency", "0"], {}, /from 1 to 64/],
    ["an unknown log level", ["--log-level", "loud"], {}, /write trace, debug/],
    ["a duration without a unit", ["--poll-interval", "5"], {}, /--poll-interval "5"/],
    ["a webhook without a token", ["--webhook-addr", ":8443"], {}, /needs --webhook-token/],
    [
      "auto-renewal polling off without the webhook receiver",
      ["--auto-renewal-polling", "false"],
      {},
      /--auto-renewal-polling=false needs --webhook-addr/,
    ],
    [
      "lease timings out of order",
      ["--lease-duration", "5s", "--renew-deadline", "10s"],
      {},
      /must exceed --renew-deadline/,
    ],
    ["an unknown flag", ["--colour"], {}, /colour/],
    [
      "a namespace that is not a name",
      ["--watch-namespace", "web,Shop"],
      {},
      /"Shop" is not a namespace/,
    ],
  ];
  it.each(refused)("refuses %s, saying what to write", (_what, argv, extra, message) => {
    expect(() => parseConfig(argv, { ...env, ...extra })).toThrow(message);
  });
});

describe("USAGE", () => {
  it("lists every flag of the table with its environment variable", () => {
    for (const flag of FLAGS) {
      expect(USAGE).toContain(`--${flag.name}`);
      expect(USAGE).toContain(flag.env);
    }
  });
});
