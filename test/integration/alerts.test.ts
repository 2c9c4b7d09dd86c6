// The chart's alert rules checked by Prometheus's own tool: `promtool check rules` on the rules
// file (the one the PrometheusRule embeds), `promtool test rules` on the synthetic series of
// test/alerts/ (each alert firing and not firing), the same for the rules as the chart renders
// them with other values, and every dashboard query parsed as PromQL. promtool is built from the
// Prometheus Go module (src/localcluster/tools/prometheus) on first use.
import { execFile } from "node:child_process";
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { binary } from "../../src/localcluster/binaries.ts";
import { only, render } from "./support/chart.ts";
import {
  ALERT_TESTS_DIR,
  alertRules,
  asPromql,
  dashboardQueries,
  RULES_FILE,
  type RuleGroups,
} from "./support/monitoring.ts";

interface Run {
  code: number;
  output: string;
}

let promtoolPath: string;

function promtool(args: string[], cwd: string = ALERT_TESTS_DIR): Promise<Run> {
  return new Promise((resolve) => {
    execFile(promtoolPath, args, { cwd }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

/** The promtool test files of one folder (not its subfolders). */
function testFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .sort();
}

interface AlertTestFile {
  tests: Array<{
    alert_rule_test?: Array<{ alertname: string; exp_alerts?: unknown[] }>;
  }>;
}

/** For each alert name: whether some test expects it to fire, and some expects it quiet. */
function coverage(files: string[]): Map<string, { fires: boolean; quiet: boolean }> {
  const seen = new Map<string, { fires: boolean; quiet: boolean }>();
  for (const file of files) {
    const parsed = parse(readFileSync(join(ALERT_TESTS_DIR, file), "utf8")) as AlertTestFile;
    for (const check of parsed.tests.flatMap((t) => t.alert_rule_test ?? [])) {
      const entry = seen.get(check.alertname) ?? { fires: false, quiet: false };
      if ((check.exp_alerts ?? []).length > 0) entry.fires = true;
      else entry.quiet = true;
      seen.set(check.alertname, entry);
    }
  }
  return seen;
}

beforeAll(async () => {
  // A fresh clone builds it here (a few minutes on two cores), then it is cached.
  promtoolPath = await binary("promtool");
}, 30 * 60_000);

describe("promtool", () => {
  it("is the release tools/prometheus/go.mod pins", async () => {
    const run = await promtool(["--version"]);
    expect(run.output).toMatch(/^promtool, version 3\.16\.0 /);
  });
});

describe("the alert rules", () => {
  it("pass promtool check rules", async () => {
    const run = await promtool(["check", "rules", RULES_FILE]);
    expect(run.code, run.output).toBe(0);
    expect(run.output).toContain(`SUCCESS: ${alertRules().length} rules found`);
  });

  it("pass promtool test rules on the synthetic series of test/alerts", async () => {
    const files = testFiles(ALERT_TESTS_DIR);
    expect(files.length).toBeGreaterThan(0);
    const run = await promtool(["test", "rules", ...files]);
    expect(run.code, run.output).toBe(0);
    expect(run.output).not.toContain("FAILED");
    expect(run.output.match(/SUCCESS/g)).toHaveLength(files.length);
  });

  it("each have a test that fires them and one that keeps them quiet", () => {
    const seen = coverage(testFiles(ALERT_TESTS_DIR));
    for (const { alert } of alertRules()) {
      expect(seen.get(alert), `${alert} in test/alerts`).toEqual({ fires: true, quiet: true });
    }
    // And no test names an alert the rules do not have (promtool would only see it never fire).
    expect([...seen.keys()].sort()).toEqual(
      alertRules()
        .map((r) => r.alert)
        .sort(),
    );
  });

  it("follow the chart's values when rendered: the expiry days, the job, the runbook links", async () => {
    const manifests = await render({
      prometheusRule: {
        enabled: true,
        expiryWarningDays: 7,
        job: "operators-metrics",
        runbookBaseUrl: "https://docs.example.com/dnsimple-cert-operator/",
      },
    });
    const rule = only<{ spec: RuleGroups }>(manifests, "PrometheusRule");
    const dir = mkdtempSync(join(tmpdir(), "rendered-alerts-"));
    writeFileSync(join(dir, "alerts.yaml"), stringify(rule.spec));
    const renderedTests = join(ALERT_TESTS_DIR, "rendered");
    const files = testFiles(renderedTests);
    for (const file of files) copyFileSync(join(renderedTests, file), join(dir, file));
    const check = await promtool(["check", "rules", "alerts.yaml"], dir);
    expect(check.code, check.output).toBe(0);
    const run = await promtool(["test", "rules", ...files], dir);
    expect(run.code, run.output).toBe(0);
    expect(run.output.match(/SUCCESS/g)).toHaveLength(files.length);
  });
});

describe("the dashboard's queries", () => {
  it("parse as PromQL (each one a recording rule for promtool check rules)", async () => {
    const queries = dashboardQueries();
    expect(queries.length).toBeGreaterThan(10);
    const rules = {
      groups: [
        {
          name: "dashboard",
          rules: queries.map((q, i) => ({
            record: `dashboard:query_${i}`,
            expr: asPromql(q.expr),
          })),
        },
      ],
    };
    const dir = mkdtempSync(join(tmpdir(), "dashboard-queries-"));
    writeFileSync(join(dir, "queries.yaml"), stringify(rules));
    const run = await promtool(["check", "rules", "queries.yaml"], dir);
    expect(
      run.code,
      `${run.output}\n${queries.map((q) => `${q.where}: ${q.expr}`).join("\n")}`,
    ).toBe(0);
  });
});
