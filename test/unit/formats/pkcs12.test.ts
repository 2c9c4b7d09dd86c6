// keystore.p12 and truststore.p12 in both profiles, for ECDSA P-256 and RSA 2048 chains, read
// by OpenSSL 3 (`openssl pkcs12 -info`: the algorithms, the MAC, the key matching the leaf) and
// Java's keytool (entry types, aliases, chains, fingerprints), and by readPkcs12 (round trip,
// files OpenSSL wrote, wrong passwords, damage). Passwords never reach an error message.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sameKeystoreContent } from "../../../src/formats/contents.ts";
import { FormatError } from "../../../src/formats/errors.ts";
import {
  type Pkcs12Profile,
  pkcs12Keystore,
  pkcs12KeystoreContents,
  pkcs12Truststore,
  pkcs12TruststoreContents,
  readPkcs12,
} from "../../../src/formats/pkcs12.ts";
import type { SignatureAlgorithm } from "../../../src/simulator/model.ts";
import {
  type Chain,
  certificatesIn,
  fingerprint,
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

const PASSWORD = "k3ystore-Pass_word";
const dir = workDir("pkcs12");
afterAll(() => dir.remove());

// What `openssl pkcs12 -info` prints for each profile: the MAC, then each part's cipher.
const OPENSSL_SAYS: Record<Pkcs12Profile, { mac: string; cipher: string }> = {
  Modern2023: {
    mac: "MAC: sha256, Iteration 2048",
    cipher: "PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256",
  },
  LegacyDES: {
    mac: "MAC: sha1, Iteration 1",
    cipher: "pbeWithSHA1And3-KeyTripleDES-CBC, Iteration 2048",
  },
};

const CASES: { algorithm: SignatureAlgorithm; profile: Pkcs12Profile }[] = [
  { algorithm: "ECDSA", profile: "Modern2023" },
  { algorithm: "ECDSA", profile: "LegacyDES" },
  { algorithm: "RSA", profile: "Modern2023" },
  { algorithm: "RSA", profile: "LegacyDES" },
];

const chains = new Map<SignatureAlgorithm, Chain>();
beforeAll(async () => {
  chains.set("ECDSA", await makeChain("ECDSA"));
  chains.set("RSA", await makeChain("RSA"));
});
function chainOf(algorithm: SignatureAlgorithm): Chain {
  const chain = chains.get(algorithm);
  if (!chain) throw new Error("no chain");
  return chain;
}

describe.each(CASES)("$algorithm, $profile", ({ algorithm, profile }) => {
  const name = `${algorithm}-${profile}`;

  it("keystore.p12: OpenSSL prints the profile's algorithms and MAC, a key matching the leaf, and the chain in order", async () => {
    const chain = chainOf(algorithm);
    const file = dir.path(`${name}.p12`, await pkcs12Keystore(chain, PASSWORD, profile));
    const info = await run(OPENSSL, [
      "pkcs12",
      "-info",
      "-nodes",
      "-in",
      file,
      "-passin",
      `pass:${PASSWORD}`,
    ]);
    expect(info.code, info.stderr).toBe(0);
    const said = info.stdout + info.stderr;
    expect(said).toContain(OPENSSL_SAYS[profile].mac);
    expect(said).toContain(`PKCS7 Encrypted data: ${OPENSSL_SAYS[profile].cipher}`);
    expect(said).toContain(`Shrouded Keybag: ${OPENSSL_SAYS[profile].cipher}`);
    expect(said).toContain("friendlyName: certificate");
    expect(certificatesIn(info.stdout)).toEqual([chain.leaf, chain.intermediate]);
    const key = privateKeyIn(info.stdout);
    expect(key).toBeDefined();
    const keyFile = dir.path(`${name}.key.pem`, key ?? "");
    const leafFile = dir.path(`${name}.leaf.pem`, chain.tlsCrt);
    expect(await publicKeyOfKey(keyFile)).toBe(await publicKeyOfCertificate(leafFile));
  });

  it("keystore.p12: keytool lists a PrivateKeyEntry 'certificate' with the chain's fingerprints", async () => {
    const chain = chainOf(algorithm);
    const file = dir.path(`${name}.kt.p12`, await pkcs12Keystore(chain, PASSWORD, profile));
    const listed = await keytoolList(file, "PKCS12", PASSWORD);
    expect(listed.code, listed.output).toBe(0);
    expect(listed.entries).toEqual([
      {
        alias: "certificate",
        type: "PrivateKeyEntry",
        fingerprints: [fingerprint(chain.leaf), fingerprint(chain.intermediate)],
      },
    ]);
  });

  it("truststore.p12: keytool lists the root as trustedCertEntry 'ca'; OpenSSL finds no key", async () => {
    const chain = chainOf(algorithm);
    const file = dir.path(
      `${name}.trust.p12`,
      await pkcs12Truststore(chain.caCrt, PASSWORD, profile),
    );
    const listed = await keytoolList(file, "PKCS12", PASSWORD);
    expect(listed.code, listed.output).toBe(0);
    expect(listed.entries).toEqual([
      { alias: "ca", type: "trustedCertEntry", fingerprints: [fingerprint(chain.root)] },
    ]);
    const info = await run(OPENSSL, [
      "pkcs12",
      "-info",
      "-nodes",
      "-in",
      file,
      "-passin",
      `pass:${PASSWORD}`,
    ]);
    expect(info.code, info.stderr).toBe(0);
    expect(info.stdout + info.stderr).toContain(OPENSSL_SAYS[profile].mac);
    expect(certificatesIn(info.stdout)).toEqual([chain.root]);
    expect(privateKeyIn(info.stdout)).toBeUndefined();
  });

  it("a wrong password is refused by OpenSSL, keytool and readPkcs12", async () => {
    const chain = chainOf(algorithm);
    const bytes = await pkcs12Keystore(chain, PASSWORD, profile);
    const file = dir.path(`${name}.wrong.p12`, bytes);
    const info = await run(OPENSSL, [
      "pkcs12",
      "-info",
      "-nodes",
      "-in",
      file,
      "-passin",
      "pass:not-the-password",
    ]);
    expect(info.code).not.toBe(0);
    expect(info.stderr).toMatch(/mac verify (error|failure)/i);
    const listed = await keytoolList(file, "PKCS12", "not-the-password");
    expect(listed.code).not.toBe(0);
    expect(listed.output).toContain("password was incorrect");
    const error = await readPkcs12(bytes, "not-the-password").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FormatError);
    expect(error).toMatchObject({ format: "PKCS12", problem: "WrongPassword" });
    expect(String((error as Error).message)).not.toContain("not-the-password");
  });

  it("round trip: readPkcs12 gives back the key (PKCS#8), the chain in order and the profile", async () => {
    const chain = chainOf(algorithm);
    const keystore = await readPkcs12(await pkcs12Keystore(chain, PASSWORD, profile), PASSWORD);
    expect(keystore.profile).toBe(profile);
    expect(keystore.privateKeyPkcs8).toEqual(pkcs8Der(chain.tlsKey));
    expect(keystore.certificates).toEqual([chain.leaf, chain.intermediate]);
    expect(keystore.trusted).toEqual([]);
    const truststore = await readPkcs12(
      await pkcs12Truststore(chain.caCrt, PASSWORD, profile),
      PASSWORD,
    );
    expect(truststore).toEqual({ certificates: [], trusted: [chain.root], profile });
  });

  it("two writes differ in their bytes (salts, IVs) but hold the same contents", async () => {
    const chain = chainOf(algorithm);
    const first = await pkcs12Keystore(chain, PASSWORD, profile);
    const second = await pkcs12Keystore(chain, PASSWORD, profile);
    expect(first.equals(second)).toBe(false);
    const wanted = pkcs12KeystoreContents(chain);
    expect(sameKeystoreContent(await readPkcs12(first, PASSWORD), wanted)).toBe(true);
    expect(sameKeystoreContent(await readPkcs12(second, PASSWORD), wanted)).toBe(true);
    const trust = await readPkcs12(
      await pkcs12Truststore(chain.caCrt, PASSWORD, profile),
      PASSWORD,
    );
    expect(sameKeystoreContent(trust, pkcs12TruststoreContents(chain.caCrt))).toBe(true);
    expect(sameKeystoreContent(trust, wanted)).toBe(false);
  });
});

