// What a TLS client sees: a handshake that trusts only the simulator's root (the peer
// certificate's serial and the answer). The Secret, checked link by link against that root,
// is test/support/tls-secret.ts's (the integration tests use it too).
import { request } from "node:https";

export { type VerifiedSecret, verifySecret } from "../../support/tls-secret.ts";

export interface Served {
  serial: string;
  body: string;
}

/** GET / on `address`:`port` naming `host` (SNI and Host), trusting only `ca`. */
export function fetchServed(
  address: string,
  port: number,
  host: string,
  ca: string,
): Promise<Served> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: address,
        port,
        path: "/",
        servername: host,
        headers: { host },
        ca,
        timeout: 5000,
        agent: false,
      },
      (res) => {
        const serial =
          res.socket && "getPeerCertificate" in res.socket
            ? (res.socket as import("node:tls").TLSSocket).getPeerCertificate().serialNumber
            : "";
        let body = "";
        res.on("data", (chunk: Buffer) => {
          body += chunk.toString();
        });
        res.on("end", () => resolve({ serial: serial.toUpperCase(), body }));
      },
    );
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    req.end();
  });
}
