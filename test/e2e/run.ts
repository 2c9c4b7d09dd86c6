// `npm run test:e2e`: the end-to-end suite (build the image, install the chart into k3s, issue a
// certificate, serve it through the k3s Ingress). It needs a Docker engine; where there is none
// it says so plainly and exits 0 without running anything (it is not part of `npm test`).
import { spawnSync } from "node:child_process";
import { join } from "node:path";

function dockerEngine(): string | undefined {
  const probe = spawnSync("docker", ["version", "--format", "{{.Server.Version}}"], {
    encoding: "utf8",
  });
  return probe.status === 0 && probe.stdout.trim() !== "" ? probe.stdout.trim() : undefined;
}

const engine = process.env.DOCKER_HOST ? "DOCKER_HOST" : dockerEngine();
if (!engine) {
  process.stdout.write(
    "test:e2e SKIPPED: no Docker engine is reachable here (`docker version` finds no server and " +
      "DOCKER_HOST is unset). The end-to-end suite builds the image and runs k3s in Docker; run it " +
      "where a Docker engine exists.\n",
  );
  process.exit(0);
}
const root = join(import.meta.dirname, "..", "..");
const result = spawnSync(
  process.execPath,
  [
    join(root, "node_modules", "vitest", "vitest.mjs"),
    "run",
    "--config",
    join(root, "test", "e2e", "vitest.config.ts"),
  ],
  { stdio: "inherit", cwd: root },
);
process.exit(result.status ?? 1);
