// What a TLS client and a careful reader see: a handshake that trusts only the simulator's
// root (the peer certificate's serial and the answer), and a Secret checked link by link
// against that root with Node's own X509Certificate.
import { createPrivateKey, X509Certificate } from "node:crypto";
import { request } from "node:https";

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

const pemBlocks = (pem: string) =>
  pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g) ?? [];

export interface VerifiedSecret {
  serial: string;
  dnsNames: string[];
}

/**
 * Checks a kubernetes.io/tls Secret's data against `rootPem`: leaf signed by the next
 * certificate, the last one by the root, the key matching the leaf, the leaf valid now.
 * Returns the leaf's serial (upper-case hex) and SANs; throws with the broken link.
 */
export function verifySecret(data: Record<string, string>, rootPem: string): VerifiedSecret {
  const decode = (key: string) => Buffer.from(data[key] ?? "", "base64").toString("utf8");
  const chain = pemBlocks(decode("tls.crt")).map((p) => new X509Certificate(p));
  const root = new X509Certificate(rootPem);
  const [leaf] = chain;
  if (!leaf || chain.length < 2)
    throw new Error(`tls.crt holds ${chain.length} certificates, not leaf + chain`);
  for (const [i, cert] of chain.entries()) {
    const issuer = chain[i + 1] ?? root;
    if (!cert.verify(issuer.publicKey))
      throw new Error(`certificate ${i} is not signed by the next one`);
  }
  if (!leaf.checkPrivateKey(createPrivateKey(decode("tls.key"))))
    throw new Error("tls.key does not match");
  const now = Date.now();
  if (now < Date.parse(leaf.validFrom) || now > Date.parse(leaf.validTo))
    throw new Error("leaf not valid now");
  const dnsNames = (leaf.subjectAltName ?? "")
    .split(", ")
    .filter((n) => n.startsWith("DNS:"))
    .map((n) => n.slice(4));
  return { serial: leaf.serialNumber.toUpperCase(), dnsNames };
}
