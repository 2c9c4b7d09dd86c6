// A container's memory as the kernel accounts it: the peak, the limit and the OOM kills, read
// from its cgroup (kubelet's cgroupfs layout, `kubepods/.../<container id>`), cgroup v1 or v2.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export interface MemoryAccount {
  peakBytes: number;
  limitBytes: number;
  oomKills: number;
}

function findFolder(dir: string, name: string): string | undefined {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    if (entry.name === name) return join(dir, entry.name);
    const found = findFolder(join(dir, entry.name), name);
    if (found) return found;
  }
  return undefined;
}

const v2 = () => existsSync("/sys/fs/cgroup/cgroup.controllers");

export function memoryOf(containerId: string): MemoryAccount {
  const base = v2() ? "/sys/fs/cgroup/kubepods" : "/sys/fs/cgroup/memory/kubepods";
  const dir = findFolder(base, containerId);
  if (!dir) throw new Error(`no memory cgroup for container ${containerId} under ${base}`);
  const read = (file: string) => readFileSync(join(dir, file), "utf8");
  const oomKills = (text: string) => Number(text.match(/^oom_kill (\d+)$/m)?.[1] ?? Number.NaN);
  return v2()
    ? {
        peakBytes: Number(read("memory.peak")),
        limitBytes: Number(read("memory.max")),
        oomKills: oomKills(read("memory.events")),
      }
    : {
        peakBytes: Number(read("memory.max_usage_in_bytes")),
        limitBytes: Number(read("memory.limit_in_bytes")),
        oomKills: oomKills(read("memory.oom_control")),
      };
}
