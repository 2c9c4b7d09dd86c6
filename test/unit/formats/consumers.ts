// Real material and the real consumers for the output-format tests: a root → intermediate →
// leaf chain made with @peculiar/x509 (through the certs tests' makeCertificate), and OpenSSL
// and Java's keytool run on files in a temporary folder, with execFile (no shell).
import { execFile } from "node:child_process";
import { createPrivateKey, X509Certificate } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parsePem } from "../../../src/certs/pem.ts";
import type { SignatureAlgorithm } from "../../../src/simulator/model.ts";
import { keyPemOf, makeCertificate } from "../certs/material.ts";

export const OPENSSL = "/usr/bin/openssl";
export const KEYTOOL = "/usr/bin/keytool";

export interface Chain {
  readonly tlsKey: string;
  /** The leaf, then the intermediate. */
  readonly tlsCrt: string;
  /** The root. */
  readonly caCrt: string;
  readonly leaf: Buffer;
  readonly intermediate: Buffer;
  readonly root: Buffer;
  /** tls.key as PKCS#8 (the form every keystore holds). */
  readonly pkcs8Pem: string;
}

/** A fresh root → intermediate → leaf chain, all of one algorithm; tls.key in DNSimple's form. */
export async function makeChain(algorithm: SignatureAlgorithm): Promise<Chain> {
  const root = await makeCertificate({
    commonName: `Formats ${algorithm} Root`,
    ca: true,
    algorithm,
  });
  const intermediate = await makeCertificate({
    commonName: `Formats ${algorithm} Intermediate`,
    ca: true,
    issuer: root,
    algorithm,
  });
  const leaf = await makeCertificate({
    commonName: "www.example.com",
    ca: false,
    issuer: intermediate,
    dnsNames: ["www.example.com"],
    algorithm,
  });
  return {
    tlsKey: leaf.keyPem,
    tlsCrt: leaf.pem + intermediate.pem,
    caCrt: root.pem,
    leaf: derOf(leaf.pem),
    intermediate: derOf(intermediate.pem),
    root: derOf(root.pem),
    pkcs8Pem: keyPemOf(leaf.privateKey, "pkcs8"),
  };
}

/** The key as the lead compares it: Node's PKCS#8 DER of tls.key. */
export function pkcs8Der(tlsKey: string): Buffer {
  return createPrivateKey(tlsKey).export({ type: "pkcs8", format: "der" });
}

/** keytool's form of a certificate's SHA-256 fingerprint ("AB:CD:..."). */
export function fingerprint(der: Buffer): string {
  return new X509Certificate(der).fingerprint256;
}

export function derOf(pem: string): Buffer {
  const [block] = parsePem(pem);
  if (!block) throw new Error("no PEM block");
  return block.der;
}

export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a consumer; never throws for a non-zero exit (the tests assert on it). */
export function run(file: string, args: readonly string[], input?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      file,
      args,
      { encoding: "utf8", env: { ...process.env, LC_ALL: "C.UTF-8" } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** A temporary folder for one test file; `remove` at the end. */
export function workDir(prefix: string): {
  path(name: string, content?: Buffer | string): string;
  remove(): void;
} {
  const dir = mkdtempSync(join(tmpdir(), `formats-${prefix}-`));
  return {
    path(name, content) {
      const file = join(dir, name);
      if (content !== undefined) writeFileSync(file, content);
      return file;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The public key (SPKI PEM) of a private key file, by openssl pkey. */
export async function publicKeyOfKey(file: string, inform: "PEM" | "DER" = "PEM"): Promise<string> {
  const result = await run(OPENSSL, ["pkey", "-inform", inform, "-in", file, "-pubout"]);
  if (result.code !== 0) throw new Error(`openssl pkey failed: ${result.stderr}`);
  return result.stdout;
}

/** The public key (SPKI PEM) of a certificate file, by openssl x509. */
export async function publicKeyOfCertificate(file: string): Promise<string> {
  const result = await run(OPENSSL, ["x509", "-in", file, "-noout", "-pubkey"]);
  if (result.code !== 0) throw new Error(`openssl x509 failed: ${result.stderr}`);
  return result.stdout;
}

export interface KeytoolEntry {
  readonly alias: string;
  readonly type: string;
  /** SHA-256 fingerprints of the entry's certificates, in order (the chain, or the one cert). */
  readonly fingerprints: readonly string[];
}

/** `keytool -list -v`: the entries, or the failure. */
export async function keytoolList(
  file: string,
  storetype: "PKCS12" | "JKS",
  password: string,
): Promise<{ code: number; entries: KeytoolEntry[]; output: string }> {
  const result = await run(KEYTOOL, [
    "-list",
    "-v",
    "-storetype",
    storetype,
    "-keystore",
    file,
    "-storepass",
    password,
  ]);
  const output = result.stdout + result.stderr;
  return {
    code: result.code,
    entries: result.code === 0 ? parseKeytool(result.stdout) : [],
    output,
  };
}

function parseKeytool(stdout: string): KeytoolEntry[] {
  return stdout
    .split(/^Alias name: /m)
    .slice(1)
    .map((block) => ({
      alias: block.split("\n")[0]?.trim() ?? "",
      type: /^Entry type: (\S+)/m.exec(block)?.[1] ?? "",
      fingerprints: [...block.matchAll(/^\s*SHA256: ([0-9A-F:]+)/gm)].map((m) => m[1] ?? ""),
    }));
}

/** The DER of each CERTIFICATE block in a text (openssl's output), in order. */
export function certificatesIn(text: string): Buffer[] {
  return [...text.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n/g)].map(
    (m) => derOf(m[0]),
  );
}

/** The PRIVATE KEY block in a text (openssl pkcs12 -nodes output). */
export function privateKeyIn(text: string): string | undefined {
  return /-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----\n/.exec(text)?.[0];
}
