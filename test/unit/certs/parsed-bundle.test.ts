// One reading of a bundle serves inspection and verification: for every bad bundle of the
// failure table, inspectTlsSecret gives the verdict verifyBundle throws, and verifyParsed on
// parseBundle's reading throws it too. The download path reads once: what
// assembleParsedBundle hands on reads exactly as parseBundle reads the assembled text, and
// verifyParsed on it judges as verifyBundle on the text. inspect.ts and verify.ts read no
// text themselves: parsed-bundle.ts is their only reader of certificates and keys.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  assembleBundle,
  assembleParsedBundle,
  type CertificateDownload,
  type TlsSecretData,
} from "../../../src/certs/bundle.ts";
import { InvalidCertificateDataError } from "../../../src/certs/errors.ts";
import { inspectParsed, inspectTlsSecret } from "../../../src/certs/inspect.ts";
import {
  type ParsedBundle,
  type ParsedPart,
  parseBundle,
} from "../../../src/certs/parsed-bundle.ts";
import { parsePem } from "../../../src/certs/pem.ts";
import { type VerifyOptions, verifyBundle, verifyParsed } from "../../../src/certs/verify.ts";
import type { PrivateKeyFormat, SignatureAlgorithm } from "../../../src/simulator/model.ts";
import { buildFailureCases, WWW_NAMES } from "./failure-cases.ts";
import { createAuthority, issueDownload, NOW, withoutFinalNewline } from "./material.ts";

const cases = await buildFailureCases();
const authority = await createAuthority();

// What a check gave: the value it returned, or the problem and message it threw.
type Outcome = { value: unknown } | { problem: string; message: string };

function outcome(check: () => unknown): Outcome {
  try {
    return { value: check() };
  } catch (error) {
    if (!(error instanceof InvalidCertificateDataError)) throw error;
    return { problem: error.problem, message: error.message };
  }
}

// A reading, as plain data that toEqual compares: blocks, DER, descriptions, key, failures.
function reading(parsed: ParsedBundle): unknown {
  const part = <T>(value: ParsedPart<T>, show: (value: T) => unknown) =>
    value.ok
      ? { value: show(value.value) }
      : { problem: value.error.problem, message: value.error.message };
  const certificates = (
    list: readonly { block: unknown; certificate: { raw: Buffer }; description: string }[],
  ) =>
    list.map(({ block, certificate, description }) => ({
      block,
      raw: certificate.raw.toString("base64"),
      description,
    }));
  return {
    present: parsed.present,
    certificates: part(parsed.certificates, certificates),
    key: part(parsed.key, ({ form, pem, key }) => ({ form, pem, type: key.asymmetricKeyType })),
    roots: part(parsed.roots, certificates),
  };
}

// The download a bundle could have come from: its first block as server, the rest as chain.
function downloadOf(data: TlsSecretData): CertificateDownload {
  let blocks: string[];
  try {
    blocks = parsePem(data.tlsCrt).map(({ text }) => withoutFinalNewline(text));
  } catch {
    blocks = [data.tlsCrt];
  }
  const [server = "", ...chain] = blocks;
  return { server, chain, root: data.caCrt ?? null };
}

describe("one reading for inspection and verification", () => {
  it.each(cases)("$title: $problem", ({ data, options, problem, message }) => {
    const verified = outcome(() => verifyBundle(data, options));
    expect(verified).toEqual({ problem, message: expect.stringMatching(message) });

    expect(outcome(() => verifyParsed(parseBundle(data), options))).toEqual(verified);
    const inspection = inspectTlsSecret(data, options);
    expect({ problem: inspection.problem, message: inspection.message }).toEqual(verified);
    expect(inspection.valid).toBe(false);
    expect(inspectParsed(parseBundle(data), options)).toEqual(inspection);
  });

  it("a reading can be judged again, and gives the same answer", () => {
    for (const { data, options } of cases) {
      const parsed = parseBundle(data);
      expect(outcome(() => verifyParsed(parsed, options))).toEqual(
        outcome(() => verifyParsed(parsed, options)),
      );
    }
  });

  it("no Secret and an empty one read alike: not present, no certificate", () => {
    expect(inspectTlsSecret(undefined, { now: NOW })).toEqual(
      inspectParsed(parseBundle({}), { now: NOW }),
    );
    expect(parseBundle({}).present).toBe(false);
  });
});

