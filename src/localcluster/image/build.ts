// Builds the operator's image from the project's Dockerfile with the local Docker engine, on the
// base images base-images.ts chooses, and tags it by content. npm in the build stage trusts the
// CA certificates this Node trusts beyond its bundle (a TLS-intercepting proxy's), handed over as
// a build argument that never reaches the final image.
//
// It drives the docker CLI, not testcontainers: GenericContainer.fromDockerfile(...).build()
// (testcontainers 12.2.0) takes build args but has no option for the build's network, and npm
// inside the build needs the host's (`--network host`; the engine runs with --bridge=none, so
// the default build network has no route out). It also starts its Ryuk reaper container (an
// image that cannot be pulled here) unless TESTCONTAINERS_RYUK_DISABLED is set, shows the
// build's output only at trace level and reports a failed build as "Failed to build image"
// without docker's message.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { rootCertificates } from "node:tls";
import { type BaseImageOptions, ensureBaseImages } from "./base-images.ts";
import { failure, type Log, noLog } from "./commands.ts";
import { docker, ensureDockerEngine } from "./docker-engine.ts";
import type { BaseImages } from "./dockerfile.ts";
import { ImageBuildError } from "./errors.ts";
import { projectRoot } from "./project-root.ts";

export interface DockerBuildOptions {
  context: string;
  /** Relative to the context (default Dockerfile). */
  dockerfile?: string;
  tag: string;
  buildArgs?: Record<string, string>;
  /**
   * Build args whose values are handed to the docker CLI through its environment rather than
   * its command line (not shown by ps; up to 128 KiB each).
   */
  envBuildArgs?: Record<string, string>;
  /** The network of RUN steps; "host" lets them reach registries (default). */
  network?: "host" | "none" | "default";
  detail?: Log;
}

/** Linux refuses an environment string longer than this (MAX_ARG_STRLEN). */
const MAX_ENV_STRING = 128 * 1024 - 1;

/**
 * `docker build` with the classic builder (DOCKER_BUILDKIT=0): it takes --build-arg and
 * --network host as they are, and needs nothing from a registry (BuildKit would fetch the
 * `# syntax=` frontend image; the Debian engine has no buildx). Returns the image id.
 */
export async function dockerBuild(options: DockerBuildOptions): Promise<string> {
  const env: NodeJS.ProcessEnv = { ...process.env, DOCKER_BUILDKIT: "0" };
  const args = ["build", "--network", options.network ?? "host", "--tag", options.tag];
  args.push("--file", join(options.context, options.dockerfile ?? "Dockerfile"));
  for (const [name, value] of Object.entries(options.buildArgs ?? {})) {
    args.push("--build-arg", `${name}=${value}`);
  }
  for (const [name, value] of Object.entries(options.envBuildArgs ?? {})) {
    if (name.length + value.length + 1 > MAX_ENV_STRING) {
      throw new ImageBuildError(`build arg ${name} is over 128 KiB, too long to pass to docker`);
    }
    env[name] = value;
    args.push("--build-arg", name);
  }
  const built = await docker([...args, options.context], { env, detail: options.detail });
  if (built.code !== 0)
    throw new ImageBuildError(failure(`docker build --tag ${options.tag}`, built));
  const id = await docker(["image", "inspect", "--format", "{{.Id}}", options.tag]);
  if (id.code !== 0) throw new ImageBuildError(failure(`docker image inspect ${options.tag}`, id));
  return id.stdout.trim();
}

function pemBlocks(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

/**
 * The CA certificates this Node trusts through NODE_EXTRA_CA_CERTS beyond its own bundle (e.g.
 * a TLS-intercepting proxy's): what npm in the build container, a Node of the same major with
 * the same bundle, lacks to trust the same registry connection. Empty when there are none.
 */
export function extraCaCerts(file = process.env.NODE_EXTRA_CA_CERTS): string {
  if (!file) return "";
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new ImageBuildError(
      `NODE_EXTRA_CA_CERTS=${file} cannot be read (${(err as Error).message}): fix or unset it`,
    );
  }
  const bundled = new Set(rootCertificates.map((pem) => pem.replace(/\s+/g, "")));
  return pemBlocks(text)
    .filter((pem) => !bundled.has(pem.replace(/\s+/g, "")))
    .join("\n");
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(projectRoot, "package.json"), "utf8")) as {
    version: string;
  };
  return pkg.version;
}

export interface BuildImageOptions extends BaseImageOptions {
  /** Default: ensureBaseImages(options). */
  baseImages?: BaseImages;
  /** PEM text npm in the build trusts (default: extraCaCerts()). Never reaches the image. */
  caCerts?: string;
  /** Default dnsimple-cert-operator. */
  repository?: string;
}

/**
 * Builds the operator's image from the project's Dockerfile (ensuring the engine and the base
 * images first) and returns its reference, `<repository>:<version>-dev-<12 hex digits of the
 * image id>`: a new tag for new content (so a node that has an older build runs the new one),
 * the same tag when nothing changed. `<repository>:<version>-dev` names the latest build too.
 */
export async function buildImage(options: BuildImageOptions = {}): Promise<string> {
  const log = options.log ?? noLog;
  await ensureDockerEngine({ log });
  const base = options.baseImages ?? (await ensureBaseImages(options));
  const repository = options.repository ?? "dnsimple-cert-operator";
  const devTag = `${repository}:${packageVersion()}-dev`;
  const caCerts = options.caCerts ?? extraCaCerts();
  log(`building ${devTag} on ${base.build} and ${base.runtime}`);
  if (caCerts) log(`npm in the build trusts ${pemBlocks(caCerts).length} extra CA certificates`);
  const started = Date.now();
  const id = await dockerBuild({
    context: projectRoot,
    tag: devTag,
    buildArgs: { BUILD_IMAGE: base.build, RUNTIME_IMAGE: base.runtime },
    envBuildArgs: caCerts ? { BUILD_CA_CERTS: caCerts } : {},
    network: "host",
    detail: options.detail,
  });
  const ref = `${devTag}-${id.replace(/^sha256:/, "").slice(0, 12)}`;
  const tagged = await docker(["tag", devTag, ref]);
  if (tagged.code !== 0) throw new ImageBuildError(failure(`docker tag ${ref}`, tagged));
  log(`built ${ref} in ${Math.round((Date.now() - started) / 1000)}s`);
  return ref;
}
