// The keystore passwords of spec.keystores, read from Secrets in the resource's own namespace
// (a passwordSecretRef has no namespace field: a tenant cannot point it at another's Secret).
// Read past the cache, as credentials are: they are not the operator's labelled Secrets.
// A password never leaves the pass's handles; messages name the Secret and key, never the value.
import type { V1Secret } from "@kubernetes/client-node";
import type { DnsimpleCertificate, SecretKeyRef } from "../api/v1alpha1.ts";
import { KubeApiError } from "../kube/errors.ts";
import type { Failure } from "./observation.ts";
import type { SecretLookup } from "./ports.ts";
import type { KeystorePasswords } from "./secret-outputs.ts";

export type PasswordsRead =
  | { kind: "read"; passwords: KeystorePasswords }
  | { kind: "failed"; failure: Failure };

/** The passwords of the keystores the spec asks for (none asked: none read, no call). */
export async function readKeystorePasswords(
  resource: DnsimpleCertificate,
  lookup: SecretLookup,
): Promise<PasswordsRead> {
  const { keystores } = resource.spec;
  const wanted = {
    ...(keystores?.pkcs12?.create ? { pkcs12: keystores.pkcs12.passwordSecretRef } : {}),
    ...(keystores?.jks?.create ? { jks: keystores.jks.passwordSecretRef } : {}),
  };
  const read = new Map<string, Promise<V1Secret | undefined>>();
  const passwords: { pkcs12?: string; jks?: string } = {};
  for (const [store, ref] of Object.entries(wanted) as [keyof KeystorePasswords, SecretKeyRef][]) {
    // Both keystores may name one Secret: read it once.
    const secret = read.get(ref.name) ?? lookup.read(resource.metadata.namespace, ref.name);
    read.set(ref.name, secret);
    const outcome = await passwordOf(store, ref, resource.metadata.namespace, secret);
    if (typeof outcome !== "string") return { kind: "failed", failure: outcome };
    passwords[store] = outcome;
  }
  return { kind: "read", passwords };
}

/** The password, or the failure that says what to fix. */
async function passwordOf(
  store: keyof KeystorePasswords,
  ref: SecretKeyRef,
  namespace: string,
  read: Promise<V1Secret | undefined>,
): Promise<string | Failure> {
  const field = `spec.keystores.${store}.passwordSecretRef`;
  const missing = (what: string): Failure => ({
    reason: "KeystorePasswordNotFound",
    message: `${what}, so the ${store === "jks" ? "JKS" : "PKCS#12"} keystores cannot be written (${field}); the Secret is not changed until it can be`,
  });
  let secret: V1Secret | undefined;
  try {
    secret = await read;
  } catch (err) {
    if (!(err instanceof KubeApiError)) throw err;
    return missing(
      `Secret ${ref.name} could not be read (${err.message}): check the operator's RBAC (get on Secrets)`,
    );
  }
  if (!secret) return missing(`Secret ${ref.name} does not exist in namespace ${namespace}`);
  const encoded = secret.data?.[ref.key];
  if (encoded === undefined) return missing(`Secret ${ref.name} has no key ${ref.key}`);
  const value = Buffer.from(encoded, "base64").toString("utf8");
  if (value.length === 0) return missing(`Secret ${ref.name}'s key ${ref.key} is empty`);
  return value;
}
