// The command line's shell: reads the arguments (flags.ts), connects (kubeconfig.ts), runs the
// command, and turns what it throws into an exit code (exit-codes.ts) and an `error:` line on
// stderr, as kubectl does. Results go to stdout, diagnostics to stderr; nothing else prints.
import { pluginVersion, runCheck } from "./check.ts";
import { Cluster } from "./cluster.ts";
import { EXIT, type ExitCode, exitCodeOf, UsageError } from "./exit-codes.ts";
import { COMMAND_NAMES, type CommandName, type Invocation, parseInvocation } from "./flags.ts";
import { helpText, usageHint } from "./help.ts";
import { runInspectSecret } from "./inspect-secret.ts";
import { loadKubeTarget } from "./kubeconfig.ts";
import { toJson } from "./output.ts";
import { runRenew } from "./renew.ts";
import { runStatus } from "./status.ts";

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

/** Runs `kubectl dnscert ARGS...`; resolves to the exit code (it never throws). */
export async function main(argv: readonly string[], io: Io): Promise<ExitCode> {
  try {
    return await run(parseInvocation(argv), io);
  } catch (error) {
    const code = exitCodeOf(error);
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`error: ${message}\n`);
    if (error instanceof UsageError) io.stderr(`${usageHint(commandIn(argv))}\n`);
    return code;
  }
}

async function run({ flags, command }: Invocation, io: Io): Promise<ExitCode> {
  if (command.name === "help") {
    io.stdout(helpText(command.topic));
    return EXIT.ok;
  }
  if (command.name === "version") {
    const version = pluginVersion();
    io.stdout(flags.output === "json" ? toJson({ pluginVersion: version }) : `${version}\n`);
    return EXIT.ok;
  }
  const target = loadKubeTarget(flags, io.env);
  const cluster = new Cluster(target.kubeConfig);
  const { namespace } = target;
  const { output, allNamespaces } = flags;
  switch (command.name) {
    case "status":
      return runStatus(cluster, namespace, command.resource, output, io.stdout);
    case "renew":
      return runRenew(
        cluster,
        { target: command.target, namespace, allNamespaces, output },
        io.stdout,
        io.stderr,
      );
    case "inspect":
      return runInspectSecret(cluster, namespace, command.secret, output, io.stdout);
    case "check":
      return runCheck(
        cluster,
        {
          namespace,
          allNamespaces,
          output,
          ...(command.operatorNamespace === undefined
            ? {}
            : { operatorNamespace: command.operatorNamespace }),
        },
        io.stdout,
      );
  }
}

/** The command a wrong command line was for, to point at its help. */
function commandIn(argv: readonly string[]): CommandName | undefined {
  return COMMAND_NAMES.find((name) => argv.includes(name));
}
