// What the admin view shows about the simulator's state, as plain JSON-ready values.
import type { ApiCall } from "./call-log.ts";
import type {
  CertificateOrigin,
  CertificateRecord,
  CertificateState,
  IssuanceRecord,
  Purchase,
  PurchaseKind,
  SignatureAlgorithm,
} from "./model.ts";
import type { WebhookDelivery } from "./webhooks.ts";

/**
 * Everything the simulator knows about a certificate, including what the API hides:
 * where it came from (an auto-renewal's predecessor), its serial and key status.
 */
export interface CertificateView {
  id: number;
  domain: string;
  name: string;
  commonName: string;
  alternateNames: string[];
  state: CertificateState;
  autoRenew: boolean;
  signatureAlgorithm: SignatureAlgorithm;
  origin: CertificateOrigin;
  createdAt: string;
  updatedAt: string;
  serialNumber: string | null;
  notBefore: string | null;
  notAfter: string | null;
  privateKeyRemoved: boolean;
  servesMismatchingPrivateKey: boolean;
}

export function certificateView(certificate: CertificateRecord, domain: string): CertificateView {
  return {
    id: certificate.id,
    domain,
    name: certificate.name,
    commonName: certificate.commonName,
    alternateNames: [...certificate.alternateNames],
    state: certificate.state,
    autoRenew: certificate.autoRenew,
    signatureAlgorithm: certificate.signatureAlgorithm,
    origin: { ...certificate.origin },
    createdAt: certificate.createdAt.toISOString(),
    updatedAt: certificate.updatedAt.toISOString(),
    serialNumber: certificate.issued?.serialNumber ?? null,
    notBefore: certificate.issued?.notBefore.toISOString() ?? null,
    notAfter: certificate.issued?.notAfter.toISOString() ?? null,
    privateKeyRemoved: certificate.privateKeyRemoved,
    servesMismatchingPrivateKey: certificate.mismatchingPrivateKey !== undefined,
  };
}

export interface SimulatorCounts {
  apiCalls: number;
  /** Keyed by DNSimple operation name; "unknown" for paths the API does not have. */
  callsByOperation: Record<string, number>;
  purchases: number;
  purchasesByKind: Record<PurchaseKind, number>;
  certificates: number;
  certificatesByState: Partial<Record<CertificateState, number>>;
  issuances: number;
  webhookDeliveries: number;
}

export function countsOf(state: {
  calls: readonly ApiCall[];
  purchases: readonly Purchase[];
  certificates: readonly CertificateView[];
  issuances: readonly IssuanceRecord[];
  deliveries: readonly WebhookDelivery[];
}): SimulatorCounts {
  const purchasesByKind: Record<PurchaseKind, number> = {
    certificate: 0,
    renewal: 0,
    auto_renewal: 0,
  };
  for (const purchase of state.purchases) purchasesByKind[purchase.kind] += 1;
  return {
    apiCalls: state.calls.length,
    callsByOperation: tally(state.calls.map((call) => call.operation ?? "unknown")),
    purchases: state.purchases.length,
    purchasesByKind,
    certificates: state.certificates.length,
    certificatesByState: tally(state.certificates.map((certificate) => certificate.state)),
    issuances: state.issuances.length,
    webhookDeliveries: state.deliveries.length,
  };
}

function tally<K extends string>(keys: readonly K[]): Partial<Record<K, number>> {
  const counts: Partial<Record<K, number>> = {};
  for (const key of keys) counts[key] = (counts[key] ?? 0) + 1;
  return counts;
}
