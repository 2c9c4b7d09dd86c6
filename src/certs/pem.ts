// PEM text (RFC 7468) split into blocks, and blocks written back in one canonical form:
// LF line endings, base64 in lines of 64 characters, and exactly one "\n" after the END
// line. DNSimple's chain entries lack that final newline; concatenating them as they come
// glues an END line to the next BEGIN line, which some TLS stacks reject.
//
// Parsing is strict: only whitespace may stand between blocks, and a block holds base64
// (after RFC 1421 headers such as an encrypted key's `Proc-Type`). Errors give line numbers
// and labels, never the text itself: the text may be a private key.

export interface PemBlock {
  // "CERTIFICATE", "EC PRIVATE KEY", ...
  readonly label: string;
  // RFC 1421 headers ("Proc-Type", "DEK-Info"), in order; empty for almost everything.
  readonly headers: readonly PemHeader[];
  readonly der: Buffer;
  // The block in canonical form, ending in exactly one "\n".
  readonly text: string;
  // The line of the BEGIN line in the parsed text, counting from 1.
  readonly line: number;
}

export interface PemHeader {
  readonly name: string;
  readonly value: string;
}

export type PemProblem =
  | "TextOutsideBlocks"
  | "GluedBlocks"
  | "UnterminatedBlock"
  | "MismatchedEnd"
  | "InvalidHeader"
  | "InvalidBase64"
  | "EmptyBlock";

export class PemFormatError extends Error {
  readonly problem: PemProblem;
  readonly line: number;

  constructor(problem: PemProblem, line: number, message: string) {
    super(`line ${line}: ${message}`);
    this.name = "PemFormatError";
    this.problem = problem;
    this.line = line;
  }
}

const BEGIN_LINE = /^-----BEGIN ([A-Z0-9]+(?: [A-Z0-9]+)*)-----$/;
const END_LINE = /^-----END ([A-Z0-9]+(?: [A-Z0-9]+)*)-----$/;
const END_THEN_BEGIN = /^-----END [A-Z0-9 ]+-----\s*-----BEGIN /;
const HEADER_LINE = /^([A-Za-z0-9-]+):\s*(.*)$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const LINE_LENGTH = 64;

// The blocks of a PEM text, in order; an empty or all-whitespace text has none.
export function parsePem(text: string): PemBlock[] {
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  const blocks: PemBlock[] = [];
  let index = 0;
  while (index < lines.length) {
    const line = (lines[index] ?? "").trim();
    const lineNumber = index + 1;
    if (line === "") {
      index += 1;
    } else if (BEGIN_LINE.test(line)) {
      const { block, nextIndex } = parseBlock(lines, index);
      blocks.push(block);
      index = nextIndex;
    } else if (END_THEN_BEGIN.test(line)) {
      throw gluedBlocks(lineNumber);
    } else {
      throw new PemFormatError(
        "TextOutsideBlocks",
        lineNumber,
        "text outside a PEM block (only whitespace may stand between -----END ...----- and -----BEGIN ...----- lines)",
      );
    }
  }
  return blocks;
}

// The text of several blocks, one after the other.
export function joinPem(blocks: readonly PemBlock[]): string {
  return blocks.map((block) => block.text).join("");
}

// A block in canonical form.
export function formatPemBlock(
  label: string,
  der: Buffer,
  headers: readonly PemHeader[] = [],
): string {
  const base64 = der.toString("base64");
  const lines: string[] = [];
  for (let start = 0; start < base64.length; start += LINE_LENGTH) {
    lines.push(base64.slice(start, start + LINE_LENGTH));
  }
  const headerLines =
    headers.length === 0 ? [] : [...headers.map(({ name, value }) => `${name}: ${value}`), ""];
  return [`-----BEGIN ${label}-----`, ...headerLines, ...lines, `-----END ${label}-----`, ""].join(
    "\n",
  );
}

function parseBlock(
  lines: readonly string[],
  beginIndex: number,
): {
  block: PemBlock;
  nextIndex: number;
} {
  const beginLine = beginIndex + 1;
  const label = BEGIN_LINE.exec((lines[beginIndex] ?? "").trim())?.[1] ?? "";
  const headers: PemHeader[] = [];
  const base64Parts: string[] = [];
  let inHeaders = true;
  for (let index = beginIndex + 1; index < lines.length; index += 1) {
    const raw = lines[index] ?? "";
    const line = raw.trim();
    const lineNumber = index + 1;
    const end = END_LINE.exec(line);
    if (end !== null) {
      if (end[1] !== label) {
        throw new PemFormatError(
          "MismatchedEnd",
          lineNumber,
          `-----END ${end[1]}----- closes the ${label} block begun on line ${beginLine}`,
        );
      }
      const block = finishBlock(label, headers, base64Parts.join(""), beginLine);
      return { block, nextIndex: index + 1 };
    }
    if (BEGIN_LINE.test(line)) {
      throw unterminated(label, beginLine, `a new block begins on line ${lineNumber}`);
    }
    if (END_THEN_BEGIN.test(line)) throw gluedBlocks(lineNumber);
    if (line === "") {
      // A blank line ends the headers; elsewhere it is whitespace to ignore.
      inHeaders = false;
      continue;
    }
    if (inHeaders && base64Parts.length === 0 && line.includes(":")) {
      const header = HEADER_LINE.exec(line);
      if (header === null) {
        throw new PemFormatError(
          "InvalidHeader",
          lineNumber,
          `malformed header in the ${label} block begun on line ${beginLine}`,
        );
      }
      headers.push({ name: header[1] ?? "", value: header[2] ?? "" });
      continue;
    }
    if (/^[ \t]/.test(raw) && headers.length > 0 && base64Parts.length === 0 && inHeaders) {
      // A folded header line continues the previous header.
      const previous = headers.pop();
      if (previous !== undefined) headers.push({ ...previous, value: `${previous.value}${line}` });
      continue;
    }
    if (!BASE64.test(line)) {
      throw new PemFormatError(
        "InvalidBase64",
        lineNumber,
        `a character that is not base64 in the ${label} block begun on line ${beginLine}`,
      );
    }
    inHeaders = false;
    base64Parts.push(line);
  }
  throw unterminated(label, beginLine, "the text ends first");
}

function finishBlock(
  label: string,
  headers: readonly PemHeader[],
  base64: string,
  beginLine: number,
): PemBlock {
  if (base64 === "") {
    throw new PemFormatError("EmptyBlock", beginLine, `the ${label} block holds no data`);
  }
  const der = Buffer.from(base64, "base64");
  // Buffer.from skips what it cannot decode; a round trip shows padding in the middle,
  // a length that is not a multiple of 4, or stray bits.
  if (base64.length % 4 !== 0 || der.toString("base64") !== base64) {
    throw new PemFormatError(
      "InvalidBase64",
      beginLine,
      `the ${label} block begun here is not valid base64 (truncated or padded wrongly)`,
    );
  }
  return { label, headers, der, text: formatPemBlock(label, der, headers), line: beginLine };
}

function unterminated(label: string, beginLine: number, why: string): PemFormatError {
  return new PemFormatError(
    "UnterminatedBlock",
    beginLine,
    `the ${label} block begun here has no -----END ${label}----- line (${why})`,
  );
}

function gluedBlocks(lineNumber: number): PemFormatError {
  return new PemFormatError(
    "GluedBlocks",
    lineNumber,
    "an -----END ...----- line runs into the next -----BEGIN ...----- line; each PEM block must end with a newline",
  );
}
