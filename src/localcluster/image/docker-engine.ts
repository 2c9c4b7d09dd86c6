// Finds the Docker engine or, when none answers and this process is root, starts dockerd with
// flags that keep it off this machine's networking; and runs the docker CLI, which the image
// code drives rather than an API client (build.ts says why).
import { spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { processAlive } from "../binaries.ts";
import {
  commandOnPath,
  type Log,
  noLog,
  type RunOptions,
  type RunResult,
  run,
} from "./commands.ts";
import { DockerEngineError } from "./errors.ts";
import { projectRoot } from "./project-root.ts";

/**
 * The engine must not touch this machine's networking: no bridge, no iptables rules, no
 * ip_forward. Containers then have loopback only; builds that need the registry use the host's
 * network (`docker build --network host`).
 */
export const DOCKERD_FLAGS = [
  "--iptables=false",
  "--bridge=none",
  "--ip-forward=false",
  "--ip-masq=false",
] as const;

export async function docker(
  args: readonly string[],
  options: RunOptions = {},
): Promise<RunResult> {
  return run("docker", args, options);
}

export async function imageExists(ref: string): Promise<boolean> {
  return (await docker(["image", "inspect", "--format", "{{.Id}}", ref])).code === 0;
}

export interface DockerEngine {
  /** The engine's version, e.g. 20.10.24+dfsg1. */
  version: string;
  /** Set when this call started dockerd. */
  started?: { pid: number; logFile: string };
}

export interface DockerEngineOptions {
  log?: Log;
  /** Where a started dockerd logs and its pid is recorded (default: the project's .cache/docker). */
  stateDir?: string;
  timeoutMs?: number;
}

/** The engine's version, or why there is none. */
async function dockerServer(): Promise<{ version?: string; problem: string }> {
  const result = await docker(["version", "--format", "{{.Server.Version}}"], {
    timeoutMs: 20_000,
  });
  const version = result.stdout.trim();
  if (result.code === 0 && version !== "") return { version, problem: "" };
  return { problem: result.output || "no answer" };
}

/** A dockerd that runs but does not answer yet (e.g. still starting), from its own pid file. */
function runningDockerd(): number | undefined {
  try {
    const pid = Number(readFileSync("/var/run/docker.pid", "utf8").trim());
    return pid > 0 && processAlive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Starts dockerd in the background, detached from this process, logging to stateDir. */
function startDockerd(stateDir: string): { pid: number; logFile: string } {
  const dockerd = commandOnPath("dockerd");
  if (!dockerd) {
    throw new DockerEngineError(
      "no Docker engine runs and dockerd is not installed: install Debian's docker.io " +
        "(`apt-get install docker.io`), or set DOCKER_HOST to an engine that runs.",
    );
  }
  mkdirSync(stateDir, { recursive: true });
  const logFile = join(stateDir, "dockerd.log");
  const fd = openSync(logFile, "a");
  const child = spawn(dockerd, DOCKERD_FLAGS, { detached: true, stdio: ["ignore", fd, fd] });
  closeSync(fd);
  if (child.pid === undefined) throw new DockerEngineError(`could not start ${dockerd}`);
  child.unref();
  writeFileSync(join(stateDir, "dockerd.pid"), `${child.pid}\n`);
  return { pid: child.pid, logFile };
}

function logTail(path: string): string {
  try {
    return readFileSync(path, "utf8").split("\n").slice(-15).join("\n");
  } catch {
    return "";
  }
}

/** Polls until the engine answers; `logFile`, when known, tells why dockerd `pid` gave up. */
async function waitForEngine(pid: number, logFile: string | undefined, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  const seeLog = logFile ? `; ${logFile} ends:\n${logTail(logFile)}` : "";
  for (;;) {
    const server = await dockerServer();
    if (server.version) return server.version;
    if (!processAlive(pid)) throw new DockerEngineError(`dockerd (pid ${pid}) exited${seeLog}`);
    if (Date.now() > deadline) {
      throw new DockerEngineError(
        `dockerd (pid ${pid}) did not answer within ${timeoutMs / 1000}s${seeLog}`,
      );
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * Returns the Docker engine's version. When none answers and this process is root, starts
 * dockerd (with DOCKERD_FLAGS, in the background, outliving this process) and waits for it.
 */
export async function ensureDockerEngine(options: DockerEngineOptions = {}): Promise<DockerEngine> {
  const log = options.log ?? noLog;
  const server = await dockerServer();
  if (server.version) return { version: server.version };
  if (/ENOENT|not found/.test(server.problem) && !commandOnPath("docker")) {
    throw new DockerEngineError(
      "the docker CLI is not installed: install Debian's docker.io (`apt-get install docker.io`).",
    );
  }
  if (process.env.DOCKER_HOST) {
    throw new DockerEngineError(
      `DOCKER_HOST=${process.env.DOCKER_HOST} does not answer (${server.problem.split("\n")[0]}): ` +
        "start that engine, or unset DOCKER_HOST to use (or start) the local one.",
    );
  }
  if (/permission denied/i.test(server.problem)) {
    throw new DockerEngineError(
      `the Docker engine refuses this user (${server.problem.split("\n")[0]}): run as root, or ` +
        "add the user to the docker group (`sudo usermod -aG docker $USER`, then log in again).",
    );
  }
  if (process.getuid?.() !== 0) {
    throw new DockerEngineError(
      `no Docker engine answers (${server.problem.split("\n")[0]}) and only root may start one. ` +
        `Start it as root, e.g. \`sudo dockerd ${DOCKERD_FLAGS.join(" ")} &\`, or ` +
        "`sudo systemctl start docker`, or set DOCKER_HOST to an engine that runs; then run again.",
    );
  }
  const timeoutMs = options.timeoutMs ?? 60_000;
  const existing = runningDockerd();
  if (existing) {
    log(`dockerd (pid ${existing}) runs but does not answer yet; waiting for it`);
    return { version: await waitForEngine(existing, undefined, timeoutMs) };
  }
  const stateDir = options.stateDir ?? join(projectRoot, ".cache", "docker");
  const started = startDockerd(stateDir);
  log(`started dockerd ${DOCKERD_FLAGS.join(" ")} (pid ${started.pid}, log ${started.logFile})`);
  return { version: await waitForEngine(started.pid, started.logFile, timeoutMs), started };
}
