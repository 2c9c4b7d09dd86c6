// Applying the TLS Secret, shared by writeSecret and refreshSecret: the metadata the
// operator wants (secret-observation.ts) with the data; a refusal by the API server becomes
// the pass's failure with what to check.

import { TAKEOVER_ANNOTATION } from "../../api/v1alpha1.ts";
import type { TlsSecretData } from "../../certs/bundle.ts";
import { KubeApiError } from "../../kube/errors.ts";
import type { TlsSecretApply } from "../../kube/secrets.ts";
import type { Failure, Observation } from "../observation.ts";
import { desiredSecretMetadata } from "../secret-observation.ts";
import type { StepContext } from "./step.ts";

/** The certificate a Secret is applied for, as its annotations record it. */
export interface AppliedCertificate {
  certificateId: number;
  commonName?: string;
  dnsNames?: string[];
  notAfter?: Date;
}

/** The Secret written (at the version the API server gave it), or why not. */
export type SecretApplied = { resourceVersion: string | undefined } | { failure: Failure };

/**
 * Writes the Secret: created when the name was found free (so a Secret someone makes meanwhile
 * is a conflict, not overwritten), else applied.
 */
export async function applySecret(
  observation: Observation,
  context: StepContext,
  data: TlsSecretData,
  certificate: AppliedCertificate,
  extra: Readonly<Record<string, Buffer>>,
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
  };
  const create = !observation.secret.exists && observation.secretName?.kind === "free";
  const { secretWriter } = context.ports;
  try {
    return {
      resourceVersion: await (create ? secretWriter.create(secret) : secretWriter.apply(secret)),
    };
  } catch (err) {
    if (!(err instanceof KubeApiError)) throw err;
    if (create && err.conflict) return { failure: takenMeanwhile(resource.spec.secretName) };
    const message = `${err.message}. Check that Secret ${resource.spec.secretName} is not of another type or owned by someone else, and the operator's RBAC`;
    return { failure: { reason: "SecretWriteFailed", message } };
  }
}

/** Someone made a Secret of the name between the look and the write: it stays theirs. */
function takenMeanwhile(secretName: string): Failure {
  return {
    reason: "SecretConflict",
    message: `Secret ${secretName} was created by someone else before the operator could write it, so it is left as it is: choose another spec.secretName, or have its owner hand it over with the annotation ${TAKEOVER_ANNOTATION}`,
  };
}
