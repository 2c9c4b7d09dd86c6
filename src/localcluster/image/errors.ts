// The image code's failures as typed classes under one base, ImageError: each message says what
// to do about it, so `npm run image` prints the message alone and other errors with their stack.

/** Base class: every failure here says what to do about it. */
export class ImageError extends Error {
  override name = "ImageError";
}
/** No Docker engine answers and none can be started. */
export class DockerEngineError extends ImageError {
  override name = "DockerEngineError";
}
/** A stand-in base image could not be made. */
export class StandInError extends ImageError {
  override name = "StandInError";
}
/** `docker build` (or preparing its inputs) failed. */
export class ImageBuildError extends ImageError {
  override name = "ImageBuildError";
}
/** The image could not be loaded into containerd. */
export class ImageLoadError extends ImageError {
  override name = "ImageLoadError";
}
