// Applying the TLS Secret, shared by writeSecret and refreshSecret: the metadata the
// operator wants (secret-observation.ts) with the data; a refusal by the API server becomes
// the pass's failure with what to check.

import { TAKEOVER_ANNOTATION } from "../../api/v1alpha1.ts";
import type { TlsSecretData } from "../../certs/bundle.ts";
import { KubeApiError } from "../../kube/errors.ts";
import type { TlsSecretApply } from "../../kube/secrets.ts";
import type { Failure, Observation } from "../observation.ts";
import type { SecretWriter, WrittenSecret } from "../ports.ts";
import { desiredSecretMetadata } from "../secret-observation.ts";
import type { StepContext } from "./step.ts";

/** The certificate a Secret is applied for, as its annotations record it. */
export interface AppliedCertificate {
  certificateId: number;
  commonName?: string;
  dnsNames?: string[];
  notAfter?: Date;
}

/**
 * The Secret written: at the version the API server gave it, and whether it holds exactly the
 * tls.* applied (under server-side apply a key left out, an empty ca.crt, can stay another
 * manager's); or `changed`: it was no longer at the version the data was read from; or why not.
 */
export type SecretApplied =
  | { resourceVersion: string | undefined; exact: boolean }
  | { changed: true }
  | { failure: Failure };

/**
 * Writes the Secret: created when the name was found free (so a Secret someone makes meanwhile
 * is a conflict, not overwritten), else applied; over `readVersion` only, when the data was read
 * from the Secret (so bytes written meanwhile are neither overwritten nor taken for checked).
 */
export async function applySecret(
  observation: Observation,
  context: StepContext,
  data: TlsSecretData,
  certificate: AppliedCertificate,
  extra: Readonly<Record<string, Buffer>>,
  readVersion?: string,
): Promise<SecretApplied> {
  const { resource } = observation;
  const secret: TlsSecretApply = {
    namespace: resource.metadata.namespace,
    name: resource.spec.secretName,
    content: {
      "tls.crt": data.tlsCrt,
      "tls.key": data.tlsKey,
      ...(data.caCrt ? { "ca.crt": data.caCrt } : {}),
    },
    extra,
    ...desiredSecretMetadata(resource, certificate),
    ...(readVersion !== undefined ? { resourceVersion: readVersion } : {}),
  };
  const create = !observation.secret.exists && observation.secretName?.kind === "free";
  const { secretWriter } = context.ports;
  try {
    let written = await (create ? secretWriter.create(secret) : secretWriter.apply(secret));
    if (!data.caCrt && written.tls.caCrt) written = await clearCaCrt(secretWriter, secret, written);
    return { resourceVersion: written.resourceVersion, exact: sameTls(written.tls, data) };
  } catch (err) {
    if (!(err instanceof KubeApiError)) throw err;
    if (create && err.conflict) return { failure: takenMeanwhile(resource.spec.secretName) };
    if (readVersion !== undefined && err.conflict) return { changed: true };
    const message = `${err.message}. Check that Secret ${resource.spec.secretName} is not of another type or owned by someone else, and the operator's RBAC`;
    return { failure: { reason: "SecretWriteFailed", message } };
  }
}

/**
 * A bundle without a root (DNSimple's can be null) applied over a Secret whose ca.crt another
 * manager set leaves that ca.crt in place: it would pass for the certificate's root. Taken over
 * empty (an empty ca.crt reads as none; the next apply without it removes the key).
 */
function clearCaCrt(
  writer: SecretWriter,
  secret: TlsSecretApply,
  written: WrittenSecret,
): Promise<WrittenSecret> {
  return writer.apply({
    ...secret,
    content: { ...secret.content, "ca.crt": "" },
    ...(written.resourceVersion !== undefined ? { resourceVersion: written.resourceVersion } : {}),
  });
}

/** Whether two Secrets' tls.crt, tls.key and ca.crt are the same bytes. */
export function sameTls(a: TlsSecretData, b: TlsSecretData): boolean {
  return a.tlsCrt === b.tlsCrt && a.tlsKey === b.tlsKey && (a.caCrt ?? "") === (b.caCrt ?? "");
}

/** Someone made a Secret of the name between the look and the write: it stays theirs. */
function takenMeanwhile(secretName: string): Failure {
  return {
    reason: "SecretConflict",
    message: `Secret ${secretName} was created by someone else before the operator could write it, so it is left as it is: choose another spec.secretName, or have its owner hand it over with the annotation ${TAKEOVER_ANNOTATION}`,
  };
}
