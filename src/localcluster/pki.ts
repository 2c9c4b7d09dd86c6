// The local control plane's credentials: a CA, the apiserver's serving certificate, an admin
// client certificate (group system:masters, the kubeconfig's user) and the service-account
// signing key pair, so tests can act as a ServiceAccount with a real, RBAC-checked token.
// With a node, also what kubeadm would make for it: the apiserver's certificate covers the
// `kubernetes` Service IP and the address Pods use, and the kubelet gets a client identity
// (system:node:NAME, so the Node authorizer limits it to its own Pods) and a serving one.
import "reflect-metadata";
import { generateKeyPairSync, webcrypto } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import * as x509 from "@peculiar/x509";

x509.cryptoProvider.set(webcrypto);

const ecdsa = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;

export interface ControlPlanePki {
  caCert: string;
  servingCert: string;
  servingKey: string;
  adminCert: string;
  adminKey: string;
  files: {
    caCert: string;
    servingCert: string;
    servingKey: string;
    serviceAccountPublicKey: string;
    serviceAccountPrivateKey: string;
  };
  /** Only with `PkiOptions.node`. */
  kubelet?: { clientCert: string; clientKey: string; servingCert: string; servingKey: string };
}

export interface PkiOptions {
  /** Extra IP addresses of the apiserver's serving certificate (Service IP, host address). */
  servingIps?: readonly string[];
  /** The node whose kubelet gets certificates: its name and the address it serves on. */
  node?: { name: string; address: string };
}

async function keyPair(): Promise<webcrypto.CryptoKeyPair> {
  return webcrypto.subtle.generateKey(ecdsa, true, [
    "sign",
    "verify",
  ]) as Promise<webcrypto.CryptoKeyPair>;
}

async function privateKeyPem(key: webcrypto.CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey("pkcs8", key);
  return x509.PemConverter.encode(der, "PRIVATE KEY");
}

/** Writes the PKI into `dir` and returns the PEMs the kubeconfig needs. */
export async function createPki(dir: string, options: PkiOptions = {}): Promise<ControlPlanePki> {
  const now = Date.now();
  const notBefore = new Date(now - 60_000);
  const notAfter = new Date(now + 365 * 24 * 3600_000);

  const caKeys = await keyPair();
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    name: "CN=dnsimple-cert-operator local control plane CA",
    keys: caKeys,
    notBefore,
    notAfter,
    signingAlgorithm: ecdsa,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });

  const leaf = async (subject: string, extensions: x509.Extension[]) => {
    const keys = await keyPair();
    const cert = await x509.X509CertificateGenerator.create({
      subject,
      issuer: ca.subject,
      notBefore,
      notAfter,
      signingAlgorithm: ecdsa,
      publicKey: keys.publicKey,
      signingKey: caKeys.privateKey,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        await x509.AuthorityKeyIdentifierExtension.create(ca),
        ...extensions,
      ],
    });
    return { cert: cert.toString("pem"), key: await privateKeyPem(keys.privateKey) };
  };

  const serving = await leaf("CN=kube-apiserver", [
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    new x509.SubjectAlternativeNameExtension([
      { type: "ip", value: "127.0.0.1" },
      ...(options.servingIps ?? []).map((value) => ({ type: "ip" as const, value })),
      { type: "dns", value: "localhost" },
      { type: "dns", value: "kubernetes" },
      { type: "dns", value: "kubernetes.default" },
      { type: "dns", value: "kubernetes.default.svc" },
      { type: "dns", value: "kubernetes.default.svc.cluster.local" },
    ]),
  ]);
  const admin = await leaf("CN=local-admin, O=system:masters", [
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
  ]);

  const kubelet = options.node && (await kubeletPki(leaf, options.node));

  const serviceAccount = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const files = {
    caCert: join(dir, "ca.crt"),
    servingCert: join(dir, "apiserver.crt"),
    servingKey: join(dir, "apiserver.key"),
    serviceAccountPublicKey: join(dir, "sa.pub"),
    serviceAccountPrivateKey: join(dir, "sa.key"),
  };
  const caCert = ca.toString("pem");
  writeFileSync(files.caCert, caCert);
  writeFileSync(files.servingCert, serving.cert);
  writeFileSync(files.servingKey, serving.key, { mode: 0o600 });
  writeFileSync(
    files.serviceAccountPublicKey,
    serviceAccount.publicKey.export({ type: "spki", format: "pem" }),
  );
  writeFileSync(
    files.serviceAccountPrivateKey,
    serviceAccount.privateKey.export({ type: "pkcs8", format: "pem" }),
    { mode: 0o600 },
  );
  return {
    caCert,
    servingCert: serving.cert,
    servingKey: serving.key,
    adminCert: admin.cert,
    adminKey: admin.key,
    files,
    ...(kubelet ? { kubelet } : {}),
  };
}

type Leaf = (
  subject: string,
  extensions: x509.Extension[],
) => Promise<{ cert: string; key: string }>;

/** The kubelet's client certificate (a node identity) and its serving certificate. */
async function kubeletPki(
  leaf: Leaf,
  node: { name: string; address: string },
): Promise<NonNullable<ControlPlanePki["kubelet"]>> {
  const client = await leaf(`CN=system:node:${node.name}, O=system:nodes`, [
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
  ]);
  const serving = await leaf(`CN=${node.name}`, [
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    new x509.SubjectAlternativeNameExtension([
      { type: "ip", value: node.address },
      { type: "dns", value: node.name },
    ]),
  ]);
  return {
    clientCert: client.cert,
    clientKey: client.key,
    servingCert: serving.cert,
    servingKey: serving.key,
  };
}
