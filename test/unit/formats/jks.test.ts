// keystore.jks and truststore.jks for ECDSA P-256 and RSA 2048 chains, read by Java's keytool
// (entries, aliases, chains, fingerprints; -importkeystore decrypting the key, then OpenSSL
// matching it to the leaf) and by readJks (round trip, a file keytool wrote, wrong passwords).
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sameKeystoreContent } from "../../../src/formats/contents.ts";
import { FormatError } from "../../../src/formats/errors.ts";
import {
  jksKeystore,
  jksKeystoreContents,
  jksTruststore,
  readJks,
} from "../../../src/formats/jks.ts";
import { pkcs12Keystore } from "../../../src/formats/pkcs12.ts";
import type { SignatureAlgorithm } from "../../../src/simulator/model.ts";
import {
  type Chain,
  fingerprint,
  KEYTOOL,
  keytoolList,
  makeChain,
  OPENSSL,
  pkcs8Der,
  privateKeyIn,
  publicKeyOfCertificate,
  publicKeyOfKey,
  run,
  workDir,
} from "./consumers.ts";

const PASSWORD = "jks-Store_pass1";
const dir = workDir("jks");
afterAll(() => dir.remove());

describe.each(["ECDSA", "RSA"] as const)("%s", (algorithm: SignatureAlgorithm) => {
  let chain: Chain;
  beforeAll(async () => {
    chain = await makeChain(algorithm);
  });

  it("keystore.jks: keytool lists PrivateKeyEntry 'certificate' with the chain and trustedCertEntry 'ca'", async () => {
    const file = dir.path(`${algorithm}.jks`, jksKeystore(chain, PASSWORD));
    const listed = await keytoolList(file, "JKS", PASSWORD);
    expect(listed.code, listed.output).toBe(0);
    expect(listed.entries).toEqual([
      { alias: "ca", type: "trustedCertEntry", fingerprints: [fingerprint(chain.root)] },
      {
        alias: "certificate",
        type: "PrivateKeyEntry",
        fingerprints: [fingerprint(chain.leaf), fingerprint(chain.intermediate)],
      },
    ]);
  });

  it("keystore.jks without ca.crt holds only the key entry", async () => {
    const input = { tlsKey: chain.tlsKey, tlsCrt: chain.tlsCrt };
    const listed = await keytoolList(
      dir.path(`${algorithm}-noca.jks`, jksKeystore(input, PASSWORD)),
      "JKS",
      PASSWORD,
    );
    expect(listed.code, listed.output).toBe(0);
    expect(listed.entries.map((e) => [e.alias, e.type])).toEqual([
      ["certificate", "PrivateKeyEntry"],
    ]);
  });

  it("Java decrypts the key: keytool -importkeystore to PKCS#12, whose key OpenSSL matches to the leaf", async () => {
    const source = dir.path(`${algorithm}-import.jks`, jksKeystore(chain, PASSWORD));
    const target = dir.path(`${algorithm}-import.p12`);
    const imported = await run(KEYTOOL, [
      "-importkeystore",
      "-noprompt",
      "-srckeystore",
      source,
      "-srcstoretype",
      "JKS",
      "-srcstorepass",
      PASSWORD,
      "-srcalias",
      "certificate",
      "-destkeystore",
      target,
      "-deststoretype",
      "PKCS12",
      "-deststorepass",
      PASSWORD,
    ]);
    expect(imported.code, imported.stdout + imported.stderr).toBe(0);
    const info = await run(OPENSSL, [
      "pkcs12",
      "-in",
      target,
      "-nocerts",
      "-nodes",
      "-passin",
      `pass:${PASSWORD}`,
    ]);
    expect(info.code, info.stderr).toBe(0);
    const keyFile = dir.path(`${algorithm}-import.key`, privateKeyIn(info.stdout) ?? "");
    const leafFile = dir.path(`${algorithm}-import.crt`, chain.tlsCrt);
    expect(await publicKeyOfKey(keyFile)).toBe(await publicKeyOfCertificate(leafFile));
  });

  it("truststore.jks: keytool lists trustedCertEntry 'ca' with the root; it is the same bytes each time (no salt)", async () => {
    const bytes = jksTruststore(chain.caCrt, PASSWORD);
    const listed = await keytoolList(dir.path(`${algorithm}-trust.jks`, bytes), "JKS", PASSWORD);
    expect(listed.code, listed.output).toBe(0);
    expect(listed.entries).toEqual([
      { alias: "ca", type: "trustedCertEntry", fingerprints: [fingerprint(chain.root)] },
    ]);
    expect(jksTruststore(chain.caCrt, PASSWORD).equals(bytes)).toBe(true);
    expect(readJks(bytes, PASSWORD)).toEqual({ certificates: [], trusted: [chain.root] });
  });

  it("a wrong password is refused by keytool and readJks", async () => {
    const bytes = jksKeystore(chain, PASSWORD);
    const listed = await keytoolList(
      dir.path(`${algorithm}-wrong.jks`, bytes),
      "JKS",
      "not-the-password",
    );
    expect(listed.code).not.toBe(0);
    expect(listed.output).toContain("password was incorrect");
    const error = (() => {
      try {
        return readJks(bytes, "not-the-password");
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(FormatError);
    expect(error).toMatchObject({ format: "JKS", problem: "WrongPassword" });
    expect((error as Error).message).not.toContain("not-the-password");
  });

  it("round trip, and two writes differ in bytes (the key's salt) but read back the same", () => {
    const first = jksKeystore(chain, PASSWORD);
    const second = jksKeystore(chain, PASSWORD);
    expect(first.equals(second)).toBe(false);
    expect(first.length).toBe(second.length);
    const read = readJks(first, PASSWORD);
    expect(read.privateKeyPkcs8).toEqual(pkcs8Der(chain.tlsKey));
    expect(read.certificates).toEqual([chain.leaf, chain.intermediate]);
    expect(read.trusted).toEqual([chain.root]);
    expect(sameKeystoreContent(readJks(second, PASSWORD), jksKeystoreContents(chain))).toBe(true);
  });

  it("reads a JKS that keytool wrote (from this operator's PKCS#12)", async () => {
    const source = dir.path(
      `${algorithm}-src.p12`,
      await pkcs12Keystore(chain, PASSWORD, "Modern2023"),
    );
    const target = dir.path(`${algorithm}-keytool.jks`);
    const converted = await run(KEYTOOL, [
      "-importkeystore",
      "-noprompt",
      "-srckeystore",
      source,
      "-srcstoretype",
      "PKCS12",
      "-srcstorepass",
      PASSWORD,
      "-destkeystore",
      target,
      "-deststoretype",
      "JKS",
      "-deststorepass",
      PASSWORD,
    ]);
    expect(converted.code, converted.stdout + converted.stderr).toBe(0);
    const read = readJks(readFileSync(target), PASSWORD);
    expect(read.privateKeyPkcs8).toEqual(pkcs8Der(chain.tlsKey));
    expect(read.certificates).toEqual([chain.leaf, chain.intermediate]);
    expect(read.trusted).toEqual([]);
  });
});

describe("damage and inputs", () => {
  it("bytes that are not JKS are Corrupt; a JCEKS magic is Unsupported", () => {
    expect(() => readJks(Buffer.alloc(64, 7), PASSWORD)).toThrow(
      expect.objectContaining({ format: "JKS", problem: "Corrupt" }),
    );
    const jceks = Buffer.alloc(64);
    jceks.writeUInt32BE(0xcececece, 0);
    expect(() => readJks(jceks, PASSWORD)).toThrow(
      expect.objectContaining({ problem: "Unsupported" }),
    );
  });

  it("an empty password does not crash; tls.key must be a key (InvalidInput, no key material)", async () => {
    const chain = await makeChain("ECDSA");
    expect(readJks(jksKeystore(chain, ""), "").certificates).toHaveLength(2);
    let error: unknown;
    try {
      jksKeystore({ tlsKey: chain.caCrt, tlsCrt: chain.tlsKey }, PASSWORD);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ name: "FormatError", format: "JKS", problem: "InvalidInput" });
    expect((error as Error).message).not.toContain(chain.tlsKey.split("\n")[1] ?? "-");
  });
});
