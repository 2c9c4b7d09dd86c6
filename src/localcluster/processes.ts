// Processes of the local cluster: started detached with their output in a log file in the
// cluster folder (they outlive the command that started them), waited for, and stopped by
// process group.
import { type ChildProcess, spawn } from "node:child_process";
import { openSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { processAlive } from "./binaries.ts";

export class ControlPlaneError extends Error {
  override name = "ControlPlaneError";
}

/** A free TCP port on 127.0.0.1 (taken back at once: a small race, fine on a dev machine). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export function startProcess(
  dir: string,
  name: string,
  path: string,
  args: string[],
): ChildProcess {
  const log = openSync(join(dir, `${name}.log`), "a");
  // Own process group and no pipes: the processes outlive `npm run cluster -- up`.
  const child = spawn(path, args, { detached: true, stdio: ["ignore", log, log] });
  child.unref();
  return child;
}

/** The last 20 lines of a process's log. */
export function tail(dir: string, name: string): string {
  try {
    return readFileSync(join(dir, `${name}.log`), "utf8")
      .split("\n")
      .slice(-20)
      .join("\n");
  } catch {
    return "";
  }
}

export async function waitFor(
  what: string,
  timeoutMs: number,
  check: () => Promise<boolean>,
  died: () => string | undefined,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const dead = died();
    if (dead) throw new ControlPlaneError(`${what}: ${dead}`);
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new ControlPlaneError(`${what}: not ready after ${timeoutMs / 1000}s`);
}

export function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

export async function exited(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (processAlive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}
