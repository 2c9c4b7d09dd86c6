// What the Secret cache keeps of each labelled Secret: only what decisions read. Anyone who may
// write Secrets in a namespace can put the operator's label on one, so the cache must not hold
// whatever such a Secret carries: of its data only tls.crt, tls.key and ca.crt, and those only
// up to a size no real certificate bundle reaches; of its managedFields the operator's, and of
// the others only that they write tls.crt or tls.key (then the Secret is not the operator's
// alone, and it is not written without its owner's say: see secret-observation.ts).
import type { V1ManagedFieldsEntry, V1Secret } from "@kubernetes/client-node";
import { FIELD_MANAGER } from "../kube/secrets.ts";

/** The data keys decisions read. */
const TLS_KEYS = ["tls.crt", "tls.key", "ca.crt"] as const;

/**
 * Far above a real bundle (a Let's Encrypt chain and an RSA 4096 key are under 12 KiB, base64),
 * far below what a few hundred Secrets may hold in a 768Mi pod (1 MiB each).
 */
export const MAX_CACHED_TLS_BYTES = 64 * 1024;

/**
 * Trims a Secret in place as it enters the cache (client-node caches the object it hands the
 * handlers). A bundle over MAX_CACHED_TLS_BYTES is dropped: the Secret then reads as holding no
 * certificate, and the operator writes it anew.
 */
export function keepWhatDecisionsRead(secret: V1Secret): void {
  const { metadata } = secret;
  if (metadata?.managedFields) metadata.managedFields = managedFieldsKept(metadata.managedFields);
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

/** The data keys whose writers count: the certificate and key the operator writes. */
const WRITTEN_KEYS = ["f:tls.crt", "f:tls.key"] as const;

/** The operator's entries whole; another manager's only as "writes tls.*", if it does. */
function managedFieldsKept(entries: readonly V1ManagedFieldsEntry[]): V1ManagedFieldsEntry[] {
  return entries.flatMap((entry) => {
    if (entry.manager === FIELD_MANAGER) return [entry];
    const written = tlsKeysWritten(entry);
    if (written.length === 0) return [];
    const fields = Object.fromEntries(written.map((k) => [k, {}]));
    return [{ manager: entry.manager, operation: entry.operation, fieldsV1: { "f:data": fields } }];
  });
}

/** The tls.* keys an entry writes, through data or stringData. */
function tlsKeysWritten(entry: V1ManagedFieldsEntry): string[] {
  const fields = entry.fieldsV1 as Record<string, Record<string, unknown> | undefined> | undefined;
  return WRITTEN_KEYS.filter((k) =>
    [fields?.["f:data"], fields?.["f:stringData"]].some((f) => f && Object.hasOwn(f, k)),
  );
}

/** The field managers other than the operator that write tls.crt or tls.key of a cached Secret. */
export function otherTlsWriters(secret: V1Secret): string[] {
  const entries = secret.metadata?.managedFields ?? [];
  return entries
    .filter((e) => e.manager !== FIELD_MANAGER && tlsKeysWritten(e).length > 0)
    .map((e) => e.manager ?? "(unnamed)");
}
