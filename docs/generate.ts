// The tables in docs/ that are generated from their source, so that none is kept in sync by
// hand: the operator's flags (FLAGS in src/config.ts), the chart's values (values.yaml with its
// `# --` comments, values.schema.json for what is allowed, the Deployment template for which
// flag a value sets) and the metrics (the OperatorMetrics registry). Each table sits between
// two marker comments in its file; everything outside the markers is written by hand.
//
//   npm run docs                  rewrite the tables in place
//   npm run docs -- --check only compare; exit 1 and name the stale tables
//
// test/unit/docs/generated-tables.test.ts fails when a table differs from a fresh render.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { FLAGS, type Flag } from "../src/config.ts";
import { OperatorMetrics } from "../src/observability/metrics.ts";

/** The repository's root folder. */
export const ROOT = join(import.meta.dirname, "..");
const CHART_DIR = join("helm", "dnsimple-cert-operator");

/** One generated table: the file it lives in, its marker name, and how to render it. */
export interface GeneratedTable {
  readonly file: string;
  readonly name: string;
  readonly render: (root: string) => string;
}

/** Every generated table in docs/. */
export const GENERATED_TABLES: readonly GeneratedTable[] = [
  { file: "docs/configuration.md", name: "flags", render: () => flagTable(FLAGS) },
  { file: "docs/configuration.md", name: "chart-values", render: (root) => chartValuesTable(root) },
  { file: "docs/metrics.md", name: "metrics", render: () => metricsTable(new OperatorMetrics()) },
];

// ---------------------------------------------------------------- markers

/** The two comments a generated table sits between. */
export function markers(name: string): { begin: string; end: string } {
  return {
    begin: `<!-- generated:${name} (npm run docs; edit the source, not this table) -->`,
    end: `<!-- end generated:${name} -->`,
  };
}

function markerPositions(text: string, name: string): { from: number; to: number } {
  const { begin, end } = markers(name);
  const start = text.indexOf(begin);
  const to = text.indexOf(end);
  if (start < 0 || to < start) throw new Error(`no markers for the table ${name}`);
  return { from: start + begin.length, to };
}

/** The text between the markers of `name`, without the newlines next to them. */
export function generatedText(text: string, name: string): string {
  const { from, to } = markerPositions(text, name);
  return text.slice(from, to).replace(/^\n/, "").replace(/\n$/, "");
}

/** `text` with the table `name` replaced by `table`. */
export function withGeneratedText(text: string, name: string, table: string): string {
  const { from, to } = markerPositions(text, name);
  return `${text.slice(0, from)}\n${table}\n${text.slice(to)}`;
}

// ---------------------------------------------------------------- markdown

/** A table cell: `|` escaped, and `<` `>` outside code spans (so `<token>` is not HTML). */
export function cell(text: string): string {
  return text
    .split(/(`[^`]*`)/)
    .map((part) =>
      part.startsWith("`") ? part : part.replaceAll("<", "&lt;").replaceAll(">", "&gt;"),
    )
    .join("")
    .replaceAll("|", "\\|")
    .replaceAll("\n", " ");
}

const code = (text: string): string => `\`${text}\``;

const width = (text: string): number => [...text].length;

/**
 * A Markdown table, padded the way Biome formats one (so `npm run lint` stays clean); cells
 * are written as they are (see `cell`).
 */