describe("inputs", () => {
  it("a tls.crt with the root too gives keytool a chain of 3; a PKCS#8 tls.key stores the same key", async () => {
    const chain = chainOf("ECDSA");
    const input = { tlsKey: chain.pkcs8Pem, tlsCrt: chain.tlsCrt + chain.caCrt };
    const bytes = await pkcs12Keystore(input, PASSWORD, "Modern2023");
    const listed = await keytoolList(dir.path("three.p12", bytes), "PKCS12", PASSWORD);
    expect(listed.code, listed.output).toBe(0);
    expect(listed.entries.map((e) => [e.alias, e.type, e.fingerprints.length])).toEqual([
      ["certificate", "PrivateKeyEntry", 3],
    ]);
    const read = await readPkcs12(bytes, PASSWORD);
    expect(read.privateKeyPkcs8).toEqual(pkcs8Der(chain.tlsKey));
    expect(read.certificates).toEqual([chain.leaf, chain.intermediate, chain.root]);
  });

  it("the key and chain must be what they say: FormatError InvalidInput, without key material", async () => {
    const chain = chainOf("RSA");
    const swapped = await pkcs12Keystore(
      { tlsKey: chain.tlsCrt, tlsCrt: chain.tlsCrt },
      PASSWORD,
      "Modern2023",
    ).catch((e: unknown) => e);
    expect(swapped).toMatchObject({
      name: "FormatError",
      format: "PKCS12",
      problem: "InvalidInput",
    });
    const noChain = await pkcs12Keystore(
      { tlsKey: chain.tlsKey, tlsCrt: chain.tlsKey },
      PASSWORD,
      "LegacyDES",
    ).catch((e: unknown) => e);
    expect(noChain).toMatchObject({ name: "FormatError", problem: "InvalidInput" });
    const keyBody = chain.tlsKey.split("\n")[1] ?? "";
    expect(String((noChain as Error).message)).not.toContain(keyBody);
    expect(String((noChain as Error).message)).not.toContain(PASSWORD);
  });

  it("an empty password does not crash: written, read by OpenSSL and read back", async () => {
    const chain = chainOf("ECDSA");
    const bytes = await pkcs12Keystore(chain, "", "Modern2023");
    const read = await readPkcs12(bytes, "");
    expect(read.certificates).toEqual([chain.leaf, chain.intermediate]);
    const info = await run(OPENSSL, [
      "pkcs12",
      "-info",
      "-nodes",
      "-in",
      dir.path("empty.p12", bytes),
      "-passin",
      "pass:",
    ]);
    expect(info.code, info.stderr).toBe(0);
    await expect(readPkcs12(bytes, "x")).rejects.toMatchObject({ problem: "WrongPassword" });
  });
});

