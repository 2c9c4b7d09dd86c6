// Stand-ins for the Dockerfile's base images, for where the real ones cannot be pulled: made
// from Debian's packages (mmdebstrap) plus the Node and npm of stand-in-node.ts, laid out like
// node:<version>-bookworm-slim and distroless nodejs, tagged dnsimple-cert-operator-standin/...,
// made once and reused.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { commandOnPath, failure, type Log, noLog, run } from "./commands.ts";
import { docker, imageExists } from "./docker-engine.ts";
import type { BaseImages } from "./dockerfile.ts";
import { StandInError } from "./errors.ts";
import { hostNpmDir, nodeBinaryPath, nodeVersion } from "./stand-in-node.ts";

const STAND_IN_REPOSITORY = "dnsimple-cert-operator-standin";
const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

export interface StandInOptions {
  log?: Log;
  detail?: Log;
  /** A Linux node binary (default: the `node` devDependency's). */
  nodeBinary?: string;
  /** An npm package folder (default: the npm running this, or the one on PATH). */
  npmDir?: string;
}

function standInTag(kind: "build" | "runtime", version: string): string {
  return `${STAND_IN_REPOSITORY}/${kind}:${version}`;
}

/**
 * Stand-ins for the Dockerfile's base images, made once and reused (by tag):
 * - build: Debian bookworm minbase + ca-certificates, node at /usr/local/bin/node and npm, like
 *   node:<version>-bookworm-slim;
 * - runtime: laid out like distroless nodejs: node at /nodejs/bin/node (its entrypoint) with only
 *   the libraries it links, CA certificates, passwd/group with nonroot (65532), no shell.
 */
export async function ensureStandIns(options: StandInOptions = {}): Promise<BaseImages> {
  const log = options.log ?? noLog;
  const binary = options.nodeBinary ?? nodeBinaryPath();
  const version = await nodeVersion(binary);
  const build = standInTag("build", version);
  const runtime = standInTag("runtime", version);
  if (await imageExists(build)) {
    log(`reusing stand-in ${build}`);
  } else {
    await makeBuildStandIn(build, binary, options.npmDir ?? hostNpmDir(), version, options);
  }
  if (await imageExists(runtime)) {
    log(`reusing stand-in ${runtime}`);
  } else {
    await makeRuntimeStandIn(runtime, build, options);
  }
  return { build, runtime };
}

/** The host's deb822 Debian sources when they are bookworm's (its mirror is known to work). */
function hostDebianSources(): string | undefined {
  const path = "/etc/apt/sources.list.d/debian.sources";
  try {
    return /\bbookworm\b/.test(readFileSync(path, "utf8")) ? path : undefined;
  } catch {
    return undefined;
  }
}

/** mmdebstrap's arguments: hooks copy node and npm in (paths come through the environment). */
function mmdebstrapArgs(target: string): string[] {
  const sources = hostDebianSources();
  return [
    "--variant=minbase",
    "--include=ca-certificates",
    "--format=tar",
    '--customize-hook=install -D -m 0755 "$STANDIN_NODE" "$1/usr/local/bin/node"',
    '--customize-hook=mkdir -p "$1/usr/local/lib/node_modules" && cp -a "$STANDIN_NPM" "$1/usr/local/lib/node_modules/npm"',
    '--customize-hook=ln -s ../lib/node_modules/npm/bin/npm-cli.js "$1/usr/local/bin/npm" && ln -s ../lib/node_modules/npm/bin/npx-cli.js "$1/usr/local/bin/npx"',
    "bookworm",
    target,
    // Without a mirror mmdebstrap uses deb.debian.org; the host's sources add its updates and
    // security suites. Both are http:// (apt checks signatures), so no TLS proxy CA is needed.
    ...(sources ? [sources] : []),
  ];
}

