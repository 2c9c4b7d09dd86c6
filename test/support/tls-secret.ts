// A kubernetes.io/tls Secret as a careful reader checks it: the chain link by link against the
// simulator's root, with Node's own X509Certificate; the e2e and integration tests share it.
import { createPrivateKey, X509Certificate } from "node:crypto";

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
