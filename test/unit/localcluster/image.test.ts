// The parts of the image build that need no Docker engine: which CA certificates npm in the build
// is handed (only those Node does not already bundle), how containerd names a reference (what
// loadImage looks for after importing), what the Dockerfile declares as its base images, where
// containerd is looked for, and how commands are run and their output kept. Real files, real
// processes and a real Unix socket; nothing is mocked.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { rootCertificates } from "node:tls";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { dockerBuild, extraCaCerts } from "../../../src/localcluster/image/build.ts";
import { failure, run } from "../../../src/localcluster/image/commands.ts";
import { dockerfileDefaults } from "../../../src/localcluster/image/dockerfile.ts";
import { ImageBuildError, ImageLoadError } from "../../../src/localcluster/image/errors.ts";
import {
  assertContainerd,
  containerdAddress,
  normalizedReference,
} from "../../../src/localcluster/image/load.ts";
import { hostNpmDir } from "../../../src/localcluster/image/stand-in-node.ts";
import { containerdAddress as localNodeContainerdAddress } from "../../../src/localcluster/node.ts";

const projectRoot = join(import.meta.dirname, "..", "..", "..");
const saved = { ...process.env };
let scratch: string;

beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), "image-test-"));
});

afterEach(() => {
  process.env = { ...saved };
});

/** A certificate no Node bundles: made here, with openssl. */
function selfMadeCertificate(): string {
  const dir = mkdtempSync(join(tmpdir(), "image-test-cert-"));
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-subj",
      "/CN=test",
      "-days",
      "1",
      "-keyout",
      join(dir, "key.pem"),
      "-out",
      join(dir, "cert.pem"),
    ],
    { stdio: "ignore" },
  );
  return readFileSync(join(dir, "cert.pem"), "utf8").trim();
}

const withoutSpace = (pem: string) => pem.replace(/\s+/g, "");
const bundledRoot = rootCertificates[0] ?? "";

describe("extraCaCerts()", () => {
  it("keeps only the certificates Node does not bundle", () => {
    const own = selfMadeCertificate();
    const file = join(scratch, "extra.pem");
    writeFileSync(file, `${bundledRoot}\n${own}\n`);
    const selected = extraCaCerts(file);
    expect(withoutSpace(selected)).toBe(withoutSpace(own));
    expect(selected).not.toContain(bundledRoot.split("\n")[1]);
  });

  it("recognizes a bundled root whatever its line endings", () => {
    const file = join(scratch, "crlf.pem");
    writeFileSync(file, `${bundledRoot.replace(/\n/g, "\r\n")}\r\n`);
    expect(extraCaCerts(file)).toBe("");
  });

  it("keeps several certificates of its own, in order, and ignores text around them", () => {
    const first = selfMadeCertificate();
    const second = selfMadeCertificate();
    const file = join(scratch, "two.pem");
    writeFileSync(file, `# a proxy's CAs\n${first}\nsome text\n${bundledRoot}\n${second}\n`);
    expect(extraCaCerts(file)).toBe(`${first}\n${second}`);
  });

  it("reads NODE_EXTRA_CA_CERTS by default, and is empty without it", () => {
    const own = selfMadeCertificate();
    const file = join(scratch, "env.pem");
    writeFileSync(file, own);
    process.env.NODE_EXTRA_CA_CERTS = file;
    expect(extraCaCerts()).toBe(own);
    delete process.env.NODE_EXTRA_CA_CERTS;
    expect(extraCaCerts()).toBe("");
  });

  it("says to fix or unset NODE_EXTRA_CA_CERTS when the file cannot be read", () => {
    const missing = join(scratch, "missing.pem");
    expect(() => extraCaCerts(missing)).toThrow(ImageBuildError);
    expect(() => extraCaCerts(missing)).toThrow(
      new RegExp(`NODE_EXTRA_CA_CERTS=${missing} cannot be read .*fix or unset it`),
    );
  });
});

describe("dockerBuild()", () => {
  it("refuses a build argument too long to pass through docker's environment", async () => {
    const build = dockerBuild({
      context: scratch,
      tag: "never-built:1",
      envBuildArgs: { BUILD_CA_CERTS: "x".repeat(128 * 1024) },
    });
    await expect(build).rejects.toBeInstanceOf(ImageBuildError);
    await expect(build).rejects.toThrow(/BUILD_CA_CERTS is over 128 KiB/);
  });
});

describe("normalizedReference()", () => {
  it.each([
    ["dnsimple-cert-operator:1", "docker.io/library/dnsimple-cert-operator:1"],
    [
      "dnsimple-cert-operator:0.1.0-dev-0123456789ab",
      "docker.io/library/dnsimple-cert-operator:0.1.0-dev-0123456789ab",
    ],
    ["traefik/whoami:v1", "docker.io/traefik/whoami:v1"],
    ["a.b/c:d", "a.b/c:d"],
    ["dnsimple-cert-operator.local/pause:1", "dnsimple-cert-operator.local/pause:1"],
    ["localhost/pause:1", "localhost/pause:1"],
    ["registry:5000/team/app:2", "registry:5000/team/app:2"],
    ["docker.io/library/node:24", "docker.io/library/node:24"],
  ])("names %s as %s", (ref, expected) => {
    expect(normalizedReference(ref)).toBe(expected);
  });
});

