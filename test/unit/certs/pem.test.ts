// PEM splitting and normalisation: the forms DNSimple and people produce (no final newline,
// CRLF, stray whitespace, other line widths) come out canonical; garbage is refused with
// its line number and without being quoted.
import { describe, expect, it } from "vitest";
import {
  formatPemBlock,
  joinPem,
  PemFormatError,
  type PemProblem,
  parsePem,
} from "../../../src/certs/pem.ts";
import { createAuthority, withoutFinalNewline } from "./material.ts";

const authority = await createAuthority();
// Canonical blocks: 64-column base64, one final newline.
const ROOT = `${withoutFinalNewline(authority.rootPem)}\n`;
const INTERMEDIATE = `${withoutFinalNewline(authority.intermediatePem)}\n`;
const rootBase64 = ROOT.split("\n").slice(1, -2).join("");

function rewrapped(pem: string, width: number): string {
  const base64 = pem.split("\n").slice(1, -2).join("");
  const lines = base64.match(new RegExp(`.{1,${width}}`, "g")) ?? [];
  return ["-----BEGIN CERTIFICATE-----", ...lines, "-----END CERTIFICATE-----", ""].join("\n");
}

describe("parsePem normalises", () => {
  it.each([
    { title: "a canonical block", text: ROOT, expected: [ROOT] },
    {
      title: "a block without its final newline",
      text: withoutFinalNewline(ROOT),
      expected: [ROOT],
    },
    { title: "a block with several final newlines", text: `${ROOT}\n\n\n`, expected: [ROOT] },
    { title: "CRLF line endings", text: ROOT.replaceAll("\n", "\r\n"), expected: [ROOT] },
    { title: "old Mac CR line endings", text: ROOT.replaceAll("\n", "\r"), expected: [ROOT] },
    {
      title: "whitespace around lines and blocks",
      text: `\n  \n${ROOT.split("\n")
        .map((line) => `  ${line}\t `)
        .join("\n")}\n\n${INTERMEDIATE}  \n`,
      expected: [ROOT, INTERMEDIATE],
    },
    { title: "base64 wrapped at 76 columns", text: rewrapped(ROOT, 76), expected: [ROOT] },
    { title: "base64 on one line", text: rewrapped(ROOT, 10_000), expected: [ROOT] },
    {
      title: "blocks joined with a newline between (server + chain entry)",
      text: `${ROOT}${withoutFinalNewline(INTERMEDIATE)}`,
      expected: [ROOT, INTERMEDIATE],
    },
    {
      title: "blank lines inside the base64",
      text: ROOT.replace("\n", "\n\n"),
      expected: [ROOT],
    },
    { title: "nothing", text: "", expected: [] },
    { title: "only whitespace", text: " \r\n\t\n", expected: [] },
  ])("$title", ({ text, expected }) => {
    const blocks = parsePem(text);
    expect(blocks.map((block) => block.text)).toEqual(expected);
    expect(joinPem(blocks)).toBe(expected.join(""));
    for (const block of blocks) {
      expect(block.label).toBe("CERTIFICATE");
      expect(block.text.endsWith("-----\n")).toBe(true);
      expect(block.text.endsWith("\n\n")).toBe(false);
    }
  });

  it("keeps the DER and the line each block begins on", () => {
    const [first, second] = parsePem(`\n\n${ROOT}\n${INTERMEDIATE}`);
    expect(first?.der.toString("base64")).toBe(rootBase64);
    expect(first?.line).toBe(3);
    expect(second?.line).toBe(3 + ROOT.split("\n").length);
  });

  it("reads RFC 1421 headers (an encrypted traditional key has them)", () => {
    const text = [
      "-----BEGIN RSA PRIVATE KEY-----",
      "Proc-Type: 4,ENCRYPTED",
      "DEK-Info: AES-256-CBC,",
      " 0011223344556677",
      "",
      "AAECAwQF",
      "-----END RSA PRIVATE KEY-----",
    ].join("\r\n");
    const [block] = parsePem(text);
    expect(block?.headers).toEqual([
      { name: "Proc-Type", value: "4,ENCRYPTED" },
      { name: "DEK-Info", value: "AES-256-CBC,0011223344556677" },
    ]);
    expect(block?.der).toEqual(Buffer.from([0, 1, 2, 3, 4, 5]));
    expect(block?.text).toBe(
      "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,0011223344556677\n\nAAECAwQF\n-----END RSA PRIVATE KEY-----\n",
    );
  });
});

