// The User-Agent the client sends, naming the operator and its version, so DNSimple (and
// a person reading its logs) can tell the operator's requests apart.
import { readFileSync } from "node:fs";

const PRODUCT = "dnsimple-cert-operator";

// package.json is two levels up both from src/dnsimple/ and from dist/dnsimple/ (the
// image copies it beside dist/).
function operatorVersion(): string {
  try {
    const packageJson: unknown = JSON.parse(
      readFileSync(new URL("../../package.json", import.meta.url), "utf8"),
    );
    if (typeof packageJson === "object" && packageJson !== null && "version" in packageJson) {
      const { version } = packageJson;
      if (typeof version === "string" && version !== "") return version;
    }
  } catch {
    // A build without package.json beside it: still say who is calling.
  }
  return "unknown";
}

export const DEFAULT_USER_AGENT = `${PRODUCT}/${operatorVersion()}`;
