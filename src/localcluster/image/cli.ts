// `npm run image`: builds the operator's image from the Dockerfile with the local Docker engine
// (starting one if need be), on stand-in base images where the real ones cannot be pulled, and
// loads it into the local node's containerd. Progress goes to stdout, docker's own output to
// stderr, and the image reference is the last line of stdout, for scripts.
import {
  assertContainerd,
  buildImage,
  containerdAddress,
  ensureDockerEngine,
  ImageError,
  loadImage,
} from "./index.ts";

const usage = `usage: npm run image [-- [--no-load] [--stand-ins] [--containerd <socket>] [--quiet]]

  --no-load      only build; do not load the image into the local node's containerd
  --stand-ins    build on the stand-in base images without trying to pull the real ones
  --containerd   containerd's socket (default: CONTAINERD_ADDRESS, else ${containerdAddress()})
  --quiet        do not copy docker's, mmdebstrap's and ctr's output to stderr

Without a Docker engine, root starts dockerd --iptables=false --bridge=none --ip-forward=false
--ip-masq=false in the background (log and pid in .cache/docker/).`;

interface Flags {
  load: boolean;
  standIns: boolean;
  quiet: boolean;
  address: string;
}

class UsageError extends Error {}

function parseFlags(argv: readonly string[]): Flags {
  const flags: Flags = { load: true, standIns: false, quiet: false, address: containerdAddress() };
  let i = 0;
  while (i < argv.length) i += readFlag(argv, i, flags);
  return flags;
}

/** Reads the flag at `argv[i]` into `flags`; returns how many words it took (1 or 2). */
function readFlag(argv: readonly string[], i: number, flags: Flags): number {
  const arg = argv[i];
  const value = argv[i + 1];
  if (arg === "--no-load") flags.load = false;
  else if (arg === "--stand-ins") flags.standIns = true;
  else if (arg === "--quiet") flags.quiet = true;
  else if (arg === "--containerd" && value) {
    flags.address = value;
    return 2;
  } else if (arg?.startsWith("--containerd=")) flags.address = arg.slice("--containerd=".length);
  else throw new UsageError(arg === "--help" || arg === "-h" ? "" : `unknown argument ${arg}`);
  return 1;
}

const say = (line: string) => process.stdout.write(`${line}\n`);
const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)}s`;

async function main(flags: Flags): Promise<void> {
  const started = Date.now();
  if (flags.load) assertContainerd(flags.address); // before minutes of building
  const detail = flags.quiet ? undefined : (line: string) => process.stderr.write(`  ${line}\n`);
  const engine = await ensureDockerEngine({ log: say });
  say(`Docker engine ${engine.version}`);
  const ref = await buildImage({ log: say, detail, standIns: flags.standIns });
  if (flags.load) {
    await loadImage(ref, { address: flags.address, log: say, detail });
    say(`loaded into containerd at ${flags.address}`);
  }
  say(`done in ${seconds(started)}`);
  say(ref);
}

function exitCodeOf(err: unknown): number {
  if (err instanceof UsageError) {
    if (err.message) process.stderr.write(`error: ${err.message}\n`);
    process.stderr.write(`${usage}\n`);
    return err.message ? 2 : 0;
  }
  if (err instanceof ImageError) {
    process.stderr.write(`error: ${err.message}\n`);
  } else {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  }
  return 1;
}

Promise.resolve()
  .then(() => main(parseFlags(process.argv.slice(2))))
  .then(
    () => process.exit(0),
    (err: unknown) => process.exit(exitCodeOf(err)),
  );
