// tls-combined.pem and key.der, read by OpenSSL: the combined file's key matches its first
// certificate and its certificates are the chain; key.der is tls.key's own encoding, a key
// openssl pkey reads as DER and matches to the leaf. Bad input is a FormatError without key
// material.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { combinedPem } from "../../../src/formats/combined-pem.ts";
import { privateKeyDer } from "../../../src/formats/der.ts";
import { FormatError } from "../../../src/formats/errors.ts";
import {
  type Chain,
  certificatesIn,
  derOf,
  makeChain,
  OPENSSL,
  publicKeyOfCertificate,
  publicKeyOfKey,
  run,
  workDir,
} from "./consumers.ts";

const dir = workDir("pem-der");
afterAll(() => dir.remove());

describe.each(["ECDSA", "RSA"] as const)("%s", (algorithm) => {
  let chain: Chain;
  beforeAll(async () => {
    chain = await makeChain(algorithm);
  });

  it("tls-combined.pem is tls.key then tls.crt; OpenSSL's key from it matches its first certificate", async () => {
    const text = combinedPem(chain.tlsKey, chain.tlsCrt);
    expect(text).toBe(chain.tlsKey + chain.tlsCrt);
    const file = dir.path(`${algorithm}-combined.pem`, text);
    expect(await publicKeyOfKey(file)).toBe(await publicKeyOfCertificate(file));
    const certs = await run(OPENSSL, ["crl2pkcs7", "-nocrl", "-certfile", file]);
    const printed = await run(OPENSSL, [
      "pkcs7",
      "-print_certs",
      "-in",
      dir.path(`${algorithm}.p7`, certs.stdout),
    ]);
    expect(certificatesIn(printed.stdout)).toEqual([chain.leaf, chain.intermediate]);
  });

  it("key.der is the DER of tls.key's block; openssl pkey -inform DER reads it and it matches the leaf", async () => {
    const der = privateKeyDer(chain.tlsKey);
    expect(der).toEqual(derOf(chain.tlsKey));
    const file = dir.path(`${algorithm}-key.der`, der);
    const leaf = dir.path(`${algorithm}-leaf.pem`, chain.tlsCrt);
    expect(await publicKeyOfKey(file, "DER")).toBe(await publicKeyOfCertificate(leaf));
    const form = await run(OPENSSL, ["asn1parse", "-inform", "DER", "-in", file]);
    // PKCS#1 (RSA) and SEC1 (EC), as tls.key has them: no PKCS#8 AlgorithmIdentifier inside.
    expect(form.stdout).not.toContain("rsaEncryption");
    expect(form.stdout).not.toContain("id-ecPublicKey");
  });

  it("a PKCS#8 tls.key gives a PKCS#8 key.der", () => {
    expect(privateKeyDer(chain.pkcs8Pem)).toEqual(derOf(chain.pkcs8Pem));
  });
});

describe("inputs", () => {
  it("a tls.key without a final newline is still followed by the chain on its own line", async () => {
    const chain = await makeChain("ECDSA");
    const text = combinedPem(chain.tlsKey.trimEnd(), chain.tlsCrt);
    expect(text).toBe(chain.tlsKey + chain.tlsCrt);
  });

  it("swapped or empty inputs are FormatError InvalidInput, naming no key material", async () => {
    const chain = await makeChain("ECDSA");
    const keyBody = chain.tlsKey.split("\n")[1] ?? "-";
    const attempts = [
      () => combinedPem(chain.tlsCrt, chain.tlsCrt),
      () => combinedPem(chain.tlsKey, chain.tlsKey),
      () => combinedPem("", chain.tlsCrt),
      () => privateKeyDer(chain.tlsCrt),
      () => privateKeyDer(""),
      () => privateKeyDer(chain.tlsKey + chain.tlsKey),
    ];
    for (const attempt of attempts) {
      let error: unknown;
      try {
        attempt();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(FormatError);
      expect(error).toMatchObject({ problem: "InvalidInput" });
      expect((error as Error).message).not.toContain(keyBody);
    }
  });
});
