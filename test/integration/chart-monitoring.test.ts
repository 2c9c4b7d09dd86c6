// The chart's monitoring switches, rendered only (a PrometheusRule needs the Prometheus
// Operator's CRD, which the test control plane does not have): off by default and then nothing;
// on, a PrometheusRule whose rules are rules/alerts.yaml as written (the file promtool tests)
// but for the values it substitutes, and a ConfigMap for Grafana's sidecar holding the
// dashboard's JSON; helm lint with both on; wrong values and a rules file without the literals
// the template substitutes refused.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { V1ConfigMap } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { CHART_DIR, helm } from "../../helm/render.ts";
import { type Manifest, only, render, template, valuesFile } from "./support/chart.ts";
import {
  alertRules,
  DASHBOARD_FILE,
  RULES_FILE,
  type RuleGroups,
  readRules,
} from "./support/monitoring.ts";

const BOTH_ON = { prometheusRule: { enabled: true }, grafanaDashboard: { enabled: true } };
const source = readFileSync(RULES_FILE, "utf8");

interface PrometheusRule extends Manifest {
  spec: RuleGroups;
}

const dashboardMaps = (manifests: Manifest[]) =>
  manifests.filter((m) => m.kind === "ConfigMap" && m.metadata.name.endsWith("-dashboard"));

describe("chart: prometheusRule and grafanaDashboard off (the default)", () => {
  it("renders neither a PrometheusRule nor a dashboard ConfigMap", async () => {
    const manifests = await render({});
    expect(manifests.filter((m) => m.kind === "PrometheusRule")).toEqual([]);
    expect(dashboardMaps(manifests)).toEqual([]);
    expect(manifests.filter((m) => m.metadata.labels?.grafana_dashboard !== undefined)).toEqual([]);
  });
});

describe("chart: prometheusRule.enabled", () => {
  it("renders a PrometheusRule whose rules are rules/alerts.yaml, in the release namespace", async () => {
    const rule = only<PrometheusRule>(await render(BOTH_ON), "PrometheusRule");
    expect(rule.apiVersion).toBe("monitoring.coreos.com/v1");
    expect(rule.metadata).toMatchObject({
      name: "dnsimple-cert-operator",
      namespace: "operators",
      labels: { "app.kubernetes.io/instance": "dnsimple-cert-operator" },
    });
    expect(rule.spec).toEqual(readRules(source));
    expect(alertRules(rule.spec).map((r) => r.alert)).toEqual([
      "DnsimpleCertificateExpirySoon",
      "DnsimpleCertificateNotReady",
      "DnsimpleCertificateRenewalFailing",
      "DnsimpleRateLimitNearlySpent",
      "DnsimpleCertOperatorNoLeader",
      "DnsimpleCertOperatorAbsent",
    ]);
  });

  it("gives every alert a severity, a summary, a description and a runbook link", () => {
    for (const rule of alertRules()) {
      expect(["info", "warning", "critical"], rule.alert).toContain(rule.labels?.severity);
      expect(Object.keys(rule.annotations ?? {}).sort(), rule.alert).toEqual([
        "description",
        "runbook_url",
        "summary",
      ]);
      expect(rule.annotations?.runbook_url).toBe(`docs/alerting.md#${rule.alert.toLowerCase()}`);
    }
  });

  it("substitutes only the expiry days, the job and the runbook base, and names them elsewhere", async () => {
    const rule = only<PrometheusRule>(
      await render(
        {
          prometheusRule: {
            enabled: true,
            namespace: "monitoring",
            labels: { release: "kube-prometheus-stack" },
            annotations: { "example.com/owner": "platform" },
            expiryWarningDays: 10,
            runbookBaseUrl: "https://docs.example.com/certs/",
          },
        },
        { release: "certs" },
      ),
      "PrometheusRule",
    );
    expect(rule.metadata).toMatchObject({
      name: "certs-dnsimple-cert-operator",
      namespace: "monitoring",
      labels: { release: "kube-prometheus-stack", "app.kubernetes.io/instance": "certs" },
      annotations: { "example.com/owner": "platform" },
    });
    const expected = source
      .replace("21 * 86400", "10 * 86400")
      .replace('job="dnsimple-cert-operator-metrics"', 'job="certs-dnsimple-cert-operator-metrics"')
      .replaceAll("docs/alerting.md#", "https://docs.example.com/certs/alerting.md#");
    expect(expected).not.toBe(source);
    expect(rule.spec).toEqual(readRules(expected));
  });

  it("takes the job from prometheusRule.job when Prometheus scrapes the operator otherwise", async () => {
    const rule = only<PrometheusRule>(
      await render({ prometheusRule: { enabled: true, job: "dnsimple" } }),
      "PrometheusRule",
    );
    const absent = alertRules(rule.spec).find((r) => r.alert === "DnsimpleCertOperatorAbsent");
    expect(absent?.expr.trim()).toBe('absent(up{job="dnsimple"} == 1)');
  });

  it("refuses expiry days out of range and a job that would break the PromQL string", async () => {
    for (const prometheusRule of [
      { expiryWarningDays: 0 },
      { expiryWarningDays: "21" },
      { job: 'a"b' },
      { runbookBaseUrl: "docs" },
      { unknown: true },
    ]) {
      const result = await template({ prometheusRule: { enabled: true, ...prometheusRule } });
      expect(result.code, JSON.stringify(prometheusRule)).not.toBe(0);
      expect(result.stderr).toContain("values don't meet the specifications of the schema");
    }
  });

  it("fails to render when rules/alerts.yaml no longer holds a literal it substitutes", async () => {
    const chart = join(mkdtempSync(join(tmpdir(), "chart-rules-")), "dnsimple-cert-operator");
    cpSync(CHART_DIR, chart, { recursive: true });
    writeFileSync(join(chart, "rules", "alerts.yaml"), source.replace("21 * 86400", "1814400"));
    const result = await template({ prometheusRule: { enabled: true } }, { chart });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('rules/alerts.yaml no longer holds "21 * 86400"');
  });
});

