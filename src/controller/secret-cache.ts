// What the Secret cache keeps of each labelled Secret: only what decisions read. Anyone who may
// write Secrets in a namespace can put the operator's label on one, so the cache must not hold
// whatever such a Secret carries: of its data only tls.crt, tls.key and ca.crt, and those only
// up to a size no real certificate bundle reaches; of its managedFields only the operator's.
import type { V1Secret } from "@kubernetes/client-node";
import { FIELD_MANAGER } from "../kube/secrets.ts";

/** The data keys decisions read. */
const TLS_KEYS = ["tls.crt", "tls.key", "ca.crt"] as const;

/**
 * Far above a real bundle (a Let's Encrypt chain and an RSA 4096 key are under 12 KiB, base64),
 * far below what a few hundred Secrets may hold in a 384Mi pod (1 MiB each).
 */
export const MAX_CACHED_TLS_BYTES = 64 * 1024;

/**
 * Trims a Secret in place as it enters the cache (client-node caches the object it hands the
 * handlers). A bundle over MAX_CACHED_TLS_BYTES is dropped: the Secret then reads as holding no
 * certificate, and the operator writes it anew.
 */
export function keepWhatDecisionsRead(secret: V1Secret): void {
  const { metadata } = secret;
  if (metadata?.managedFields) {
    metadata.managedFields = metadata.managedFields.filter((f) => f.manager === FIELD_MANAGER);
  }
  const data: Record<string, string> = {};
  let bytes = 0;
  for (const key of TLS_KEYS) {
    const value = secret.data?.[key];
    if (value === undefined) continue;
    data[key] = value;
    bytes += value.length;
  }
  secret.data = bytes > MAX_CACHED_TLS_BYTES ? {} : data;
  delete secret.stringData;
}
