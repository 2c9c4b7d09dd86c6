// `npm run test:e2e`: the end-to-end suite, never part of `npm test`. By default on this
// project's local node (chart-on-node.test.ts: root, Debian's docker.io, containerd, runc,
// containernetworking-plugins, iptables, mmdebstrap; no registry needed). With
// E2E_CLUSTER=k3s, the alternative on k3s in Docker (k3s.test.ts; needs a Docker engine that
// can pull public images). A machine that lacks what the chosen path needs fails with what to
// install: an e2e that cannot run is not a pass.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { commandOnPath } from "../../src/localcluster/image/commands.ts";
import { checkNodePrerequisites, NodePrerequisiteError } from "../../src/localcluster/node.ts";

const root = join(import.meta.dirname, "..", "..");
const mode = process.env.E2E_CLUSTER ?? "node";
const files: Record<string, string> = {
  node: "test/e2e/chart-on-node.test.ts",
  k3s: "test/e2e/k3s.test.ts",
};
const file = files[mode];
if (!file) {
  process.stderr.write(`test:e2e: E2E_CLUSTER must be node or k3s, not ${mode}\n`);
  process.exit(2);
}

function nodeModeProblem(): string | undefined {
  try {
    checkNodePrerequisites();
  } catch (err) {
    if (err instanceof NodePrerequisiteError) return err.message;
    throw err;
  }
  const missing = ["dockerd", "docker", "mmdebstrap"].filter((c) => !commandOnPath(c));
  if (missing.length > 0) {
    return `the image build needs ${missing.join(", ")}: \`apt-get install -y --no-install-recommends docker.io mmdebstrap\``;
  }
  return undefined;
}

if (mode === "node") {
  const problem = nodeModeProblem();
  if (problem) {
    process.stderr.write(`test:e2e cannot run here: ${problem}\n`);
    process.exit(1);
  }
}

const result = spawnSync(
  process.execPath,
  [
    join(root, "node_modules", "vitest", "vitest.mjs"),
    "run",
    "--config",
    join(root, "test", "e2e", "vitest.config.ts"),
    file,
  ],
  {
    stdio: "inherit",
    cwd: root,
    // testcontainers' reaper image cannot be pulled where no registry is reachable (the suite
    // stops its own containers), and its host detection asks for Docker's `bridge` network,
    // which an engine started with --bridge=none does not have.
    env: {
      TESTCONTAINERS_RYUK_DISABLED: "true",
      TESTCONTAINERS_HOST_OVERRIDE: "127.0.0.1",
      ...process.env,
    },
  },
);
process.exit(result.status ?? 1);
