// /healthz (the process is alive and its event loop turns) and /readyz (the caches are synced
// and the operator is not shutting down), for Kubernetes probes.
import { createServer, type Server } from "node:http";
import type { Address } from "../config.ts";

export interface HealthChecks {
  ready: () => { ok: boolean; detail: string };
}

export function startHealthServer(address: Address, checks: HealthChecks): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/healthz" || path === "/livez") {
      res.writeHead(200, { "content-type": "text/plain" }).end("ok");
      return;
    }
    if (path === "/readyz") {
      const { ok, detail } = checks.ready();
      res.writeHead(ok ? 200 : 503, { "content-type": "text/plain" }).end(ok ? "ok" : detail);
      return;
    }
    res.writeHead(404, { "content-type": "text/plain" }).end("not found");
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(address.port, address.host, () => resolve(server));
  });
}
