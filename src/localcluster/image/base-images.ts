// Chooses the base images a build uses: the Dockerfile's real ones where they are here or can
// be pulled, else stand-ins (no container registry may be reachable; stand-ins.ts makes them),
// one by one, and warns when the stand-ins' Node is not the Dockerfile's NODE_VERSION.
import { type Log, noLog } from "./commands.ts";
import { docker, imageExists } from "./docker-engine.ts";
import { type BaseImages, dockerfileDefaults } from "./dockerfile.ts";
import { nodeBinaryPath, nodeVersion } from "./stand-in-node.ts";
import { ensureStandIns, type StandInOptions } from "./stand-ins.ts";

/** Whether `ref` is here, pulling it if need be. */
async function haveOrPull(ref: string, log: Log): Promise<boolean> {
  if (await imageExists(ref)) return true;
  log(`pulling ${ref}`);
  const pulled = await docker(["pull", ref], { timeoutMs: 10 * 60_000 });
  if (pulled.code === 0) return true;
  log(`cannot pull ${ref}: ${pulled.output.split("\n").at(-1)}`);
  return false;
}

export interface BaseImageOptions extends StandInOptions {
  dockerfile?: string;
  /** Skip the real images and use stand-ins. */
  standIns?: boolean;
}

/** The Dockerfile's real base images where they are here or can be pulled, else stand-ins. */
export async function ensureBaseImages(options: BaseImageOptions = {}): Promise<BaseImages> {
  const log = options.log ?? noLog;
  const real = dockerfileDefaults(options.dockerfile);
  const useReal = async (ref: string) => !options.standIns && (await haveOrPull(ref, log));
  const build = (await useReal(real.build)) ? real.build : undefined;
  const runtime = (await useReal(real.runtime)) ? real.runtime : undefined;
  if (build && runtime) return { build, runtime };
  const standIns = await ensureStandIns(options);
  const version = await nodeVersion(options.nodeBinary ?? nodeBinaryPath());
  if (version !== real.nodeVersion) {
    log(
      `warning: the stand-ins have Node ${version}, the Dockerfile's NODE_VERSION is ${real.nodeVersion}`,
    );
  }
  return { build: build ?? standIns.build, runtime: runtime ?? standIns.runtime };
}
