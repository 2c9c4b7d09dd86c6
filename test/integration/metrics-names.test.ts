// Every metric the chart's alert rules and dashboard name is one a real operator serves: the
// operator in-process against the control plane and the simulator issues a certificate and fails
// another, then its /metrics is scraped and each name parsed out of the rules' and the queries'
// expressions must have samples there (a histogram's _bucket/_sum/_count as Prometheus stores
// them). `up` is Prometheus's own, made by the scrape, so it is the one name not looked for.
import { describe, expect, it } from "vitest";
import { useNamespace, waitFor } from "./support/kube.ts";
import { alertRules, dashboardQueries, exposition, metricNames } from "./support/monitoring.ts";
import { createCertificate, useOperator, waitForReady } from "./support/operator.ts";

const ns = useNamespace("metrics-names");
const TOKEN = "metrics-names-token-3c9a";
const env = useOperator({
  namespace: ns,
  // A delay, so the first pass leaves the certificate Issuing and a later one completes it.
  simulator: { token: TOKEN, accountId: 5150, domains: ["example.com"], issueDelayMs: 300 },
  credentials: { token: TOKEN, accountId: "5150" },
});

/** Made by Prometheus for each scrape target, never served by the target. */
const SCRAPE_SERIES = new Set(["up"]);
const HISTOGRAM_SERIES = /_(bucket|sum|count)$/;

async function scrape(): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${env.operator.metricsPort}/metrics`);
  expect(response.status).toBe(200);
  return response.text();
}

/** Every name the rules and the dashboard use, with where each is used. */
function namesInUse(): Map<string, string[]> {
  const uses = new Map<string, string[]>();
  const expressions = [
    ...alertRules().map((r) => ({ where: `alert ${r.alert}`, expr: r.expr })),
    ...dashboardQueries().map((q) => ({ where: `dashboard ${q.where}`, expr: q.expr })),
  ];
  for (const { where, expr } of expressions) {
    const names = metricNames(expr);
    // An expression without a metric would mean the parser lost it.
    expect(names, `${where}: ${expr}`).not.toEqual([]);
    for (const name of names) uses.set(name, [...(uses.get(name) ?? []), where]);
  }
  return uses;
}

describe("metric names of the alerts and the dashboard", () => {
  it("are parsed out of PromQL: not functions, label lists, matchers, ranges or numbers", () => {
    const expr = `histogram_quantile(0.9, sum by (le, endpoint) (rate(a_seconds_bucket{job=~"$job", x="b_total"}[$__rate_interval])))
      / on (name) group_left (namespace) max without (pod) (b_gauge offset 5m) > 1e3
      unless absent(up{job="j"} == 1) and c:recorded:ratio - time() < 21 * 86400`;
    expect(metricNames(expr)).toEqual(["a_seconds_bucket", "b_gauge", "c:recorded:ratio", "up"]);
  });

  it("name only metrics the operator serves", async () => {
    await createCertificate(ns.name, "www", {
      domain: "example.com",
      secretName: "www-tls",
      credentialsRef: env.credentialsRef,
    });
    // A domain the account lacks: a failure, so the reconcile error series exist too.
    await createCertificate(ns.name, "missing", {
      domain: "not-in-account.com",
      secretName: "missing-tls",
      credentialsRef: env.credentialsRef,
    });
    await waitForReady(ns.name, "www", "True");
    await waitForReady(ns.name, "missing", "False", "DomainNotFound");
    // The issuance is observed at the end of the pass that wrote the Secret.
    const text = await waitFor("the issuance in the latency histogram", async () => {
      const body = await scrape();
      return /^dnsimple_cert_operator_certificate_issuance_duration_seconds_count [1-9]/m.test(body)
        ? body
        : undefined;
    });
    const { samples, types } = exposition(text);
    const uses = namesInUse();
    const missing = [...uses]
      .filter(([name]) => !SCRAPE_SERIES.has(name) && !samples.has(name))
      .map(([name, where]) => `${name} (${where.join(", ")})`);
    expect(missing, "named by the rules or the dashboard, not in /metrics").toEqual([]);
    for (const name of uses.keys()) {
      if (HISTOGRAM_SERIES.test(name)) {
        expect(types.get(name.replace(HISTOGRAM_SERIES, "")), name).toBe("histogram");
      }
    }
    // The rules and the dashboard between them name the metrics the issue asks about.
    expect([...uses.keys()]).toEqual(
      expect.arrayContaining([
        "dnsimple_cert_operator_certificate_ready_status",
        "dnsimple_cert_operator_certificate_expiration_timestamp_seconds",
        "dnsimple_cert_operator_certificate_issuance_duration_seconds_bucket",
        "dnsimple_cert_operator_dnsimple_requests_total",
        "dnsimple_cert_operator_dnsimple_rate_limit_remaining",
        "dnsimple_cert_operator_reconcile_errors_total",
        "dnsimple_cert_operator_workqueue_depth",
        "dnsimple_cert_operator_leader_election_status",
        "up",
      ]),
    );
  });
});
