// The tables in docs/ generated from their source (the flags in src/config.ts, the chart's
// values, the metrics) must equal a fresh render: a flag, value or metric added or changed
// without `npm run docs` fails here, and so does a table edited by hand. With
// UPDATE=1 the test rewrites the tables first (as `npm run docs` does).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import {
  allowedValues,
  cell,
  chartValuePaths,
  GENERATED_TABLES,
  generatedText,
  markers,
  ROOT,
  tableCells,
  valueComments,
  valueEnvironment,
  withGeneratedText,
  writeTables,
} from "../../../docs/generate.ts";
import { FLAGS } from "../../../src/config.ts";

describe("generated tables in docs/", () => {
  beforeAll(() => {
    if (process.env.UPDATE === "1") writeTables();
  });

  it.each(GENERATED_TABLES.map((table) => [`${table.file} (${table.name})`, table] as const))(
    "%s equals a fresh render (run npm run docs after changing its source)",
    (_label, table) => {
      const written = generatedText(readFileSync(join(ROOT, table.file), "utf8"), table.name);
      // Cell by cell: a formatter may pad the columns differently.
      expect(tableCells(written)).toEqual(tableCells(table.render(ROOT)));
    },
  );

  it("documents every flag and every chart value in exactly one table row", () => {
    const rows = markdownFiles().flatMap((file) =>
      readFileSync(join(ROOT, file), "utf8")
        .split("\n")
        .filter((line) => line.startsWith("| `")),
    );
    const names = [...FLAGS.map((flag) => `--${flag.name}`), ...chartValuePaths(ROOT)];
    for (const name of names) {
      const documenting = rows.filter((row) => tableCells(row)[0]?.[0] === `\`${name}\``);
      expect(documenting, name).toHaveLength(1);
    }
  });
});

/** The repository's Markdown outside dependencies and caches. */
function markdownFiles(): string[] {
  const docs = readdirSync(join(ROOT, "docs"), { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".md"))
    .map((file) => join("docs", file));
  return ["README.md", "helm/README.md", "deploy/README.md", "src/simulator/README.md", ...docs];
}

describe("the table machinery", () => {
  const { begin, end } = markers("t");

  it("replaces only the text between the markers", () => {
    const text = `before\n${begin}\nold\n${end}\nafter\n`;
    const replaced = withGeneratedText(text, "t", "new\nrows");
    expect(replaced).toBe(`before\n${begin}\nnew\nrows\n${end}\nafter\n`);
    expect(generatedText(replaced, "t")).toBe("new\nrows");
  });

  it("refuses a file without the markers", () => {
    expect(() => generatedText("no markers here", "t")).toThrow(/no markers for the table t/);
  });

  it("escapes what Markdown would read as a column or HTML, but not inside code spans", () => {
    expect(cell("a|b <token> `<kept>`")).toBe("a\\|b &lt;token&gt; `<kept>`");
  });

  it("reads helm-docs comments by dotted path, continuation lines included", () => {
    const comments = valueComments(
      "# header, not a value\n\n# -- Top.\ntop: 1\nmap:\n  # -- Nested,\n  # on two lines.\n  leaf: x\n  bare: y\n",
    );
    expect(Object.fromEntries(comments)).toEqual({
      top: "Top.",
      "map.leaf": "Nested, on two lines.",
    });
  });

  it("finds the flag each value sets through the Deployment's env entries", () => {
    const template = [
      "env:",
      "  - name: POLL_INTERVAL",
      "    value: {{ .Values.pollInterval | quote }}",
      "  {{- with .Values.watchNamespace }}",
      "  - name: WATCH_NAMESPACE",
      "    value: {{ . | quote }}",
      "  {{- end }}",
      "  {{- if .Values.webhook.enabled }}",
      "  - name: WEBHOOK_ADDR",
      '    value: {{ printf ":%d" (int .Values.webhook.port) | quote }}',
      "  {{- end }}",
      "ports:",
      "  - containerPort: {{ .Values.metrics.port }}",
    ].join("\n");
    expect(Object.fromEntries(valueEnvironment(template))).toEqual({
      pollInterval: "POLL_INTERVAL",
      watchNamespace: "WATCH_NAMESPACE",
      "webhook.port": "WEBHOOK_ADDR",
    });
  });

  it("says what the schema allows", () => {
    expect(allowedValues({ type: "integer", minimum: 1, maximum: 64 })).toBe("integer 1–64");
    expect(allowedValues({ enum: ["a", "b"] })).toBe("`a`, `b`");
    expect(allowedValues({ $ref: "#/$defs/port" })).toBe("port 1–65535");
    expect(allowedValues({ oneOf: [{ type: "null" }, { type: "string" }] })).toBe("null or string");
    expect(allowedValues({ type: "object", additionalProperties: { type: "string" } })).toBe(
      "map of string",
    );
  });
});