describe("formatPemBlock", () => {
  it("writes 64-column base64 and one final newline", () => {
    const text = formatPemBlock("CERTIFICATE", Buffer.from(rootBase64, "base64"));
    expect(text).toBe(ROOT);
  });
});

const SECRET_LOOKING_JUNK = "zzTOPSECRETzz";

describe("parsePem refuses", () => {
  const lines = ROOT.split("\n");
  it.each<{ title: string; text: string; problem: PemProblem; line: number; message: RegExp }>([
    {
      title: "text before a block",
      text: `${SECRET_LOOKING_JUNK}\n${ROOT}`,
      problem: "TextOutsideBlocks",
      line: 1,
      message: /^line 1: text outside a PEM block/,
    },
    {
      title: "text between blocks",
      text: `${ROOT}\n${SECRET_LOOKING_JUNK}\n${INTERMEDIATE}`,
      problem: "TextOutsideBlocks",
      line: lines.length + 1,
      message: /text outside a PEM block/,
    },
    {
      title: "text after the last block",
      text: `${ROOT}Bag Attributes ${SECRET_LOOKING_JUNK}\n`,
      problem: "TextOutsideBlocks",
      line: lines.length,
      message: /text outside a PEM block/,
    },
    {
      title: "a body without BEGIN and END lines",
      text: lines.slice(1, -2).join("\n"),
      problem: "TextOutsideBlocks",
      line: 1,
      message: /text outside a PEM block/,
    },
    {
      title: "blocks naively concatenated (END glued to BEGIN)",
      text: `${withoutFinalNewline(ROOT)}${INTERMEDIATE}`,
      problem: "GluedBlocks",
      line: lines.length - 1,
      message: /runs into the next -----BEGIN .*must end with a newline/,
    },
    {
      title: "a block without an END line",
      text: lines.slice(0, -2).join("\n"),
      problem: "UnterminatedBlock",
      line: 1,
      message: /CERTIFICATE block begun here has no -----END CERTIFICATE----- line/,
    },
    {
      title: "a BEGIN inside a block",
      text: `${lines.slice(0, 3).join("\n")}\n${INTERMEDIATE}`,
      problem: "UnterminatedBlock",
      line: 1,
      message: /a new block begins on line 4/,
    },
    {
      title: "an END line of another label",
      text: ROOT.replace("END CERTIFICATE", "END PRIVATE KEY"),
      problem: "MismatchedEnd",
      line: lines.length - 1,
      message: /-----END PRIVATE KEY----- closes the CERTIFICATE block begun on line 1/,
    },
    {
      title: "a character that is not base64",
      text: ROOT.replace(lines[2] ?? "", `${SECRET_LOOKING_JUNK}!`),
      problem: "InvalidBase64",
      line: 3,
      message: /not base64 in the CERTIFICATE block/,
    },
    {
      title: "base64 cut short",
      text: ROOT.replace(`${lines.at(-3)}\n`, `${lines.at(-3)?.slice(0, -1)}\n`),
      problem: "InvalidBase64",
      line: 1,
      message: /not valid base64/,
    },
    {
      title: "padding in the middle",
      text: ROOT.replace(lines[2] ?? "", `${lines[2]?.slice(0, -2)}==`),
      problem: "InvalidBase64",
      line: 1,
      message: /not valid base64/,
    },
    {
      title: "an empty block",
      text: "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n",
      problem: "EmptyBlock",
      line: 1,
      message: /holds no data/,
    },
    {
      title: "a malformed header",
      text: "-----BEGIN RSA PRIVATE KEY-----\nProc Type: 4\n\nAAAA\n-----END RSA PRIVATE KEY-----\n",
      problem: "InvalidHeader",
      line: 2,
      message: /malformed header/,
    },
  ])("$title", ({ text, problem, line, message }) => {
    let thrown: unknown;
    try {
      parsePem(text);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(PemFormatError);
    const error = thrown as PemFormatError;
    expect({ problem: error.problem, line: error.line }).toEqual({ problem, line });
    expect(error.message).toMatch(message);
    expect(error.message).toMatch(/^line \d+: /);
    // The text itself is never quoted: it may be a private key.
    expect(error.message).not.toContain(SECRET_LOOKING_JUNK);
    expect(error.message).not.toContain(lines[2]);
  });
});
