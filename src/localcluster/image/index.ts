// Builds the operator's image from the Dockerfile with the local Docker engine and loads it into
// the local node's containerd: for `npm run image` (cli.ts), the e2e and other images (e.g.
// Traefik's). No container registry may be reachable, so where the real base images cannot be
// pulled it makes stand-ins from Debian's packages (mmdebstrap) and the `node` devDependency's
// binary, and names them through the Dockerfile's BUILD_IMAGE / RUNTIME_IMAGE build arguments.
// It drives the docker CLI, not testcontainers (build.ts says why). This file names what other
// code uses; the files beside it do one job each.
export type { BaseImageOptions } from "./base-images.ts";
export type { BuildImageOptions } from "./build.ts";
export { buildImage } from "./build.ts";
export type { Log } from "./commands.ts";
export type { DockerEngine, DockerEngineOptions } from "./docker-engine.ts";
export { DOCKERD_FLAGS, ensureDockerEngine } from "./docker-engine.ts";
export type { BaseImages } from "./dockerfile.ts";
export {
  DockerEngineError,
  ImageBuildError,
  ImageError,
  ImageLoadError,
  StandInError,
} from "./errors.ts";
export type { LoadOptions } from "./load.ts";
export { assertContainerd, containerdAddress, loadImage } from "./load.ts";
export type { StandInOptions } from "./stand-ins.ts";
