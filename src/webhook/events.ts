// DNSimple webhook events as the receiver reads them: the event's name, its request identifier
// (DNSimple delivers at least once: duplicates carry the same one), and for a certificate
// event the certificate's id and common name. Nothing here is trusted as data; it only says
// whom to make look again through the API.

/** What a certificate event names; only the parts the operator acts on. */
export interface CertificateEvent {
  name: string;
  requestIdentifier?: string;
  certificateId?: number;
  commonName?: string;
}

/** Events after which DNSimple holds a newly issued certificate: auto-renewals among them. */
export const ISSUE_EVENTS: ReadonlySet<string> = new Set([
  "certificate.issue",
  "certificate.reissue",
]);

const field = (value: unknown, key: string): unknown =>
  value && typeof value === "object" && key in value
    ? (value as Record<string, unknown>)[key]
    : undefined;

/** The event, or undefined for a payload that is not a DNSimple event (or a certificate event without an id). */
export function readEvent(payload: unknown): CertificateEvent | undefined {
  const name = field(payload, "name");
  if (typeof name !== "string") return undefined;
  const request = field(payload, "request_identifier");
  const event: CertificateEvent = {
    name,
    ...(typeof request === "string" && request.length > 0 ? { requestIdentifier: request } : {}),
  };
  if (!name.startsWith("certificate.")) return event;
  const certificate = field(field(payload, "data"), "certificate");
  const id = field(certificate, "id");
  // A certificate event without a certificate id is not one DNSimple sends.
  if (typeof id !== "number" || !Number.isInteger(id) || id <= 0) return undefined;
  const commonName = field(certificate, "common_name");
  return {
    ...event,
    certificateId: id,
    ...(typeof commonName === "string" && commonName.length > 0 ? { commonName } : {}),
  };
}

/**
 * The request identifiers seen lately, to drop redelivered events: the last `capacity` of them
 * (the oldest forgotten first), so memory stays bounded whatever is posted.
 */
export class SeenRequests {
  readonly #capacity: number;
  readonly #seen = new Set<string>();

  constructor(capacity = 10_000) {
    this.#capacity = capacity;
  }

  /** True the first time `id` is offered; false for a repeat while it is remembered. */
  firstTime(id: string): boolean {
    if (this.#seen.has(id)) return false;
    this.#seen.add(id);
    // A Set iterates in insertion order: the first entry is the oldest.
    if (this.#seen.size > this.#capacity) {
      const oldest = this.#seen.values().next().value;
      if (oldest !== undefined) this.#seen.delete(oldest);
    }
    return true;
  }
}