describe("files OpenSSL wrote", () => {
  // OpenSSL's own encoder checks this one's KDF and password handling from the other side,
  // with a non-ASCII password (UTF-8 for PBKDF2, a BMPString for the MAC and the 3DES cipher).
  const FOREIGN = "pässwörd-€";
  const EXPORTS: { profile: Pkcs12Profile; args: string[] }[] = [
    { profile: "Modern2023", args: [] },
    {
      profile: "LegacyDES",
      args: ["-keypbe", "PBE-SHA1-3DES", "-certpbe", "PBE-SHA1-3DES", "-macalg", "sha1"],
    },
  ];

  it.each(EXPORTS)(
    "openssl pkcs12 -export ($profile) reads back with its profile, key and chain",
    async ({ profile, args }) => {
      const chain = chainOf("RSA");
      const out = dir.path(`openssl-${profile}.p12`);
      const exported = await run(OPENSSL, [
        "pkcs12",
        "-export",
        "-inkey",
        dir.path(`openssl-${profile}.key`, chain.tlsKey),
        "-in",
        dir.path(`openssl-${profile}.crt`, chain.tlsCrt),
        "-name",
        "certificate",
        "-passout",
        `pass:${FOREIGN}`,
        "-out",
        out,
        ...args,
      ]);
      expect(exported.code, exported.stderr).toBe(0);
      const read = await readPkcs12(readFileSync(out), FOREIGN);
      expect(read.profile).toBe(profile);
      expect(read.privateKeyPkcs8).toEqual(pkcs8Der(chain.tlsKey));
      expect(read.certificates).toEqual([chain.leaf, chain.intermediate]);
    },
  );

  it.each(EXPORTS.map((e) => e.profile))(
    "OpenSSL reads this one's %s file under a non-ASCII password",
    async (profile) => {
      const chain = chainOf("ECDSA");
      const file = dir.path(
        `foreign-${profile}.p12`,
        await pkcs12Keystore(chain, FOREIGN, profile),
      );
      const info = await run(OPENSSL, [
        "pkcs12",
        "-info",
        "-nodes",
        "-in",
        file,
        "-passin",
        `pass:${FOREIGN}`,
      ]);
      expect(info.code, info.stderr).toBe(0);
      expect(certificatesIn(info.stdout)).toEqual([chain.leaf, chain.intermediate]);
    },
  );
});

describe("damage", () => {
  it("bytes that are not PKCS#12 are Corrupt; an altered byte fails the MAC", async () => {
    await expect(readPkcs12(Buffer.from("not a keystore"), PASSWORD)).rejects.toMatchObject({
      format: "PKCS12",
      problem: "Corrupt",
    });
    const bytes = await pkcs12Keystore(chainOf("ECDSA"), PASSWORD, "Modern2023");
    const altered = Buffer.from(bytes);
    const middle = Math.floor(altered.length / 2);
    altered[middle] = (altered[middle] ?? 0) ^ 0x01;
    const error = await readPkcs12(altered, PASSWORD).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FormatError);
    expect(["WrongPassword", "Corrupt"]).toContain((error as FormatError).problem);
    expect((error as FormatError).message).not.toContain(PASSWORD);
  });
});
