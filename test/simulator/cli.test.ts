// The command line: flags parsed into options (pure), and the real program started as a
// child process, its URL read from its output, used, and stopped with SIGTERM.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseCliArguments, UsageError } from "../../src/simulator/cli-options.ts";

const CLI = fileURLToPath(new URL("../../src/simulator/cli.ts", import.meta.url));

describe("parseCliArguments", () => {
  it("leaves everything to the defaults when no flag is given", () => {
    const command = parseCliArguments([]);
    expect(command.kind).toBe("run");
    if (command.kind !== "run") return;
    expect(Object.values(command.options).filter((value) => value !== undefined)).toEqual([]);
    expect(command.quiet).toBe(false);
  });

  it("maps every flag onto an option", () => {
    const command = parseCliArguments([
      "--port=8080",
      "--token",
      "secret",
      "--account",
      "42",
      "--domains",
      "a.com, b.com",
      "--plan",
      "personal",
      "--issue-delay",
      "3s",
      "--validity",
      "5m",
      "--fail-rate",
      "0.1",
      "--rate-limit",
      "100",
      "--webhook-url",
      "http://127.0.0.1:9999/hook",
      "--ca-dir",
      "/tmp/ca",
      "--include-root",
      "--latency",
      "250ms",
      "--drop-rate",
      "0.05",
      "--private-key-format",
      "pkcs8",
      "--quiet",
    ]);
    expect(command).toEqual({
      kind: "run",
      quiet: true,
      options: {
        port: 8080,
        token: "secret",
        accountId: 42,
        domains: ["a.com", "b.com"],
        plan: "personal",
        issueDelayMs: 3_000,
        validityMs: 300_000,
        errorRate: 0.1,
        rateLimit: 100,
        webhookUrl: "http://127.0.0.1:9999/hook",
        caDir: "/tmp/ca",
        includeRoot: true,
        latencyMs: 250,
        dropRate: 0.05,
        privateKeyFormat: "pkcs8",
      },
    });
  });

  it("asks for help with -h", () => {
    expect(parseCliArguments(["-h"])).toEqual({ kind: "help" });
  });

  it.each([
    [["--bogus"]],
    [["--port", "eighty"]],
    [["--issue-delay", "3"]],
    [["--plan", "gold"]],
    [["--fail-rate", "1.5"]],
    [["--fail-rate", ""]],
    [["positional"]],
  ])("refuses %j", (args) => {
    expect(() => parseCliArguments(args)).toThrow(UsageError);
  });
});

async function firstLineMatching(child: ChildProcess, pattern: RegExp): Promise<string> {
  if (child.stdout === null) throw new Error("no stdout");
  const lines = createInterface({ input: child.stdout });
  for await (const line of lines) {
    if (pattern.test(line)) return line;
  }
  throw new Error(`the program ended without printing a line matching ${pattern}`);
}

describe("the simulator program", () => {
  it("prints its URL, serves the API, and stops on SIGTERM", async () => {
    const child = spawn(process.execPath, [CLI, "--port", "0", "--issue-delay", "100ms"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      const line = await firstLineMatching(child, /http:\/\/127\.0\.0\.1:\d+/);
      const url = /http:\/\/127\.0\.0\.1:\d+/.exec(line)?.[0] ?? "";

      const whoami = await fetch(`${url}/v2/whoami`, {
        headers: { authorization: "Bearer simulator-token" },
      });
      expect(whoami.status).toBe(200);
      expect(await whoami.json()).toMatchObject({ data: { account: { id: 1010 } } });
      const certificates = await fetch(`${url}/v2/1010/domains/example.com/certificates`, {
        headers: { authorization: "Bearer simulator-token" },
      });
      expect(certificates.status).toBe(200);

      const exited = once(child, "exit");
      child.kill("SIGTERM");
      const [code] = await exited;
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });

  it("exits 2 with a message on a bad flag", async () => {
    const child = spawn(process.execPath, [CLI, "--plan", "gold"], { stdio: "pipe" });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const [code] = await once(child, "exit");
    expect(code).toBe(2);
    expect(stderr).toMatch(/--plan must be one of personal, professional, enterprise/);
  });
});
