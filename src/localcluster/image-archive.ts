// A one-binary container image written as a `docker save` archive (manifest.json, config,
// one layer) and imported into the node's containerd: enough for static programs such as the
// Pod sandbox and the e2e's Ingress controller, without a Docker engine or a registry.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";

export class ImageArchiveError extends Error {
  override name = "ImageArchiveError";
}

export interface OneBinaryImage {
  /** Image reference, e.g. `dnsimple-cert-operator.local/pause:1`. */
  name: string;
  /** Path of the static binary; it becomes `/<its file name>` in the image. */
  binary: string;
  entrypoint: string;
  user: string;
}

function tar(args: readonly string[]): void {
  const result = spawnSync("tar", args, { encoding: "utf8" });
  if (result.status !== 0) {
    throw new ImageArchiveError(`tar ${args.join(" ")} failed: ${result.stderr ?? result.error}`);
  }
}

const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");

/** Writes the image archive to `archive`. */
export function writeImageArchive(archive: string, image: OneBinaryImage): void {
  const work = mkdtempSync(join(tmpdir(), "image-archive-"));
  try {
    const rootfs = join(work, "rootfs");
    mkdirSync(rootfs);
    const file = basename(image.binary);
    copyFileSync(image.binary, join(rootfs, file));
    const owner = ["--owner=0", "--group=0", "--numeric-owner", "--mode=0755"];
    tar([...owner, "-C", rootfs, "-cf", join(work, "layer.tar"), file]);
    const layer = readFileSync(join(work, "layer.tar"));
    const config = {
      architecture: "amd64",
      os: "linux",
      config: { Entrypoint: [image.entrypoint], User: image.user },
      rootfs: { type: "layers", diff_ids: [`sha256:${sha256(layer)}`] },
    };
    writeFileSync(join(work, "config.json"), JSON.stringify(config));
    const manifest = [{ Config: "config.json", RepoTags: [image.name], Layers: ["layer.tar"] }];
    writeFileSync(join(work, "manifest.json"), JSON.stringify(manifest));
    tar(["-C", work, "-cf", archive, "manifest.json", "config.json", "layer.tar"]);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Imports an image archive into containerd's CRI namespace, where kubelet finds it (idempotent). */
export function importImageArchive(archive: string, containerdAddress: string): void {
  const args = ["--address", containerdAddress, "-n", "k8s.io", "images", "import", archive];
  const result = spawnSync("ctr", args, { encoding: "utf8" });
  if (result.status !== 0) {
    throw new ImageArchiveError(
      `ctr ${args.join(" ")} failed: ${`${result.stdout ?? ""}${result.stderr ?? ""}`.trim() || result.error}`,
    );
  }
}
