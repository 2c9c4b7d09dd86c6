// Runs the commands the image code drives (docker, mmdebstrap, ctr, node) and keeps the end of
// their output for error messages. Output goes line by line to an optional Log as it comes; a
// run never rejects, so each caller turns a failed exit into its own typed error (failure()).
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";

export type Log = (line: string) => void;

export const noLog: Log = () => {};

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  /** Written to the child's stdin (else stdin is closed). */
  stdin?: string;
  /** Receives the child's output line by line. */
  detail?: Log;
  timeoutMs?: number;
}

export interface RunResult {
  /** null when the command could not be started or was killed. */
  code: number | null;
  stdout: string;
  /** The last part of stdout and stderr together, for error messages. */
  output: string;
}

/** Keeps the last 6000 characters of a stream of chunks. */
class Tail {
  private text = "";
  add(chunk: Buffer | string): void {
    this.text = (this.text + chunk.toString()).slice(-6000);
  }
  toString(): string {
    return this.text.trim();
  }
}

/** Splits chunks into lines for a Log; `flush` emits a last unterminated line. */
function lineSink(sink: Log | undefined): { push: (chunk: Buffer) => void; flush: () => void } {
  let pending = "";
  const emit = (line: string) => {
    if (sink && line.trim() !== "") sink(line);
  };
  return {
    push(chunk) {
      const lines = (pending + chunk.toString()).split(/\r?\n|\r/);
      pending = lines.pop() ?? "";
      for (const line of lines) emit(line);
    },
    flush() {
      emit(pending);
      pending = "";
    },
  };
}

/** Follows a child's output; resolves when it has exited (never rejects). */
export function follow(
  child: ChildProcess,
  command: string,
  options: { detail?: Log | undefined; captureStdout?: boolean },
): Promise<RunResult> {
  const tail = new Tail();
  const lines = lineSink(options.detail);
  let stdout = "";
  if (options.captureStdout !== false) {
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      tail.add(chunk);
      lines.push(chunk);
    });
  }
  child.stderr?.on("data", (chunk: Buffer) => {
    tail.add(chunk);
    lines.push(chunk);
  });
  return new Promise((resolve) => {
    child.on("error", (err) =>
      resolve({ code: null, stdout, output: `${command}: ${err.message}` }),
    );
    child.on("close", (code, signal) => {
      lines.flush();
      const killed = signal ? `\n(${command} was killed by ${signal})` : "";
      resolve({ code, stdout, output: `${tail}${killed}` });
    });
  });
}

export function run(
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<RunResult> {
  const child = spawn(command, args, {
    env: options.env ?? process.env,
    stdio: [options.stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    timeout: options.timeoutMs,
  });
  const result = follow(child, command, { detail: options.detail });
  child.stdin?.on("error", () => {}); // a child that exits early closes its stdin; its code says why
  child.stdin?.end(options.stdin);
  return result;
}

export function failure(what: string, result: RunResult): string {
  return `${what} failed (exit ${result.code ?? "none"}):\n${result.output}`;
}

export function commandOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    const path = join(dir, name);
    if (dir !== "" && existsSync(path)) return path;
  }
  for (const dir of ["/usr/sbin", "/usr/bin", "/usr/local/bin", "/sbin"]) {
    if (existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}
