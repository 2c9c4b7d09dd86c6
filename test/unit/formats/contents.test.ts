// keystoreMismatch / sameKeystoreContent: the comparison the controller makes on every resync
// between what a keystore holds and what the Secret says, as a table.
import { describe, expect, it } from "vitest";
import {
  type KeystoreContents,
  keystoreMismatch,
  sameKeystoreContent,
} from "../../../src/formats/contents.ts";

const b = (text: string) => Buffer.from(text);
const WANTED: KeystoreContents = {
  privateKeyPkcs8: b("key"),
  certificates: [b("leaf"), b("int")],
  trusted: [b("root")],
};

const ROWS: { title: string; held: KeystoreContents; why: string | undefined }[] = [
  {
    title: "the same (equal bytes, other Buffers)",
    held: { ...WANTED, privateKeyPkcs8: b("key") },
    why: undefined,
  },
  {
    title: "another key",
    held: { ...WANTED, privateKeyPkcs8: b("other") },
    why: "it holds another private key",
  },
  {
    title: "no key",
    held: { certificates: WANTED.certificates, trusted: WANTED.trusted },
    why: "it holds no private key",
  },
  {
    title: "the chain reversed",
    held: { ...WANTED, certificates: [b("int"), b("leaf")] },
    why: "it holds another certificate chain",
  },
  {
    title: "the chain without the intermediate",
    held: { ...WANTED, certificates: [b("leaf")] },
    why: "it holds another certificate chain",
  },
  {
    title: "no trusted root",
    held: { ...WANTED, trusted: [] },
    why: "it holds other trusted certificates",
  },
  {
    title: "another root",
    held: { ...WANTED, trusted: [b("root2")] },
    why: "it holds other trusted certificates",
  },
];

describe("keystoreMismatch", () => {
  it.each(ROWS)("$title", ({ held, why }) => {
    expect(keystoreMismatch(held, WANTED)).toBe(why);
    expect(sameKeystoreContent(held, WANTED)).toBe(why === undefined);
  });

  it("a key where a truststore wants none", () => {
    const truststore: KeystoreContents = { certificates: [], trusted: [b("root")] };
    expect(keystoreMismatch({ ...truststore, privateKeyPkcs8: b("key") }, truststore)).toBe(
      "it holds a private key",
    );
    expect(keystoreMismatch(truststore, truststore)).toBeUndefined();
  });
});
