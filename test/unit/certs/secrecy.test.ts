// No private key material in any error: every failure of every bad bundle, through
// verifyBundle, assembleBundle and inspectTlsSecret, is searched (message, stack, every
// property, causes, JSON and util.inspect) for pieces of the keys involved.
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { assembleBundle } from "../../../src/certs/bundle.ts";
import { inspectTlsSecret } from "../../../src/certs/inspect.ts";
import { parsePem } from "../../../src/certs/pem.ts";
import { verifyBundle } from "../../../src/certs/verify.ts";
import { buildFailureCases } from "./failure-cases.ts";
import { createAuthority, issueDownload } from "./material.ts";

// Shorter pieces would match by chance (keys of a kind share their first bytes).
const BASE64_PIECE = 24;
const DER_PIECE_BYTES = 12;
// The leading ASN.1 headers and version, the same in every key of a form.
const DER_SKIP_BYTES = 8;

// Pieces of a key as it could appear: its base64 and its bytes in hex, with and without
// the spaces Buffer's inspection puts between bytes.
function keyPieces(keyPem: string): string[] {
  const pieces = new Set<string>();
  for (const block of parsePem(keyPem)) {
    const base64 = block.der.toString("base64");
    for (let start = 0; start + BASE64_PIECE <= base64.length; start += 1) {
      pieces.add(base64.slice(start, start + BASE64_PIECE));
    }
    for (let start = DER_SKIP_BYTES; start + DER_PIECE_BYTES <= block.der.length; start += 1) {
      const bytes = block.der.subarray(start, start + DER_PIECE_BYTES);
      pieces.add(bytes.toString("hex"));
      pieces.add([...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join(" "));
    }
  }
  return [...pieces];
}

// Every text an error shows or carries, however a logger might print it.
function textsOf(value: unknown, seen = new Set<unknown>()): string[] {
  if (value === null || value === undefined || seen.has(value)) return [];
  if (typeof value === "string") return [value];
  if (typeof value !== "object") return [String(value)];
  seen.add(value);
  if (Buffer.isBuffer(value)) return [value.toString("base64"), value.toString("hex")];
  const texts = [inspect(value, { depth: 20, showHidden: true }), safeJson(value)];
  if (value instanceof Error) texts.push(String(value), value.stack ?? "");
  for (const name of Object.getOwnPropertyNames(value)) {
    texts.push(...textsOf((value as Record<string, unknown>)[name], seen));
  }
  if (value instanceof Error) texts.push(...textsOf(value.cause, seen));
  return texts;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? "";
  } catch {
    return "";
  }
}

function leakedPieces(error: unknown, keyPems: readonly string[]): string[] {
  const haystack = textsOf(error).join("\n");
  return keyPems.flatMap(keyPieces).filter((piece) => haystack.includes(piece));
}

function caught(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  return undefined;
}

const cases = await buildFailureCases();

describe("errors carry no private key material", () => {
  it.each(cases)("$title ($problem)", ({ data, options, keyPems }) => {
    const failures = [
      caught(() => verifyBundle(data, options)),
      caught(() =>
        assembleBundle({ server: data.tlsCrt, chain: [], root: data.caCrt ?? null }, data.tlsKey),
      ),
      inspectTlsSecret(data, options),
    ];
    expect(failures[0]).toBeInstanceOf(Error);
    expect(keyPems.length).toBeGreaterThan(0);
    for (const failure of failures) expect(leakedPieces(failure, keyPems)).toEqual([]);
  });

  it("finds key material where there is some (the search works)", async () => {
    const { privateKey } = await issueDownload(await createAuthority(), {
      name: "www",
      algorithm: "RSA",
    });
    const der = parsePem(privateKey)[0]?.der ?? Buffer.alloc(0);
    const line = privateKey.split("\n")[5] ?? "";
    const leaks = [
      new Error(`bad key: ${line}`),
      new Error("wrapped", { cause: new Error(`inner ${line.slice(10, 40)}`) }),
      Object.assign(new Error("with a property"), { details: { der } }),
      Object.defineProperty(new Error("hidden"), "input", {
        value: der.toString("hex"),
        enumerable: false,
      }),
      { message: "not an Error", key: privateKey },
    ];
    for (const leak of leaks) expect(leakedPieces(leak, [privateKey])).not.toEqual([]);
    expect(leakedPieces(new Error("nothing here"), [privateKey])).toEqual([]);
  });
});
