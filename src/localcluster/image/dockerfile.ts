// What the Dockerfile declares about its base images, read from its ARG defaults so the code
// that builds it does not repeat them: BUILD_IMAGE and RUNTIME_IMAGE (build arguments, which
// the build sets to stand-ins where the real images cannot be pulled) and NODE_VERSION.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ImageBuildError } from "./errors.ts";
import { projectRoot } from "./project-root.ts";

export interface BaseImages {
  /** Passed as BUILD_IMAGE: has node and npm, and a shell for RUN. */
  build: string;
  /** Passed as RUNTIME_IMAGE: distroless-like, entrypoint /nodejs/bin/node. */
  runtime: string;
}

export interface DockerfileDefaults extends BaseImages {
  nodeVersion: string;
}

/** The ARG defaults before the Dockerfile's first FROM, with ${NAME} expanded. */
export function dockerfileDefaults(
  dockerfile = join(projectRoot, "Dockerfile"),
): DockerfileDefaults {
  const args: Record<string, string> = {};
  for (const line of readFileSync(dockerfile, "utf8").split("\n")) {
    if (/^\s*FROM\s/i.test(line)) break;
    const match = line.match(/^\s*ARG\s+(\w+)=(.*)$/i);
    if (!match?.[1] || match[2] === undefined) continue;
    const value = match[2].trim().replace(/^"(.*)"$/, "$1");
    args[match[1]] = value.replace(/\$\{(\w+)\}/g, (_, name: string) => args[name] ?? "");
  }
  const { NODE_VERSION: nodeVersion, BUILD_IMAGE: build, RUNTIME_IMAGE: runtime } = args;
  if (!nodeVersion || !build || !runtime) {
    throw new ImageBuildError(
      `${dockerfile} must declare ARG NODE_VERSION=, BUILD_IMAGE= and RUNTIME_IMAGE= before its first FROM`,
    );
  }
  return { nodeVersion, build, runtime };
}
