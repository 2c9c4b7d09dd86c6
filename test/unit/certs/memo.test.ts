// What repeats between Secrets is read and checked once (memo.ts): the least-recently-used map
// by table, and the certificate memo giving the same objects and the same answers as reading
// afresh, including for a forged link under an intermediate already seen to sign.
import { describe, expect, it } from "vitest";
import { assembleBundle } from "../../../src/certs/bundle.ts";
import { signs } from "../../../src/certs/certificates.ts";
import { isKeyOf, RecentlyUsed, readCertificate } from "../../../src/certs/memo.ts";
import { parseBundle, partOrThrow } from "../../../src/certs/parsed-bundle.ts";
import { parsePem } from "../../../src/certs/pem.ts";
import { createAuthority, issueDownload } from "./material.ts";

type Step = ["get", string, number | undefined] | ["set", string, number];

const table: [string, Step[], string[]][] = [
  [
    "keeps up to its capacity",
    [
      ["set", "a", 1],
      ["set", "b", 2],
      ["get", "a", 1],
    ],
    ["b", "a"],
  ],
  [
    "forgets the least recently set",
    [
      ["set", "a", 1],
      ["set", "b", 2],
      ["set", "c", 3],
      ["get", "a", undefined],
    ],
    ["b", "c"],
  ],
  [
    "a read keeps an entry",
    [
      ["set", "a", 1],
      ["set", "b", 2],
      ["get", "a", 1],
      ["set", "c", 3],
      ["get", "b", undefined],
    ],
    ["a", "c"],
  ],
  [
    "setting a kept key replaces it and keeps it",
    [
      ["set", "a", 1],
      ["set", "b", 2],
      ["set", "a", 9],
      ["set", "c", 3],
      ["get", "a", 9],
    ],
    ["c", "a"],
  ],
];

describe("RecentlyUsed", () => {
  it.each(table)("%s", (_name, steps, keys) => {
    const map = new RecentlyUsed<string, number>(2);
    for (const step of steps) {
      if (step[0] === "set") map.set(step[1], step[2]);
      else expect(map.get(step[1])).toBe(step[2]);
    }
    expect(map.keys()).toEqual(keys);
  });
});

const authority = await createAuthority();
const bundleOf = async (name: string) => {
  const issued = await issueDownload(authority, { name, algorithm: "ECDSA" });
  return { download: issued.download, data: assembleBundle(issued.download, issued.privateKey) };
};
const first = await bundleOf("a");
const second = await bundleOf("b");

describe("the certificate memo", () => {
  it("reads one certificate text once", () => {
    const [block] = parsePem(first.download.server);
    if (!block) throw new Error("no block");
    expect(readCertificate(block.text, block.der)).toBe(readCertificate(block.text, block.der));
    const chainA = partOrThrow(parseBundle(first.data).certificates);
    const chainB = partOrThrow(parseBundle(second.data).certificates);
    // The intermediate both carry is one object; the server certificates are two.
    expect(chainA[1]?.certificate).toBe(chainB[1]?.certificate);
    expect(chainA[0]?.certificate).not.toBe(chainB[0]?.certificate);
  });

  it("answers as a fresh check does: who signs whom, and whose key is whose", () => {
    const a = parseBundle(first.data);
    const b = parseBundle(second.data);
    const [leafA, intermediate] = partOrThrow(a.certificates).map((c) => c.certificate);
    const [leafB] = partOrThrow(b.certificates).map((c) => c.certificate);
    if (!leafA || !leafB || !intermediate) throw new Error("short chain");
    expect(signs(intermediate, leafA)).toBe(true);
    // The intermediate signs; a server certificate does not, however often asked.
    for (let i = 0; i < 2; i++) {
      expect(signs(leafB, leafA)).toBe(false);
      expect(signs(leafA, intermediate)).toBe(false);
    }
    const keyA = partOrThrow(a.key).key;
    const keyB = partOrThrow(b.key).key;
    expect([isKeyOf(leafA, keyA), isKeyOf(leafA, keyB), isKeyOf(leafB, keyB)]).toEqual([
      true,
      false,
      true,
    ]);
    expect(isKeyOf(leafA, keyB)).toBe(false);
  });
});
