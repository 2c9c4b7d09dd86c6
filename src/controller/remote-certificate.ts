// DNSimple's certificate record, reduced to what decisions read.
import type { Certificate } from "../dnsimple/types.ts";
import type { RemoteCertificate } from "./observation.ts";

/** DNSimple's certificate record, reduced to a RemoteCertificate. */
export function remoteFrom(certificate: Certificate): RemoteCertificate {
  return {
    id: certificate.id,
    state: certificate.state,
    name: certificate.name,
    commonName: certificate.common_name,
    alternateNames: certificate.alternate_names,
    autoRenew: certificate.auto_renew,
    createdAt: new Date(certificate.created_at),
    ...(certificate.expires_at ? { expiresAt: new Date(certificate.expires_at) } : {}),
  };
}
