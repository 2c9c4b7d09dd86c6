// Creating a DnsimpleCertificateClaim: the first create wins; an existing claim is returned as
// it is (whoever's it is), never updated.
import type { CustomObjectsApi } from "@kubernetes/client-node";
import {
  CLAIM_KIND,
  CLAIM_PLURAL,
  type ClaimSpec,
  type DnsimpleCertificateClaim,
} from "../api/claims.ts";
import { API_VERSION, GROUP, VERSION } from "../api/v1alpha1.ts";
import { KubeApiError, kubeCall } from "./errors.ts";

/**
 * Creates the claim `name`; when one exists already, returns that one (whoever's it is).
 * Never updates: a claim is immutable, the first one wins.
 */
export async function createClaim(
  api: CustomObjectsApi,
  name: string,
  spec: ClaimSpec,
): Promise<{ created: boolean; claim: DnsimpleCertificateClaim }> {
  const body: DnsimpleCertificateClaim = {
    apiVersion: API_VERSION,
    kind: CLAIM_KIND,
    metadata: { name },
    spec,
  };
  try {
    const created = await kubeCall("create a DnsimpleCertificateClaim", () =>
      api.createClusterCustomObject({ group: GROUP, version: VERSION, plural: CLAIM_PLURAL, body }),
    );
    return { created: true, claim: created as DnsimpleCertificateClaim };
  } catch (err) {
    if (!(err instanceof KubeApiError) || err.code !== 409) throw err;
  }
  const existing = await kubeCall("read a DnsimpleCertificateClaim", () =>
    api.getClusterCustomObject({ group: GROUP, version: VERSION, plural: CLAIM_PLURAL, name }),
  );
  return { created: false, claim: existing as DnsimpleCertificateClaim };
}
