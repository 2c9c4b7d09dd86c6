// Writing the TLS Secret (server-side apply, so the operator owns exactly the fields it sets and
// other writers' labels survive) and reading credentials Secrets (a direct GET: they are not
// labelled, and the operator never caches Secrets it does not manage).
import {
  type CoreV1Api,
  PatchStrategy,
  setHeaderOptions,
  type V1OwnerReference,
  type V1Secret,
} from "@kubernetes/client-node";
import type { TlsSecretData } from "../certs/bundle.ts";
import { kubeCall } from "./errors.ts";

export const FIELD_MANAGER = "dnsimple-cert-operator";

export interface TlsSecretContent {
  "tls.crt": string;
  "tls.key": string;
  "ca.crt"?: string;
}

export interface TlsSecretApply {
  namespace: string;
  name: string;
  content: TlsSecretContent;
  /** The extra keys (keystores, combined PEM, DER), as bytes. */
  extra?: Readonly<Record<string, Buffer>>;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  ownerReferences?: V1OwnerReference[];
  /**
   * Apply only over this version of the Secret (a precondition: any other is a 409), when what
   * is applied was read from it.
   */
  resourceVersion?: string;
}

/** The Secret object the operator applies (pure, so tests can compare it). */
export function tlsSecretManifest(apply: TlsSecretApply): V1Secret {
  const data: Record<string, string> = {};
  for (const [key, value] of Object.entries(apply.content)) {
    if (value !== undefined) data[key] = Buffer.from(value).toString("base64");
  }
  for (const [key, value] of Object.entries(apply.extra ?? {})) {
    data[key] = value.toString("base64");
  }
  return {
    apiVersion: "v1",
    kind: "Secret",
    type: "kubernetes.io/tls",
    metadata: {
      name: apply.name,
      namespace: apply.namespace,
      labels: apply.labels,
      annotations: apply.annotations,
      // Omitted when not wanted: server-side apply then removes the one this manager set.
      ...(apply.ownerReferences ? { ownerReferences: apply.ownerReferences } : {}),
      ...(apply.resourceVersion ? { resourceVersion: apply.resourceVersion } : {}),
    },
    data,
  };
}

/**
 * Writes a Secret the operator has not written before: a server-side apply without force, so
 * it creates the Secret, while one someone else made meanwhile (whose tls.* fields another
 * manager owns) is a 409 (KubeApiError.conflict) and stays untouched. (A plain create would
 * record the fields under an Update entry, which later applies could not take back.)
 */
export async function createTlsSecret(core: CoreV1Api, apply: TlsSecretApply): Promise<V1Secret> {
  return serverSideApply(core, apply, false);
}

/** Server-side applies the Secret (force: the operator owns the fields it sets). */
export async function applyTlsSecret(core: CoreV1Api, apply: TlsSecretApply): Promise<V1Secret> {
  return serverSideApply(core, apply, true);
}

function serverSideApply(core: CoreV1Api, apply: TlsSecretApply, force: boolean) {
  return kubeCall(`apply Secret ${apply.namespace}/${apply.name}`, () =>
    core.patchNamespacedSecret(
      {
        name: apply.name,
        namespace: apply.namespace,
        body: tlsSecretManifest(apply),
        fieldManager: FIELD_MANAGER,
        force,
      },
      setHeaderOptions("Content-Type", PatchStrategy.ServerSideApply),
    ),
  );
}

/** Decodes a Secret's data (base64) into strings; missing keys are absent. */
export function secretStrings(secret: V1Secret | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(secret?.data ?? {})) {
    out[key] = Buffer.from(value, "base64").toString("utf8");
  }
  return out;
}

/** A TLS Secret's tls.crt, tls.key and ca.crt as text; missing keys read as empty. */
export function tlsDataOf(secret: V1Secret | undefined): TlsSecretData {
  const strings = secretStrings(secret);
  return {
    tlsCrt: strings["tls.crt"] ?? "",
    tlsKey: strings["tls.key"] ?? "",
    ...(strings["ca.crt"] ? { caCrt: strings["ca.crt"] } : {}),
  };
}

/** GET a Secret, or undefined when it does not exist. */
export async function readSecret(
  core: CoreV1Api,
  namespace: string,
  name: string,
): Promise<V1Secret | undefined> {
  try {
    return await kubeCall(`get Secret ${namespace}/${name}`, () =>
      core.readNamespacedSecret({ namespace, name }),
    );
  } catch (err) {
    if (err instanceof Error && "notFound" in err && err.notFound === true) return undefined;
    throw err;
  }
}
