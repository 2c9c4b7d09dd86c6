// PEM text (RFC 7468) split into blocks, and blocks written back in one canonical form:
// LF line endings, base64 in lines of 64 characters, and exactly one "\n" after the END
// line. DNSimple's chain entries lack that final newline; concatenating them as they come
// glues an END line to the next BEGIN line, which some TLS stacks reject.
//
// Parsing is strict: only whitespace may stand between blocks, and a block holds base64
// (after RFC 1421 headers such as an encrypted key's `Proc-Type`). Errors give line numbers
// and labels, never the text itself: the text may be a private key.

export interface PemBlock {
  /** "CERTIFICATE", "EC PRIVATE KEY", ... */
  readonly label: string;
  /** RFC 1421 headers ("Proc-Type", "DEK-Info"), in order; empty for almost everything. */
  readonly headers: readonly PemHeader[];
  readonly der: Buffer;
  /** The block in canonical form, ending in exactly one "\n". */
  readonly text: string;
  /** The line of the BEGIN line in the parsed text, counting from 1. */
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

/** The blocks of a PEM text, in order; an empty or all-whitespace text has none. */
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

/** The text of several blocks, one after the other. */
export function joinPem(blocks: readonly PemBlock[]): string {
  return blocks.map((block) => block.text).join("");
}

/** A block in canonical form. */
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

// What a block has gathered so far, while its lines are read.
interface OpenBlock {
  readonly label: string;
  readonly beginLine: number;
  readonly headers: PemHeader[];
  readonly base64Parts: string[];
  // Until a blank line or the first base64 line, a line with a colon is a header.
  inHeaders: boolean;
}

function parseBlock(
  lines: readonly string[],
  beginIndex: number,
): {
  block: PemBlock;
  nextIndex: number;
} {
  const open: OpenBlock = {
    label: BEGIN_LINE.exec((lines[beginIndex] ?? "").trim())?.[1] ?? "",
    beginLine: beginIndex + 1,
    headers: [],
    base64Parts: [],
    inHeaders: true,
  };
  for (let index = beginIndex + 1; index < lines.length; index += 1) {
    const raw = lines[index] ?? "";
    const line = raw.trim();
    const lineNumber = index + 1;
    const end = END_LINE.exec(line);
    if (end !== null) return { block: closeBlock(open, end[1], lineNumber), nextIndex: index + 1 };
    checkNoBoundary(open, line, lineNumber);
    readBodyLine(open, raw, line, lineNumber);
  }
  throw unterminated(open.label, open.beginLine, "the text ends first");
}

// The END line closes the block when it names the block's label.
function closeBlock(open: OpenBlock, endLabel: string | undefined, lineNumber: number): PemBlock {
  if (endLabel !== open.label) {
    throw new PemFormatError(
      "MismatchedEnd",
      lineNumber,
      `-----END ${endLabel}----- closes the ${open.label} block begun on line ${open.beginLine}`,
    );
  }
  return finishBlock(open.label, open.headers, open.base64Parts.join(""), open.beginLine);
}

// Inside a block, neither a BEGIN line nor an END line glued to a BEGIN line may stand.
function checkNoBoundary(open: OpenBlock, line: string, lineNumber: number): void {
  if (BEGIN_LINE.test(line)) {
    throw unterminated(open.label, open.beginLine, `a new block begins on line ${lineNumber}`);
  }
  if (END_THEN_BEGIN.test(line)) throw gluedBlocks(lineNumber);
}

// A line between BEGIN and END: blank, a header, a header's folded continuation, or base64.
function readBodyLine(open: OpenBlock, raw: string, line: string, lineNumber: number): void {
  if (line === "") {
    // A blank line ends the headers; elsewhere it is whitespace to ignore.
    open.inHeaders = false;
    return;
  }
  const inHeaders = open.inHeaders && open.base64Parts.length === 0;
  if (inHeaders && line.includes(":")) {
    open.headers.push(parseHeader(open, line, lineNumber));
    return;
  }
  if (inHeaders && open.headers.length > 0 && /^[ \t]/.test(raw)) {
    // A folded header line continues the previous header.
    const previous = open.headers.pop();
    if (previous !== undefined)
      open.headers.push({ ...previous, value: `${previous.value}${line}` });
    return;
  }
  if (!BASE64.test(line)) {
    throw new PemFormatError(
      "InvalidBase64",
      lineNumber,
      `a character that is not base64 in the ${open.label} block begun on line ${open.beginLine}`,
    );
  }
  open.inHeaders = false;
  open.base64Parts.push(line);
}

function parseHeader(open: OpenBlock, line: string, lineNumber: number): PemHeader {
  const header = HEADER_LINE.exec(line);
  if (header === null) {
    throw new PemFormatError(
      "InvalidHeader",
      lineNumber,
      `malformed header in the ${open.label} block begun on line ${open.beginLine}`,
    );
  }
  return { name: header[1] ?? "", value: header[2] ?? "" };
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
