// `node src/simulator/cli.ts --port 0`: the simulator in the foreground. The first line
// names its URL (scripts wait for it); it stops cleanly on SIGINT or SIGTERM.
import { CaDirectoryError } from "./certificate-authority.ts";
import { parseCliArguments, USAGE, UsageError } from "./cli-options.ts";
import { InvalidInputError } from "./errors.ts";
import { DEFAULT_OPTIONS } from "./options.ts";
import { startSimulator } from "./simulator.ts";

function fail(message: string): never {
  console.error(`simulator: ${message}\nRun with --help for the flags.`);
  process.exit(2);
}

let command: ReturnType<typeof parseCliArguments>;
try {
  command = parseCliArguments(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError) fail(error.message);
  throw error;
}

if (command.kind === "help") {
  console.log(USAGE);
  process.exit(0);
}

const log = command.quiet
  ? () => {}
  : (line: string) => console.log(`${new Date().toISOString()} ${line}`);

const simulator = await startSimulator({ ...command.options, log }).catch((error: unknown) => {
  if (error instanceof InvalidInputError || error instanceof CaDirectoryError) fail(error.message);
  throw error;
});

const settings = simulator.settings();
const caDir = command.options.caDir;
console.log(`DNSimple simulator listening on ${simulator.url}`);
console.log(
  `  account ${simulator.accountId}, plan ${settings.plan}, domains ${simulator.domains
    .map((domain) => `${domain.name} (id ${domain.id})`)
    .join(", ")}`,
);
if (simulator.token === DEFAULT_OPTIONS.token) console.log(`  token ${simulator.token}`);
console.log(`  API ${simulator.url}/v2, admin ${simulator.url}/_sim`);
if (caDir !== undefined && caDir !== null) {
  const how = simulator.caCreated ? "created" : "reused";
  console.log(`  CA ${how} in ${caDir}; trust ${caDir}/root.pem to use its certificates`);
}

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping`);
    simulator.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`simulator: error while stopping: ${String(error)}`);
        process.exit(1);
      },
    );
  });
}
