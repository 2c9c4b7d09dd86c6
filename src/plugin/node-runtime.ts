// Whether this Node can run the plugin, and if not, the project's own. @kubernetes/client-node
// 2.x loads undici 8, which needs Node 22.19 or later (on Node 20 it fails while loading, with a
// TypeError nobody could act on). `npm install -g .` links the command to whatever `node` is
// first on the user's PATH; a checkout also holds the Node the project pins (the `node`
// devDependency, node_modules/node/bin/node), so an older system Node hands over to that one.
// Only node: built-ins here: this runs before anything that needs a newer Node is loaded.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The oldest Node the plugin's dependencies load on (undici 8's engines). */
export const MINIMUM_NODE = [22, 19] as const;

/** Set on the handed-over process, so a pinned Node that is also too old cannot loop. */
const HANDED_OVER = "KUBECTL_DNSCERT_REEXEC";

/** Whether `version` ("v24.1.0") is at least MINIMUM_NODE. */
export function nodeSuffices(version: string): boolean {
  const [major = 0, minor = 0] = version.replace(/^v/, "").split(".").map(Number);
  const [needMajor, needMinor] = MINIMUM_NODE;
  return major > needMajor || (major === needMajor && minor >= needMinor);
}

/**
 * On a Node too old, runs the script again on the project's pinned Node and exits with its
 * status; without one, exits 1 with what to do. Returns when this Node suffices.
 */
export function ensureNode(scriptUrl: string): void {
  if (nodeSuffices(process.version)) return;
  // The script is <root>/src/plugin/ or <root>/dist/plugin/: the pinned Node is in <root>.
  const pinned = fileURLToPath(new URL("../../node_modules/node/bin/node", scriptUrl));
  if (existsSync(pinned) && process.env[HANDED_OVER] === undefined) {
    const result = spawnSync(pinned, [fileURLToPath(scriptUrl), ...process.argv.slice(2)], {
      stdio: "inherit",
      env: { ...process.env, [HANDED_OVER]: "1" },
    });
    process.exit(result.status ?? 1);
  }
  process.stderr.write(
    `error: kubectl-dnscert needs Node ${MINIMUM_NODE.join(".")} or later; this is ${process.version}. ` +
      "Run it with a newer node on PATH, with npx in a checkout, or from the operator's image.\n",
  );
  process.exit(1);
}