export function markdownTable(header: readonly string[], rows: readonly string[][]): string {
  const widths = header.map((title, column) =>
    Math.max(3, width(title), ...rows.map((row) => width(row[column] ?? ""))),
  );
  const line = (cells: readonly string[]) =>
    `| ${widths.map((w, column) => (cells[column] ?? "").padEnd(w)).join(" | ")} |`;
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/** A table's cells, trimmed: two tables are the same when these are, whatever the padding. */
export function tableCells(table: string): string[][] {
  return table.split("\n").map((row) =>
    row
      .trim()
      .replace(/^\||\|$/g, "")
      .split(/(?<!\\)\|/)
      .map((text) => text.trim().replace(/^-+$/, "---")),
  );
}

// ---------------------------------------------------------------- flags

/** The operator's flags: one row per flag, in --help order. */
export function flagTable(flags: readonly Flag[]): string {
  const defaultCell = (flag: Flag) =>
    flag.default !== undefined ? code(flag.default) : cell(flag.otherwise ?? "none");
  return markdownTable(
    ["flag", "environment", "default", "type", "what"],
    flags.map((flag) => [
      code(`--${flag.name}`),
      code(flag.env),
      defaultCell(flag),
      flag.type,
      cell(flag.description),
    ]),
  );
}

// ---------------------------------------------------------------- chart values

/** A JSON Schema node, as far as the values table reads it. */
interface SchemaNode {
  type?: string | string[];
  description?: string;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
  $ref?: string;
  oneOf?: SchemaNode[];
  anyOf?: SchemaNode[];
}

/** What the schema's shared definitions mean, in words. */
const DEFINITION_NAMES: Record<string, string> = {
  duration: "duration",
  port: "port 1–65535",
  intOrPercent: "integer or percentage",
  stringMap: "map of strings",
};

function integerRange({ minimum, maximum }: SchemaNode): string {
  if (minimum !== undefined && maximum !== undefined) return `integer ${minimum}–${maximum}`;
  return minimum !== undefined ? `integer ≥ ${minimum}` : "integer";
}

/** What a value may be, from its schema node. */
export function allowedValues(node: SchemaNode): string {
  const ref = node.$ref?.split("/").at(-1);
  if (ref !== undefined) return DEFINITION_NAMES[ref] ?? ref;
  if (node.enum) return node.enum.map((value) => code(String(value))).join(", ");
  const choices = node.oneOf ?? node.anyOf;
  if (choices) return choices.map(allowedValues).join(" or ");
  const type = Array.isArray(node.type) ? node.type.join(" or ") : (node.type ?? "any");
  if (type === "integer") return integerRange(node);
  if (type === "object" && typeof node.additionalProperties === "object") {
    return `map of ${allowedValues(node.additionalProperties)}`;
  }
  return type === "array" ? "list" : type;
}

/** The `# --` comment above each key of values.yaml (helm-docs' convention), by dotted path. */
export function valueComments(valuesYaml: string): Map<string, string> {
  const comments = new Map<string, string>();
  const parents: { indent: number; key: string }[] = [];
  let pending: string[] | undefined;
  for (const line of valuesYaml.split("\n")) {
    const comment = /^\s*#\s?(.*)$/.exec(line)?.[1];
    if (comment !== undefined) {
      if (comment.startsWith("-- ")) pending = [comment.slice(3)];
      else pending?.push(comment);
      continue;
    }
    const key = /^(\s*)([A-Za-z0-9_]+):/.exec(line);
    if (key?.[2] !== undefined) {
      const indent = key[1]?.length ?? 0;
      while ((parents.at(-1)?.indent ?? -1) >= indent) parents.pop();
      const path = [...parents.map((p) => p.key), key[2]].join(".");
      if (pending) comments.set(path, pending.join(" "));
      parents.push({ indent, key: key[2] });
    }
    pending = undefined;
  }
  return comments;
}

const valuesPath = (text: string | undefined): string | undefined =>
  /\.Values\.([\w.]+)/.exec(text ?? "")?.[1];

/** Each line's innermost `with .Values.x` (what `.` means there), following if/with/range … end. */
function withContexts(lines: readonly string[]): (string | undefined)[] {
  const blocks: (string | undefined)[] = [];
  return lines.map((line) => {
    const opens = /\{\{-?\s*(if|with|range)\b(.*?)\}\}/.exec(line);
    if (opens) blocks.push(opens[1] === "with" ? valuesPath(opens[2]) : undefined);
    else if (/\{\{-?\s*end\b/.test(line)) blocks.pop();
    return blocks.findLast((block) => block !== undefined);
  });
}

/** Each line's env entry (`- name: SOME_VARIABLE` and the lines indented below it). */
function envEntries(lines: readonly string[]): (string | undefined)[] {
  let entry: { env: string; indent: number } | undefined;
  return lines.map((line) => {
    const indent = line.search(/\S/);
    const name = /^\s*- name: ([A-Z][A-Z0-9_]*)\s*$/.exec(line)?.[1];
    if (name !== undefined) entry = { env: name, indent };
    else if (entry && indent <= entry.indent) entry = undefined;
    return entry?.env;
  });
}

/** The values a template line reads: `.Values.x`, or `.` inside `with .Values.x`. */
function valuesRead(line: string, context: string | undefined): string[] {
  if (/\{\{-?\s*(if|with|range|end)\b/.test(line)) return [];
  const direct = [...line.matchAll(/\.Values\.([\w.]+)/g)].map((match) => match[1] ?? "");
  return context !== undefined && /\{\{-?\s*\.\s/.test(line) ? [...direct, context] : direct;
}

/**
 * Which environment variable each value reaches, from the Deployment template: the values
 * read in each env entry's lines.
 */
export function valueEnvironment(deploymentTemplate: string): Map<string, string> {
  const lines = deploymentTemplate.split("\n");
  const contexts = withContexts(lines);
  const entries = envEntries(lines);
  const found = new Map<string, string>();
  lines.forEach((line, i) => {
    const env = entries[i];
    if (env === undefined) return;
    for (const path of valuesRead(line, contexts[i])) found.set(path, env);
  });
  return found;
}

/** A default as values.yaml gives it, in YAML's flow style. */
function defaultText(value: unknown): string {
  if (value === "") return code('""');
  return code(stringify(value, { collectionStyle: "flow" }).trim());
}

const isMap = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

interface ValueRow {
  path: string;
  value: unknown;
  schema: SchemaNode;
}

/** The values, one row per leaf; a map is one row when the schema lists no keys for it. */
function valueRows(values: unknown, schema: SchemaNode, prefix = ""): ValueRow[] {
  if (!isMap(values)) return [];
  return Object.entries(values).flatMap(([key, value]) => {
    const path = `${prefix}${key}`;
    const node = schema.properties?.[key] ?? {};
    return isMap(value) && node.properties && Object.keys(value).length > 0
      ? valueRows(value, node, `${path}.`)
      : [{ path, value, schema: node }];
  });
}

/** The chart's files the values table is made from. */
interface ChartSources {
  valuesYaml: string;
  schema: SchemaNode;
  deploymentTemplate: string;
}

function readChart(root: string): ChartSources {
  const read = (file: string) => readFileSync(join(root, CHART_DIR, file), "utf8");
  return {
    valuesYaml: read("values.yaml"),
    schema: JSON.parse(read("values.schema.json")) as SchemaNode,
    deploymentTemplate: read("templates/deployment.yaml"),
  };
}

/** The dotted paths of the chart's values, one per row of the values table. */
export function chartValuePaths(root: string): string[] {
  const { valuesYaml, schema } = readChart(root);
  return valueRows(parse(valuesYaml), schema).map((row) => row.path);
}

/** The chart's values: default, what is allowed, the flag it sets, and what it does. */
export function chartValuesTable(root: string): string {
  const { valuesYaml, schema, deploymentTemplate } = readChart(root);
  const comments = valueComments(valuesYaml);
  const environment = valueEnvironment(deploymentTemplate);
  const flagOf = new Map<string, string>(FLAGS.map((flag) => [flag.env, flag.name]));
  const rows = valueRows(parse(valuesYaml), schema);
  const documented = new Set(rows.map((row) => row.path));
  const stray = [...comments.keys()].filter((path) => !documented.has(path));
  if (stray.length > 0) throw new Error(`values.yaml comments on no table row: ${stray}`);
  return markdownTable(
    ["value", "default", "allowed", "flag", "what"],
    rows.map(({ path, value, schema: node }) => {
      const flag = flagOf.get(environment.get(path) ?? "");
      return [
        code(path),
        defaultText(value),
        cell(allowedValues(node)),
        flag ? `[${code(`--${flag}`)}](#flags)` : "",
        cell(comments.get(path) ?? node.description ?? ""),
      ];
    }),
  );
}

// ---------------------------------------------------------------- metrics

/** The process metrics prom-client adds under the operator's prefix. */
const PROCESS_METRIC = /^dnsimple_cert_operator_(process|nodejs)_/;

/** The operator's own metrics (not the process ones), by name. */
export function metricsTable(metrics: OperatorMetrics): string {
  const own = metrics.registry
    .getMetricsAsArray()
    .filter((metric) => !PROCESS_METRIC.test(metric.name))
    .sort((a, b) => a.name.localeCompare(b.name));
  return markdownTable(
    ["metric", "type", "labels", "what"],
    own.map((metric) => {
      const labels =
        "labelNames" in metric && Array.isArray(metric.labelNames) ? metric.labelNames : [];
      return [
        code(metric.name),
        String(metric.type),
        labels.map(String).join(", "),
        cell(metric.help),
      ];
    }),
  );
}

// ---------------------------------------------------------------- files

/** A table whose text in its file differs from a fresh render. */
export interface StaleTable {
  readonly table: GeneratedTable;
  readonly written: string;
  readonly rendered: string;
}

/** Every generated table whose cells differ from a fresh render's. */
export function staleTables(root: string = ROOT): StaleTable[] {
  return GENERATED_TABLES.flatMap((table) => {
    const written = generatedText(readFileSync(join(root, table.file), "utf8"), table.name);
    const rendered = table.render(root);
    const same = JSON.stringify(tableCells(written)) === JSON.stringify(tableCells(rendered));
    return same ? [] : [{ table, written, rendered }];
  });
}

/** Rewrites every generated table in place; returns the files that changed. */
export function writeTables(root: string = ROOT): string[] {
  const changed = new Set<string>();
  for (const table of GENERATED_TABLES) {
    const path = join(root, table.file);
    const before = readFileSync(path, "utf8");
    const after = withGeneratedText(before, table.name, table.render(root));
    if (after !== before) {
      writeFileSync(path, after);
      changed.add(table.file);
    }
  }
  return [...changed];
}

function main(args: string[]): number {
  if (args.includes("--check")) {
    const stale = staleTables();
    for (const { table } of stale) console.error(`stale: ${table.file} (${table.name})`);
    return stale.length > 0 ? 1 : 0;
  }
  for (const file of writeTables()) console.log(`wrote ${file}`);
  return 0;
}

if (import.meta.main) process.exitCode = main(process.argv.slice(2));
