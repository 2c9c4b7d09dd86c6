// cert-manager's CombinedPEM output (tls-combined.pem): the private key, then the chain, for
// servers that take one PEM file (HAProxy, some Java and Go servers). Both parts are the
// Secret's own text, unchanged apart from the line break between them, so the file is
// byte-for-byte tls.key followed by tls.crt and building it twice gives the same bytes.
import { certificatesOf, keyBlockOf } from "./input.ts";

/** tls.key, then tls.crt; both are checked to be what their names say (nothing is re-encoded). */
export function combinedPem(tlsKey: string, tlsCrt: string): string {
  keyBlockOf(tlsKey, "CombinedPEM");
  certificatesOf(tlsCrt, "tls.crt", "CombinedPEM");
  return withFinalNewline(tlsKey) + withFinalNewline(tlsCrt);
}

// The Secret's text ends in one "\n"; one without it must not glue END to BEGIN.
function withFinalNewline(text: string): string {
  return text.endsWith("\n") ? text : `${text}\n`;
}
