// Loads an image the Docker engine has into a containerd (by default the local node's, in the
// kubelet's namespace k8s.io): `docker save | ctr images import -`, then checks that containerd
// lists it under the name the kubelet looks up (normalizedReference).
import { spawn } from "node:child_process";
import { statSync } from "node:fs";
import { containerdAddress as localNodeContainerdAddress } from "../node.ts";
import { failure, follow, type Log, noLog, run } from "./commands.ts";
import { ImageLoadError } from "./errors.ts";

export interface LoadOptions {
  /** containerd's socket (default: CONTAINERD_ADDRESS, else the local node's). */
  address?: string;
  /** Default k8s.io, the kubelet's. */
  namespace?: string;
  log?: Log;
  detail?: Log;
}

/**
 * containerd's socket: CONTAINERD_ADDRESS, else the local node's (see ../node.ts), whose
 * kubelet uses namespace k8s.io.
 */
export function containerdAddress(): string {
  return process.env.CONTAINERD_ADDRESS || localNodeContainerdAddress;
}

/** How containerd names a Docker reference: docker.io/library/name:tag for a bare name. */
export function normalizedReference(ref: string): string {
  const first = ref.split("/")[0] ?? "";
  const hasRegistry = ref.includes("/") && (/[.:]/.test(first) || first === "localhost");
  if (hasRegistry) return ref;
  return ref.includes("/") ? `docker.io/${ref}` : `docker.io/library/${ref}`;
}

function isSocket(path: string): boolean {
  try {
    return statSync(path).isSocket();
  } catch {
    return false;
  }
}

/** Throws, saying how to start it, unless containerd's socket exists (cheap: check it first). */
export function assertContainerd(address = containerdAddress()): void {
  if (isSocket(address)) return;
  throw new ImageLoadError(
    `no local node runs: containerd's socket ${address} does not exist. Start the node with ` +
      "`npm run cluster -- up --node` (or set CONTAINERD_ADDRESS to another containerd); " +
      "`npm run image -- --no-load` only builds.",
  );
}

/** `docker save ref | ctr images import -`, with both commands' output kept for errors. */
async function saveInto(ref: string, ctrArgs: readonly string[], detail?: Log) {
  const save = spawn("docker", ["save", ref], { stdio: ["ignore", "pipe", "pipe"] });
  const ctr = spawn("ctr", ctrArgs, { stdio: ["pipe", "pipe", "pipe"] });
  ctr.stdin.on("error", () => {}); // ctr failing early: its own exit code and output say why
  save.stdout.pipe(ctr.stdin);
  const [saved, imported] = await Promise.all([
    follow(save, "docker save", { detail, captureStdout: false }),
    follow(ctr, "ctr", { detail }),
  ]);
  return { saved, imported };
}

/** Loads any image the Docker engine has into containerd (the local node's by default). */
export async function loadImage(ref: string, options: LoadOptions = {}): Promise<void> {
  const address = options.address ?? containerdAddress();
  const namespace = options.namespace ?? "k8s.io";
  assertContainerd(address);
  (options.log ?? noLog)(`loading ${ref} into containerd at ${address} (namespace ${namespace})`);
  const ctrArgs = ["--address", address, "--namespace", namespace, "images", "import", "-"];
  const { saved, imported } = await saveInto(ref, ctrArgs, options.detail);
  if (saved.code !== 0) throw new ImageLoadError(failure(`docker save ${ref}`, saved));
  if (imported.code !== 0) throw new ImageLoadError(failure("ctr images import", imported));
  const listed = await run("ctr", [
    "--address",
    address,
    "--namespace",
    namespace,
    "images",
    "ls",
    "-q",
  ]);
  if (!listed.stdout.split("\n").includes(normalizedReference(ref))) {
    throw new ImageLoadError(
      `ctr images import finished but containerd does not list ${normalizedReference(ref)}:\n${imported.output}`,
    );
  }
}
