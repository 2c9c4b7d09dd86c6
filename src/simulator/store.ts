// The simulator's memory: one account with its domains (hosted, or registered when the
// options say so), the certificates and renewals ordered so far, and the record of
// purchases and issuances. Nothing is persisted.
//
// Domains, certificates and renewals draw ids from separate ranges, so a client that
// mixes them up (say, sends a renewal id as a certificate id) gets a 404, not a lucky hit.
import type {
  Account,
  CertificateRecord,
  Domain,
  DomainRegistration,
  IssuanceRecord,
  Purchase,
  RenewalRecord,
} from "./model.ts";

const FIRST_DOMAIN_ID = 1;
const FIRST_CERTIFICATE_ID = 100_001;
const FIRST_RENEWAL_ID = 50_001;
const CONTACT_ID = 1;

export class Store {
  readonly account: Account;
  readonly domains: readonly Domain[];
  readonly #certificates = new Map<number, CertificateRecord>();
  readonly #renewals = new Map<number, RenewalRecord>();
  readonly #purchases: Purchase[] = [];
  readonly #issuances: IssuanceRecord[] = [];
  #nextCertificateId = FIRST_CERTIFICATE_ID;
  #nextRenewalId = FIRST_RENEWAL_ID;

  /** `registrations` name some of `domainNames`; the other domains are only hosted. */
  constructor(
    accountId: number,
    domainNames: readonly string[],
    now: Date,
    registrations: readonly DomainRegistration[] = [],
  ) {
    this.account = {
      id: accountId,
      email: `simulator@${domainNames[0] ?? "example.com"}`,
      contactId: CONTACT_ID,
      createdAt: now,
      updatedAt: now,
    };
    this.domains = domainNames.map((domainName, index): Domain => {
      const name = domainName.toLowerCase();
      const registration = registrations.find((candidate) => candidate.domain === name);
      return {
        id: FIRST_DOMAIN_ID + index,
        name,
        registrantId: registration?.registrantId ?? null,
        state: registration === undefined ? "hosted" : "registered",
        autoRenew: false,
        privateWhois: false,
        expiresAt: registration?.expiresAt ?? null,
        createdAt: now,
        updatedAt: now,
      };
    });
  }

  /** A domain by name (any case) or by numeric id, as the API's :domain accepts both. */
  findDomain(reference: string): Domain | undefined {
    const lowered = reference.toLowerCase();
    return this.domains.find(
      (domain) => domain.name === lowered || String(domain.id) === reference,
    );
  }

  domainOf(certificate: CertificateRecord): Domain {
    const domain = this.domains.find((candidate) => candidate.id === certificate.domainId);
    if (domain === undefined) throw new Error(`certificate ${certificate.id} has no domain`);
    return domain;
  }

  takeCertificateId(): number {
    return this.#nextCertificateId++;
  }

  takeRenewalId(): number {
    return this.#nextRenewalId++;
  }

  addCertificate(certificate: CertificateRecord): void {
    this.#certificates.set(certificate.id, certificate);
  }

  certificate(id: number): CertificateRecord | undefined {
    return this.#certificates.get(id);
  }

  certificates(): CertificateRecord[] {
    return [...this.#certificates.values()];
  }

  certificatesOf(domain: Domain): CertificateRecord[] {
    return this.certificates().filter((certificate) => certificate.domainId === domain.id);
  }

  addRenewal(renewal: RenewalRecord): void {
    this.#renewals.set(renewal.id, renewal);
  }

  renewal(id: number): RenewalRecord | undefined {
    return this.#renewals.get(id);
  }

  recordPurchase(purchase: Purchase): void {
    this.#purchases.push(purchase);
  }

  purchases(): Purchase[] {
    return this.#purchases.map((purchase) => ({ ...purchase }));
  }

  recordIssuance(issuance: IssuanceRecord): void {
    this.#issuances.push(issuance);
  }

  issuances(): IssuanceRecord[] {
    return this.#issuances.map((issuance) => ({ ...issuance }));
  }
}
