// Applying the TLS Secret, shared by writeSecret and refreshSecretMetadata: the metadata the
// operator wants (secret-observation.ts) with the data; a refusal by the API server becomes
// the pass's failure with what to check.
import type { TlsSecretData } from "../../certs/bundle.ts";
import { KubeApiError } from "../../kube/errors.ts";
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

/** Applies the Secret; undefined when it was written, else the failure. */
export async function applySecret(
  observation: Observation,
  context: StepContext,
  data: TlsSecretData,
  certificate: AppliedCertificate,
): Promise<Failure | undefined> {
  const { resource } = observation;
  try {
    await context.ports.secretWriter.apply({
      namespace: resource.metadata.namespace,
      name: resource.spec.secretName,
      content: {
        "tls.crt": data.tlsCrt,
        "tls.key": data.tlsKey,
        ...(data.caCrt ? { "ca.crt": data.caCrt } : {}),
      },
      ...desiredSecretMetadata(resource, certificate),
    });
    return undefined;
  } catch (err) {
    if (!(err instanceof KubeApiError)) throw err;
    return {
      reason: "SecretWriteFailed",
      message: `${err.message}. Check that Secret ${resource.spec.secretName} is not of another type or owned by someone else, and the operator's RBAC`,
    };
  }
}
