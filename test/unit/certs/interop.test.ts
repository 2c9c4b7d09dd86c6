// The assembled Secret data works outside this code: openssl verifies tls.crt up to the
// simulator's root, and a Node TLS server loaded with tls.crt and tls.key completes a
// handshake with a client that trusts only that root.
import { execFileSync } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, createServer, type TLSSocket } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assembleBundle, type TlsSecretData } from "../../../src/certs/bundle.ts";
import { expectedDnsNames } from "../../../src/certs/dns-names.ts";
import { joinPem, parsePem } from "../../../src/certs/pem.ts";
import { verifyBundle } from "../../../src/certs/verify.ts";
import type { SignatureAlgorithm } from "../../../src/simulator/model.ts";
import { createAuthority, DOMAIN, type IssuedDownload, issueDownload } from "./material.ts";

const OPENSSL = "/usr/bin/openssl";
const authority = await createAuthority();
const lookalike = await createAuthority();
const workDir = mkdtempSync(join(tmpdir(), "certs-interop-"));

afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});

const CASES: { title: string; name: string; algorithm: SignatureAlgorithm; servername: string }[] =
  [
    { title: "ECDSA www", name: "www", algorithm: "ECDSA", servername: DOMAIN },
    { title: "RSA www (PKCS#1 key)", name: "www", algorithm: "RSA", servername: `www.${DOMAIN}` },
    { title: "ECDSA wildcard", name: "*", algorithm: "ECDSA", servername: `anything.${DOMAIN}` },
  ];

describe.each(CASES)("$title", ({ name, algorithm, servername }) => {
  let issued: IssuedDownload;
  let data: TlsSecretData;

  beforeAll(async () => {
    issued = await issueDownload(authority, { name, algorithm, includeRoot: true });
    data = assembleBundle(issued.download, issued.privateKey);
  });

  it("passes verifyBundle against the real clock", () => {
    const dnsNames = expectedDnsNames({ domain: DOMAIN, name });
    expect(verifyBundle(data, { dnsNames, now: new Date() }).chainLength).toBe(1);
  });

  it("verifies with openssl: root as CA file, the intermediates as untrusted", () => {
    const [leaf, ...intermediates] = parsePem(data.tlsCrt);
    const directory = mkdtempSync(join(workDir, "verify-"));
    const file = (fileName: string, content: string) => {
      const path = join(directory, fileName);
      writeFileSync(path, content);
      return path;
    };
    const rootFile = file("root.pem", data.caCrt ?? "");
    const intermediatesFile = file("intermediates.pem", joinPem(intermediates));
    const leafFile = file("leaf.pem", leaf?.text ?? "");
    const openssl = (...args: string[]) =>
      execFileSync(OPENSSL, ["verify", ...args], { encoding: "utf8", stdio: "pipe" }).trim();

    expect(openssl("-CAfile", rootFile, "-untrusted", intermediatesFile, leafFile)).toBe(
      `${leafFile}: OK`,
    );
    // Without the intermediates there is no path: the chain in tls.crt is what makes it.
    expect(() => openssl("-CAfile", rootFile, leafFile)).toThrow(/unable to get local issuer/);
  });

  it("serves TLS to a client that trusts only the simulator's root", async () => {
    const server = createServer({ cert: data.tlsCrt, key: data.tlsKey }, (socket) => {
      socket.end("hello");
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const { port } = server.address() as AddressInfo;
    try {
      const socket = await handshake(port, servername, authority.rootPem);
      expect(socket.authorized).toBe(true);
      expect(socket.getPeerCertificate().serialNumber.toLowerCase()).toBe(issued.leaf.serialNumber);
      const [greeting] = (await once(socket, "data")) as [Buffer];
      expect(greeting.toString()).toBe("hello");
      socket.destroy();

      // The same client refuses a root it does not trust, and a name the certificate lacks.
      await expect(handshake(port, servername, lookalike.rootPem)).rejects.toThrow(
        /unable to verify the first certificate|signature failure|local issuer/,
      );
      await expect(handshake(port, "elsewhere.test", authority.rootPem)).rejects.toThrow(
        /does not match certificate's altnames/,
      );
    } finally {
      server.close();
      await once(server, "close");
    }
  });
});

// Connects with full verification; resolves once the handshake has succeeded.
async function handshake(
  port: number,
  servername: string,
  trustedRoot: string,
): Promise<TLSSocket> {
  const socket = connect({ host: "127.0.0.1", port, servername, ca: [trustedRoot] });
  try {
    await once(socket, "secureConnect");
    return socket;
  } catch (error) {
    socket.destroy();
    throw error;
  }
}