async function makeBuildStandIn(
  tag: string,
  binary: string,
  npmDir: string,
  version: string,
  options: StandInOptions,
): Promise<void> {
  const log = options.log ?? noLog;
  if (!commandOnPath("mmdebstrap")) {
    throw new StandInError(
      "the base images cannot be pulled and mmdebstrap, which makes stand-ins, is not installed: " +
        "`apt-get install mmdebstrap` (or make the registry reachable).",
    );
  }
  const work = mkdtempSync(join(tmpdir(), "standin-"));
  const rootfs = join(work, "rootfs.tar");
  try {
    const started = Date.now();
    log(
      `making stand-in ${tag}: mmdebstrap bookworm minbase + node ${version} + npm (about a minute)`,
    );
    const made = await run("mmdebstrap", mmdebstrapArgs(rootfs), {
      env: { ...process.env, STANDIN_NODE: binary, STANDIN_NPM: npmDir },
      detail: options.detail,
    });
    if (made.code !== 0) throw new StandInError(failure("mmdebstrap", made));
    const changes = [`ENV PATH=${DEFAULT_PATH}`, `ENV NODE_VERSION=${version}`, 'CMD ["node"]'];
    const imported = await docker([
      "import",
      ...changes.flatMap((change) => ["--change", change]),
      "--message",
      `stand-in for node:${version}-bookworm-slim (Debian bookworm minbase, node, npm from ${npmDir})`,
      rootfs,
      tag,
    ]);
    if (imported.code !== 0) throw new StandInError(failure(`docker import ${tag}`, imported));
    log(`made ${tag} in ${Math.round((Date.now() - started) / 1000)}s`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * The runtime stand-in's Dockerfile: copies node, the libraries `ldd` says it links (by their
 * merged-/usr paths, symlinks kept) and a few /etc files out of the build stand-in into scratch.
 */
function runtimeStandInDockerfile(from: string): string {
  return `FROM ${from} AS source
RUN set -eu; out=/out; \\
    mkdir -p $out/nodejs/bin $out/etc/ssl/certs $out/tmp $out/usr/lib $out/home/nonroot; \\
    ln -s usr/lib $out/lib; \\
    if [ -d /usr/lib64 ]; then mkdir -p $out/usr/lib64 && ln -s usr/lib64 $out/lib64; fi; \\
    cp /usr/local/bin/node $out/nodejs/bin/node; \\
    for f in $(ldd /usr/local/bin/node | grep -o '/[^ ]*'); do \\
      f=/usr\${f#/usr}; cp -P --parents "$f" $out; cp --parents "$(readlink -f "$f")" $out; \\
    done; \\
    cp /etc/ssl/certs/ca-certificates.crt $out/etc/ssl/certs/; \\
    printf '%s\\n' 'root:x:0:0:root:/root:/sbin/nologin' 'nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin' \\
      'nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin' > $out/etc/passwd; \\
    printf '%s\\n' 'root:x:0:' 'nobody:x:65534:' 'nonroot:x:65532:' > $out/etc/group; \\
    printf 'hosts: files dns\\n' > $out/etc/nsswitch.conf; \\
    chmod 1777 $out/tmp; \\
    $out/nodejs/bin/node --version
FROM scratch
COPY --from=source /out/ /
COPY --from=source --chown=65532:65532 /out/home/nonroot /home/nonroot
ENV PATH=${DEFAULT_PATH} SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
USER 65532:65532
WORKDIR /home/nonroot
ENTRYPOINT ["/nodejs/bin/node"]
`;
}

async function makeRuntimeStandIn(
  tag: string,
  from: string,
  options: StandInOptions,
): Promise<void> {
  (options.log ?? noLog)(`making stand-in ${tag} from ${from} (distroless layout)`);
  const built = await docker(["build", "--network", "none", "--tag", tag, "-"], {
    env: { ...process.env, DOCKER_BUILDKIT: "0" },
    stdin: runtimeStandInDockerfile(from),
    detail: options.detail,
  });
  if (built.code !== 0) throw new StandInError(failure(`docker build ${tag}`, built));
}