describe("chart: grafanaDashboard.enabled", () => {
  const dashboardText = readFileSync(DASHBOARD_FILE, "utf8");

  it("renders a ConfigMap with the sidecar's default label holding the dashboard's JSON", async () => {
    const map = only<V1ConfigMap & Manifest>(
      await render(BOTH_ON),
      "ConfigMap",
      "dnsimple-cert-operator-dashboard",
    );
    expect(map.metadata.namespace).toBe("operators");
    expect(map.metadata.labels).toMatchObject({ grafana_dashboard: "1" });
    const json = map.data?.["dnsimple-cert-operator.json"] ?? "";
    expect(json).toBe(dashboardText.trimEnd());
    const dashboard = JSON.parse(json) as { uid: string; title: string; panels: unknown[] };
    expect(dashboard.uid).toBe("dnsimple-cert-operator");
    expect(dashboard.panels.length).toBeGreaterThan(10);
  });

  it("takes the sidecar's label, the namespace, labels and annotations from values", async () => {
    const map = only<V1ConfigMap & Manifest>(
      await render({
        grafanaDashboard: {
          enabled: true,
          namespace: "grafana",
          label: "grafana.example.com/dashboard",
          labelValue: "certificates",
          labels: { team: "platform" },
          annotations: { grafana_folder: "Certificates" },
        },
      }),
      "ConfigMap",
      "dnsimple-cert-operator-dashboard",
    );
    expect(map.metadata.namespace).toBe("grafana");
    expect(map.metadata.labels).toMatchObject({
      "grafana.example.com/dashboard": "certificates",
      team: "platform",
    });
    expect(map.metadata.labels?.grafana_dashboard).toBeUndefined();
    expect(map.metadata.annotations).toEqual({ grafana_folder: "Certificates" });
  });
});

describe("chart: both switches on", () => {
  it("passes helm lint --strict", async () => {
    const result = await helm(["lint", "--strict", CHART_DIR, "-f", valuesFile(BOTH_ON)]);
    expect(result.code, `${result.stdout}${result.stderr}`).toBe(0);
    expect(result.stdout).toContain("1 chart(s) linted, 0 chart(s) failed");
    expect(result.stdout).not.toMatch(/\[(WARNING|ERROR)\]/);
  });

  it("adds exactly the PrometheusRule and the ConfigMap to the default rendering", async () => {
    const key = (m: Manifest) => `${m.kind}/${m.metadata.namespace ?? ""}/${m.metadata.name}`;
    const before = new Set((await render({})).map(key));
    const added = (await render(BOTH_ON)).map(key).filter((k) => !before.has(k));
    expect(added.sort()).toEqual([
      "ConfigMap/operators/dnsimple-cert-operator-dashboard",
      "PrometheusRule/operators/dnsimple-cert-operator",
    ]);
  });
});
