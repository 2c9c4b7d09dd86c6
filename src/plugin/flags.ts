// The command line, read once into what to do: the command with its arguments and the flags
// kubectl users know (--kubeconfig, --context, -n/--namespace, -A/--all-namespaces, -o). kubectl
// hands a plugin its arguments as they were typed, so flags may stand before or after the
// command, in any of the forms node:util parseArgs reads (-n web, -nweb, --namespace=web).
// Each command says which flags it takes; any other is a usage error (exit 2), never ignored.
import { parseArgs } from "node:util";
import { UsageError } from "./exit-codes.ts";

export type CommandName = "status" | "renew" | "inspect" | "check" | "version";

export const COMMAND_NAMES: readonly CommandName[] = [
  "status",
  "renew",
  "inspect",
  "check",
  "version",
];

/** What renew renews: one named resource, those a label selector picks, or all. */
export type RenewTarget =
  | { kind: "name"; name: string }
  | { kind: "selector"; selector: string }
  | { kind: "all" };

export type Command =
  | { name: "status"; resource: string }
  | { name: "renew"; target: RenewTarget }
  | { name: "inspect"; secret: string }
  | { name: "check"; operatorNamespace?: string }
  | { name: "version" }
  | { name: "help"; topic?: CommandName };

export type OutputFormat = "text" | "json";

/** Where to talk to and how to answer (kubectl's meaning for each). */
export interface GlobalFlags {
  kubeconfig?: string;
  context?: string;
  /** -n; absent: the context's namespace, else "default" (kubeconfig.ts). */
  namespace?: string;
  allNamespaces: boolean;
  output: OutputFormat;
}

export interface Invocation {
  flags: GlobalFlags;
  command: Command;
}

const OPTIONS = {
  kubeconfig: { type: "string" },
  context: { type: "string" },
  namespace: { type: "string", short: "n" },
  "all-namespaces": { type: "boolean", short: "A" },
  output: { type: "string", short: "o" },
  selector: { type: "string", short: "l" },
  all: { type: "boolean" },
  "operator-namespace": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

type FlagName = keyof typeof OPTIONS;

/** The flags every command takes. */
const COMMON: readonly FlagName[] = ["kubeconfig", "context", "namespace", "output", "help"];

/** The flags each command takes beyond the common ones. */
const EXTRA: Readonly<Record<CommandName, readonly FlagName[]>> = {
  status: [],
  renew: ["selector", "all", "all-namespaces"],
  inspect: [],
  check: ["all-namespaces", "operator-namespace"],
  version: [],
};

type Values = ReturnType<typeof parse>["values"];

function parse(argv: readonly string[]) {
  try {
    return parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    // parseArgs throws a TypeError naming the flag ("Unknown option '--foo'. To specify a
    // positional argument..."); its first sentence is what the user needs.
    const message = error instanceof Error ? error.message : String(error);
    throw new UsageError(message.split(/\. (?=[A-Z])/)[0] ?? message);
  }
}

/** The command line (without node and the script), or UsageError. */
export function parseInvocation(argv: readonly string[]): Invocation {
  const { values, positionals } = parse(argv);
  const [first, ...rest] = positionals;
  const help = values.help === true || first === "help";
  const words = first === "help" ? rest : positionals;
  const name = commandName(words[0], help);
  if (help) return { flags: globalFlags(values), command: { name: "help", topic: name } };
  if (name === undefined) throw new UsageError("no command given");
  checkFlags(name, values);
  return { flags: globalFlags(values), command: commandOf(name, words.slice(1), values) };
}

function commandName(word: string | undefined, help: boolean): CommandName | undefined {
  if (word === undefined) return undefined;
  if ((COMMAND_NAMES as readonly string[]).includes(word)) return word as CommandName;
  // `kubectl dnscert help nonsense` still gets the overview rather than an error.
  if (help) return undefined;
  throw new UsageError(`unknown command "${word}"`);
}

function globalFlags(values: Values): GlobalFlags {
  return {
    ...(values.kubeconfig === undefined ? {} : { kubeconfig: values.kubeconfig }),
    ...(values.context === undefined ? {} : { context: values.context }),
    ...(values.namespace === undefined ? {} : { namespace: values.namespace }),
    allNamespaces: values["all-namespaces"] === true,
    output: outputFormat(values.output),
  };
}

function outputFormat(value: string | undefined): OutputFormat {
  if (value === undefined) return "text";
  if (value === "json") return "json";
  throw new UsageError(`unknown output format "${value}": the only one is json (-o json)`);
}

function checkFlags(name: CommandName, values: Values): void {
  const allowed = new Set<string>([...COMMON, ...EXTRA[name]]);
  for (const [flag, value] of Object.entries(values)) {
    if (value !== undefined && !allowed.has(flag)) {
      throw new UsageError(`${name} does not take --${flag}`);
    }
  }
}

function commandOf(name: CommandName, args: readonly string[], values: Values): Command {
  switch (name) {
    case "status":
      return { name, resource: onlyArgument(args, "status NAME") };
    case "renew":
      return { name, target: renewTarget(args, values) };
    case "inspect":
      return { name, secret: inspectedSecret(args) };
    case "check":
      noArguments(args, "check");
      return {
        name,
        ...(values["operator-namespace"] === undefined
          ? {}
          : { operatorNamespace: values["operator-namespace"] }),
      };
    case "version":
      noArguments(args, "version");
      return { name };
  }
}

function onlyArgument(args: readonly string[], usage: string): string {
  const [name, ...extra] = args;
  if (name === undefined || name === "") throw new UsageError(`a name is required: ${usage}`);
  if (extra.length > 0) throw new UsageError(`one name only: ${usage} (got ${args.join(" ")})`);
  return name;
}

function noArguments(args: readonly string[], command: string): void {
  if (args.length > 0)
    throw new UsageError(`${command} takes no arguments (got ${args.join(" ")})`);
}

function inspectedSecret(args: readonly string[]): string {
  const [kind, ...rest] = args;
  if (kind !== "secret") {
    throw new UsageError(
      kind === undefined
        ? "inspect what? inspect secret NAME"
        : `cannot inspect "${kind}": inspect secret NAME`,
    );
  }
  return onlyArgument(rest, "inspect secret NAME");
}

function renewTarget(args: readonly string[], values: Values): RenewTarget {
  const selector = values.selector;
  const all = values.all === true;
  if (args.length > 0) {
    if (selector !== undefined || all) {
      throw new UsageError("give NAME, or -l SELECTOR, or --all: not a name together with them");
    }
    if (values["all-namespaces"] === true) {
      throw new UsageError("-A goes with -l or --all; a NAME is looked up in one namespace");
    }
    return { kind: "name", name: onlyArgument(args, "renew NAME") };
  }
  if (selector !== undefined && all) throw new UsageError("give -l SELECTOR or --all, not both");
  if (selector !== undefined) {
    if (selector.trim() === "") throw new UsageError("-l needs a label selector, e.g. -l app=web");
    return { kind: "selector", selector };
  }
  if (all) return { kind: "all" };
  throw new UsageError("renew what? renew NAME, renew -l SELECTOR or renew --all");
}
