// The command line, parsed into simulator options. Pure: tested without starting anything.
import { parseArgs } from "node:util";
import { parseDuration } from "./duration.ts";
import { InvalidInputError } from "./errors.ts";
import { PLANS, type Plan, PRIVATE_KEY_FORMATS, type PrivateKeyFormat } from "./model.ts";
import { DEFAULT_OPTIONS, type SimulatorOptions } from "./options.ts";

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export type CliCommand =
  | { kind: "help" }
  | { kind: "run"; options: Partial<SimulatorOptions>; quiet: boolean };

const DAY_MS = 86_400_000;

export const USAGE = `Usage: node src/simulator/cli.ts [flags]     (or: npm run simulator -- [flags])

A DNSimple Certificates API simulator (on 127.0.0.1 unless --host), in the foreground until SIGINT/SIGTERM.
Durations are written like 500ms, 3s, 5m, 2h, 90d.

  --port N                   port to listen on; 0 picks a free one (default ${DEFAULT_OPTIONS.port})
  --host ADDR                address to listen on (default ${DEFAULT_OPTIONS.host}; 0.0.0.0 for other hosts)
  --token T                  the account token clients must send (default ${DEFAULT_OPTIONS.token})
  --account ID               the account id (default ${DEFAULT_OPTIONS.accountId})
  --domains a.com,b.com      the account's domains (default ${DEFAULT_OPTIONS.domains.join(",")})
  --plan P                   ${PLANS.join(" | ")} (default ${DEFAULT_OPTIONS.plan})
  --issue-delay D            from issue request to issued (default ${DEFAULT_OPTIONS.issueDelayMs / 1000}s)
  --validity D               certificate lifetime (default ${DEFAULT_OPTIONS.validityMs / DAY_MS}d)
  --rate-limit N             requests per token per window (default ${DEFAULT_OPTIONS.rateLimit})
  --rate-limit-window D      the rate-limit window (default 1h, as DNSimple)
  --webhook-url URL          POST webhook events there (default: none)
  --ca-dir DIR               keep the CA there: created once, reused after; trust DIR/root.pem
  --include-root             downloads give the root instead of root: null
  --private-key-format F     ${PRIVATE_KEY_FORMATS.join(" | ")} (default ${DEFAULT_OPTIONS.privateKeyFormat})
  --fail-rate R              fraction of API requests answered with 500 (default 0)
  --latency D                added to every API request (default 0)
  --drop-rate R              fraction of API requests whose connection is dropped (default 0)
  --quiet                    do not log each request and event
  -h, --help                 this text

Admin API (no token): GET <url>/_sim lists the endpoints; see src/simulator/README.md.`;

export function parseCliArguments(args: readonly string[]): CliCommand {
  let values: ReturnType<typeof parseFlags>;
  try {
    values = parseFlags(args);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help === true) return { kind: "help" };
  return {
    kind: "run",
    quiet: values.quiet === true,
    options: {
      port: optional(values.port, (text) => integer("--port", text)),
      host: values.host,
      token: values.token,
      accountId: optional(values.account, (text) => integer("--account", text)),
      domains: optional(values.domains, domainList),
      plan: optional(values.plan, (text) => oneOf<Plan>("--plan", text, PLANS)),
      issueDelayMs: optional(values["issue-delay"], (text) => duration("--issue-delay", text)),
      validityMs: optional(values.validity, (text) => duration("--validity", text)),
      rateLimit: optional(values["rate-limit"], (text) => integer("--rate-limit", text)),
      rateLimitWindowMs: optional(values["rate-limit-window"], (text) =>
        duration("--rate-limit-window", text),
      ),
      webhookUrl: values["webhook-url"],
      caDir: values["ca-dir"],
      includeRoot: values["include-root"],
      privateKeyFormat: optional(values["private-key-format"], (text) =>
        oneOf<PrivateKeyFormat>("--private-key-format", text, PRIVATE_KEY_FORMATS),
      ),
      errorRate: optional(values["fail-rate"], (text) => fraction("--fail-rate", text)),
      latencyMs: optional(values.latency, (text) => duration("--latency", text)),
      dropRate: optional(values["drop-rate"], (text) => fraction("--drop-rate", text)),
    },
  };
}

function parseFlags(args: readonly string[]) {
  const text = { type: "string" } as const;
  const flag = { type: "boolean" } as const;
  return parseArgs({
    args: [...args],
    strict: true,
    allowPositionals: false,
    options: {
      port: text,
      host: text,
      token: text,
      account: text,
      domains: text,
      plan: text,
      "issue-delay": text,
      validity: text,
      "rate-limit": text,
      "rate-limit-window": text,
      "webhook-url": text,
      "ca-dir": text,
      "include-root": flag,
      "private-key-format": text,
      "fail-rate": text,
      latency: text,
      "drop-rate": text,
      quiet: flag,
      help: { ...flag, short: "h" },
    },
  }).values;
}

function optional<T>(text: string | undefined, parse: (text: string) => T): T | undefined {
  return text === undefined ? undefined : parse(text);
}

function integer(flag: string, text: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`${flag} must be a whole number, got "${text}"`);
  return Number(text);
}

function fraction(flag: string, text: string): number {
  const value = Number(text);
  if (text.trim() === "" || !(value >= 0 && value <= 1)) {
    throw new UsageError(`${flag} must be a number from 0 to 1, got "${text}"`);
  }
  return value;
}

function duration(flag: string, text: string): number {
  try {
    return parseDuration(text);
  } catch (error) {
    if (error instanceof InvalidInputError) throw new UsageError(`${flag}: ${error.message}`);
    throw error;
  }
}

function oneOf<T extends string>(flag: string, text: string, values: readonly T[]): T {
  const value = values.find((candidate) => candidate === text);
  if (value === undefined) throw new UsageError(`${flag} must be one of ${values.join(", ")}`);
  return value;
}

function domainList(text: string): string[] {
  return text
    .split(",")
    .map((domain) => domain.trim())
    .filter((domain) => domain !== "");
}
