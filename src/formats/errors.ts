// The one error the output-format encoders and readers throw. The controller reads keystores
// back on every pass (a keystore that no longer opens is stale, not a crash), and shows the
// message in Events and status conditions: so a message names the format and what failed,
// never the password, a key or any decrypted byte, and no cause that could carry them.

/** Which encoding failed. */
export type FormatName = "CombinedPEM" | "DER" | "PKCS12" | "JKS";

/** What is wrong, for callers that react differently (and for tests). */
export type FormatProblem =
  // The PEM text given to an encoder is not a private key or not a certificate chain.
  | "InvalidInput"
  // A keystore's MAC, integrity digest or key checksum does not verify with the password
  // (a wrong password and an altered file look the same there).
  | "WrongPassword"
  // Not a keystore of the format, truncated, or its parts do not parse.
  | "Corrupt"
  // A valid keystore using something the readers do not handle (an algorithm, a layout).
  | "Unsupported";

export class FormatError extends Error {
  readonly format: FormatName;
  readonly problem: FormatProblem;

  constructor(format: FormatName, problem: FormatProblem, message: string) {
    super(`${format}: ${message}`);
    this.name = "FormatError";
    this.format = format;
    this.problem = problem;
  }
}