describe("dockerfileDefaults()", () => {
  it("reads the project's Dockerfile: Node as the `node` devDependency, base images of that major", () => {
    const pkg = JSON.parse(readFileSync(join(projectRoot, "package.json"), "utf8")) as {
      devDependencies: Record<string, string>;
    };
    const defaults = dockerfileDefaults();
    expect(defaults.nodeVersion).toBe(pkg.devDependencies.node);
    const major = defaults.nodeVersion.split(".")[0];
    expect(defaults.build).toBe(`node:${defaults.nodeVersion}-bookworm-slim`);
    expect(defaults.runtime).toMatch(new RegExp(`^gcr\\.io/distroless/nodejs${major}-`));
  });

  it("expands earlier ARGs, drops quotes and stops at the first FROM", () => {
    const dockerfile = join(scratch, "Dockerfile");
    writeFileSync(
      dockerfile,
      `# syntax=docker/dockerfile:1
ARG NODE_VERSION="1.2.3"
ARG BUILD_IMAGE=node:\${NODE_VERSION}-slim
  arg RUNTIME_IMAGE=runtime\${UNSET}:nonroot
FROM \${BUILD_IMAGE} AS build
ARG RUNTIME_IMAGE=after-from:1
`,
    );
    expect(dockerfileDefaults(dockerfile)).toEqual({
      nodeVersion: "1.2.3",
      build: "node:1.2.3-slim",
      runtime: "runtime:nonroot",
    });
  });

  it("says what must be declared when a default is missing before FROM", () => {
    const dockerfile = join(scratch, "Dockerfile");
    writeFileSync(
      dockerfile,
      "ARG NODE_VERSION=1\nARG BUILD_IMAGE=b\nFROM b\nARG RUNTIME_IMAGE=r\n",
    );
    expect(() => dockerfileDefaults(dockerfile)).toThrow(ImageBuildError);
    expect(() => dockerfileDefaults(dockerfile)).toThrow(
      /must declare ARG NODE_VERSION=, BUILD_IMAGE= and RUNTIME_IMAGE= before its first FROM/,
    );
  });
});

describe("containerd's address", () => {
  let server: Server | undefined;

  afterEach(async () => {
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    server = undefined;
  });

  it("is the local node's unless CONTAINERD_ADDRESS names another (empty counts as unset)", () => {
    delete process.env.CONTAINERD_ADDRESS;
    expect(containerdAddress()).toBe(localNodeContainerdAddress);
    process.env.CONTAINERD_ADDRESS = "";
    expect(containerdAddress()).toBe(localNodeContainerdAddress);
    process.env.CONTAINERD_ADDRESS = join(scratch, "other.sock");
    expect(containerdAddress()).toBe(join(scratch, "other.sock"));
  });

  it("passes the check when a socket is there", async () => {
    const socket = join(scratch, "containerd.sock");
    const listening = createServer();
    server = listening;
    await new Promise<void>((resolve) => listening.listen(socket, resolve));
    expect(() => assertContainerd(socket)).not.toThrow();
  });

  it("fails the check, saying how to start the node, when there is no socket", () => {
    const plainFile = join(scratch, "not-a-socket");
    writeFileSync(plainFile, "");
    for (const address of [join(scratch, "missing.sock"), plainFile]) {
      expect(() => assertContainerd(address)).toThrow(ImageLoadError);
      expect(() => assertContainerd(address)).toThrow(
        /no local node runs: .* does not exist.*npm run cluster -- up --node/,
      );
    }
  });
});

describe("hostNpmDir()", () => {
  it("finds the npm package of the npm that runs this (npm_execpath)", () => {
    const npm = join(scratch, "lib", "node_modules", "npm");
    mkdirSync(join(npm, "bin"), { recursive: true });
    writeFileSync(join(npm, "package.json"), JSON.stringify({ name: "npm" }));
    writeFileSync(join(npm, "bin", "npm-cli.js"), "");
    process.env.npm_execpath = join(npm, "bin", "npm-cli.js");
    expect(hostNpmDir()).toBe(realpathSync(npm));
  });
});

describe("run()", () => {
  it("passes stdin, gives each line to detail (the last even unterminated) and keeps stdout", async () => {
    const lines: string[] = [];
    const result = await run("sh", ["-c", "cat; printf 'no newline'"], {
      stdin: "from-stdin\nsecond\r\n",
      detail: (line) => lines.push(line),
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("from-stdin\nsecond\r\nno newline");
    expect(lines).toEqual(["from-stdin", "second", "no newline"]);
  });

  it("gives stderr to detail too and keeps it in the output that failure() reports", async () => {
    const lines: string[] = [];
    const result = await run("sh", ["-c", "echo to-stderr >&2; exit 3"], {
      detail: (line) => lines.push(line),
    });
    expect(result.code).toBe(3);
    expect(result.stdout).toBe("");
    expect(lines).toEqual(["to-stderr"]);
    expect(failure("the script", result)).toBe("the script failed (exit 3):\nto-stderr");
  });

  it("keeps only the end of a long output", async () => {
    const result = await run("sh", ["-c", "yes line | head -n 5000; echo the-end"]);
    expect(result.code).toBe(0);
    expect(result.output.length).toBeLessThanOrEqual(6000);
    expect(result.output.endsWith("the-end")).toBe(true);
  });

  it("resolves with no exit code when the command does not exist", async () => {
    const result = await run(join(scratch, "no-such-command"), []);
    expect(result.code).toBeNull();
    expect(result.output).toMatch(/no-such-command: .*ENOENT/);
    expect(failure("it", result)).toMatch(/^it failed \(exit none\):/);
  });
});
