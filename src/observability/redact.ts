// Secrets stay secret: what may reach a log line, an Event, a status message or an error is
// scrubbed of PEM private keys and bearer tokens, and log objects have their secret-bearing
// fields censored (see logger.ts for the pino paths).

const PRIVATE_KEY_PEM =
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g;
const BEARER = /\b(Bearer)\s+[A-Za-z0-9._~+/=-]+/gi;

export const REDACTED = "[REDACTED]";

/** Removes private keys and bearer tokens from free text. */
export function scrubSecrets(text: string): string {
  return text.replace(PRIVATE_KEY_PEM, REDACTED).replace(BEARER, `$1 ${REDACTED}`);
}
