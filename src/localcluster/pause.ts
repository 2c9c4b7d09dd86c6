// The Pod sandbox image for the local node. No registry is reachable, so registry.k8s.io/pause
// cannot be pulled: a static C program with the same job (tools/pause/pause.c) is compiled once
// into the cache, packed as a one-layer image archive (image-archive.ts) and imported
// into the node's containerd under the name its CRI configuration gives as the sandbox image.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { cacheRoot } from "./binaries.ts";
import { importImageArchive, writeImageArchive } from "./image-archive.ts";

/** The name containerd's CRI plugin is told to use as the sandbox image (ours, not Google's). */
export const pauseImage = "dnsimple-cert-operator.local/pause:1";

const source = join(import.meta.dirname, "tools", "pause", "pause.c");

export class PauseImageError extends Error {
  override name = "PauseImageError";
}

function must(command: string, args: readonly string[], input?: Buffer): void {
  const result = spawnSync(command, args, { input, encoding: "buffer" });
  if (result.status !== 0) {
    const output = Buffer.concat([
      result.stdout ?? Buffer.alloc(0),
      result.stderr ?? Buffer.alloc(0),
    ]);
    throw new PauseImageError(
      `${command} ${args.join(" ")} failed (${result.error?.message ?? `exit ${result.status}`}): ${output.toString().trim()}`,
    );
  }
}

const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");

/** The image archive, built once per source version into the cache; returns its path. */
export function pauseImageArchive(): string {
  const code = readFileSync(source);
  const dir = join(cacheRoot(), "bin", `pause-${sha256(code).slice(0, 10)}`);
  const archive = join(dir, "pause-image.tar");
  if (existsSync(archive)) return archive;
  const staging = `${dir}.building-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    const binary = join(staging, "pause");
    try {
      must("gcc", ["-static", "-Os", "-s", "-o", binary, source]);
    } catch (err) {
      throw new PauseImageError(
        `${(err as Error).message}\nThe node's sandbox image is compiled with gcc and a static libc: \`apt-get install -y gcc libc6-dev\`.`,
      );
    }
    writeImageArchive(join(staging, "pause-image.tar"), {
      name: pauseImage,
      binary,
      entrypoint: "/pause",
      user: "65535:65535",
    });
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    renameSync(join(staging, "pause-image.tar"), archive);
    return archive;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** Imports the sandbox image into the node's containerd (idempotent). */
export function importPauseImage(containerdAddress: string): void {
  importImageArchive(pauseImageArchive(), containerdAddress);
}