describe("the download path reads once", () => {
  it.each<{ algorithm: SignatureAlgorithm; keyFormat: PrivateKeyFormat; includeRoot: boolean }>([
    { algorithm: "ECDSA", keyFormat: "traditional", includeRoot: false },
    { algorithm: "ECDSA", keyFormat: "pkcs8", includeRoot: true },
    { algorithm: "RSA", keyFormat: "traditional", includeRoot: true },
    { algorithm: "RSA", keyFormat: "pkcs8", includeRoot: false },
  ])("$algorithm, $keyFormat key, root: $includeRoot", async (order) => {
    const issued = await issueDownload(authority, { name: "www", ...order });
    const { server, chain, root } = issued.download;
    // Line endings and whitespace as a careless API might send them, and the root again at
    // the end of the chain entry: the blocks stand on other lines than in tls.crt.
    const crlf = (text: string) => `\r\n  ${text.replaceAll("\n", "\r\n")}\r\n\r\n`;
    const careless: CertificateDownload = {
      server: crlf(server),
      chain: chain.map((entry) => crlf(root ? `${entry}\n${root}` : entry)),
      root: root ? crlf(root) : null,
    };
    const options: VerifyOptions = { dnsNames: WWW_NAMES, now: NOW };
    for (const download of [issued.download, careless]) {
      const privateKey = `\n\n${issued.privateKey}`;
      const assembled = assembleParsedBundle(download, privateKey);
      expect(assembled.data).toEqual(assembleBundle(download, privateKey));
      expect(reading(assembled.parsed)).toEqual(reading(parseBundle(assembled.data)));
      const verified = outcome(() => verifyParsed(assembled.parsed, options));
      expect(verified).toHaveProperty("value.serialNumber", issued.leaf.serialNumber);
      expect(verified).toEqual(outcome(() => verifyBundle(assembled.data, options)));
    }
  });

  it.each(cases)("$title: judged as the assembled text is", ({ data, options }) => {
    const download = downloadOf(data);
    const assembledText = outcome(() => assembleBundle(download, data.tlsKey));
    expect(outcome(() => assembleParsedBundle(download, data.tlsKey).data)).toEqual(assembledText);
    if (!("value" in assembledText)) return;
    const { data: text, parsed } = assembleParsedBundle(download, data.tlsKey);
    expect(reading(parsed)).toEqual(reading(parseBundle(text)));
    expect(outcome(() => verifyParsed(parsed, options))).toEqual(
      outcome(() => verifyBundle(text, options)),
    );
  });
});

describe("a key that only verification finds bad", () => {
  it("is reported on the line of tls.key, wherever it stood in the private key answer", () => {
    const damaged = cases.find(({ title }) => title === "a key whose DER is damaged");
    expect(damaged).toBeDefined();
    if (damaged === undefined) return;
    const download = downloadOf(damaged.data);
    const { data, parsed } = assembleParsedBundle(download, `\n\n\n${damaged.data.tlsKey}`);
    const verdict = outcome(() => verifyParsed(parsed, damaged.options));
    expect(verdict).toEqual({
      problem: "UnparsableKey",
      message: "tls.key: the EC PRIVATE KEY block on line 1 does not hold a valid SEC1 private key",
    });
    expect(verdict).toEqual(outcome(() => verifyBundle(data, damaged.options)));
  });
});

describe("inspect.ts and verify.ts read no text themselves", () => {
  it.each(["inspect.ts", "verify.ts"])("%s", (file) => {
    const source = readFileSync(new URL(`../../../src/certs/${file}`, import.meta.url), "utf8");
    for (const reader of [
      "parseCertificates",
      "readPrivateKey",
      "normalisePrivateKey",
      "parsePem",
    ]) {
      expect(source).not.toContain(reader);
    }
  });
});
