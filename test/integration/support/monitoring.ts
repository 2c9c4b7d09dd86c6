// The chart's alert rules and Grafana dashboard as the monitoring tests read them, and the
// metric names a PromQL expression uses (which every test of "the names exist" rests on).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { CHART_DIR, ROOT } from "../../../helm/render.ts";

/** The single source of the alert rules (templates/prometheusrule.yaml embeds it). */
export const RULES_FILE = join(CHART_DIR, "rules", "alerts.yaml");
/** The dashboard the ConfigMap of templates/grafana-dashboard.yaml carries. */
export const DASHBOARD_FILE = join(CHART_DIR, "dashboards", "dnsimple-cert-operator.json");
/** promtool unit tests of the rules as written; rendered/ holds those of a rendering. */
export const ALERT_TESTS_DIR = join(ROOT, "test", "alerts");

export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface RuleGroups {
  groups: Array<{ name: string; rules: AlertRule[] }>;
}

export function readRules(text: string = readFileSync(RULES_FILE, "utf8")): RuleGroups {
  return parse(text) as RuleGroups;
}

export function alertRules(rules: RuleGroups = readRules()): AlertRule[] {
  return rules.groups.flatMap((g) => g.rules);
}

interface Target {
  expr?: string;
  refId: string;
}

interface Panel {
  title: string;
  type: string;
  targets?: Target[];
  panels?: Panel[];
}

interface Variable {
  name: string;
  type: string;
  query?: string | { query: string };
}

export interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: Variable[] };
}

export function readDashboard(text: string = readFileSync(DASHBOARD_FILE, "utf8")): Dashboard {
  return JSON.parse(text) as Dashboard;
}

/** One PromQL query of the dashboard and where it sits (for messages). */
export interface DashboardQuery {
  where: string;
  expr: string;
}

/** Every panel's queries (rows' nested panels too), and the query variables' selectors. */
export function dashboardQueries(dashboard: Dashboard = readDashboard()): DashboardQuery[] {
  const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
  const targets = panels.flatMap((p) =>
    (p.targets ?? []).map((t) => ({ where: `panel "${p.title}" ${t.refId}`, expr: t.expr ?? "" })),
  );
  const variables = dashboard.templating.list
    .filter((v) => v.type === "query")
    .map((v) => ({ where: `variable $${v.name}`, expr: variableSelector(v) }));
  return [...targets, ...variables];
}

/** A query variable's `label_values(selector, label)` is Grafana's, not PromQL: its selector. */
function variableSelector(variable: Variable): string {
  const query = typeof variable.query === "string" ? variable.query : (variable.query?.query ?? "");
  const match = query.match(/^\s*label_values\(\s*(.+?)\s*,\s*[a-zA-Z_]\w*\s*\)\s*$/s);
  if (!match?.[1]) throw new Error(`variable $${variable.name}: not label_values(...): ${query}`);
  return match[1];
}

/** Grafana's variables ($job, $__rate_interval) replaced so the query parses as PromQL. */
export function asPromql(expr: string): string {
  return expr.replaceAll("$__rate_interval", "5m").replaceAll(/\$\{?\w+\}?/g, ".+");
}

// Words that read like names in PromQL but are operators, modifiers or literals.
const KEYWORDS = new Set([
  ...["and", "or", "unless", "bool", "offset", "atan2", "inf", "nan", "start", "end"],
  ...["by", "without", "on", "ignoring", "group_left", "group_right"],
]);

/**
 * The metric names an expression selects. Strings, label matchers ({...}), ranges and
 * subqueries ([...]) and label lists of by/without/on/ignoring/group_left/group_right are cut
 * out first; of what is left, a name followed by "(" is a function or an aggregation, a name
 * glued to a number is a unit or an exponent (5m, 1e3), and the rest are metric names.
 */
export function metricNames(expr: string): string[] {
  const bare = asPromql(expr)
    .replaceAll(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replaceAll(/#[^\n]*/g, "")
    .replaceAll(/\{[^}]*\}/g, " ")
    .replaceAll(/\[[^\]]*\]/g, " ")
    .replaceAll(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ");
  const names = new Set<string>();
  for (const match of bare.matchAll(/(?<![\w:.])([a-zA-Z_:][\w:]*)(\s*\()?/g)) {
    const [, name, call] = match;
    if (name && !call && !KEYWORDS.has(name)) names.add(name);
  }
  return [...names].sort();
}

/** Sample names and TYPE lines of a Prometheus text exposition. */
export function exposition(text: string): { samples: Set<string>; types: Map<string, string> } {
  const samples = new Set<string>();
  const types = new Map<string, string>();
  for (const line of text.split("\n")) {
    const type = line.match(/^# TYPE (\S+) (\S+)$/);
    if (type?.[1] && type[2]) types.set(type[1], type[2]);
    const sample = line.match(/^([a-zA-Z_:][\w:]*)[{ ]/);
    if (sample?.[1]) samples.add(sample[1]);
  }
  return { samples, types };
}
