// The JSON DNSimple's Certificates API, whoami and the domain list speak, field for field
// and in snake_case as on the wire (see shared/reference/dnsimple-certificates-api.txt and
// DNSimple's Domains API reference), and the bodies the client sends. Answers are checked
// against these shapes in answers.ts.

export const CERTIFICATE_STATES = [
  "new",
  "purchased",
  "configured",
  "submitted",
  "requesting",
  "issued",
  "rejected",
  "refunded",
  "cancelled",
  "failed",
] as const;

export type CertificateState = (typeof CERTIFICATE_STATES)[number];

export interface Certificate {
  id: number;
  domain_id: number;
  contact_id: number;
  name: string;
  common_name: string;
  years: number;
  /** Null until the certificate is issued. */
  csr: string | null;
  state: CertificateState;
  auto_renew: boolean;
  alternate_names: string[];
  authority_identifier: string;
  created_at: string;
  updated_at: string;
  /** Both null until the certificate is issued. */
  expires_at: string | null;
  expires_on: string | null;
}

/** The answer to a Let's Encrypt order: a purchase whose id is the new certificate's. */
export interface CertificatePurchase {
  id: number;
  certificate_id: number;
  state: CertificateState;
  auto_renew: boolean;
  created_at: string;
  updated_at: string;
}

export const RENEWAL_STATES = ["new", "renewing", "renewed", "cancelled", "failed"] as const;

export type CertificateRenewalState = (typeof RENEWAL_STATES)[number];

/** The answer to a renewal order: the renewal links the old certificate to a new one. */
export interface CertificateRenewal {
  id: number;
  old_certificate_id: number;
  new_certificate_id: number;
  state: CertificateRenewalState;
  auto_renew: boolean;
  created_at: string;
  updated_at: string;
}

/** PEM texts. `root` may be null; chain entries may lack a final newline. */
export interface CertificateBundle {
  server: string;
  root: string | null;
  chain: string[];
}

export interface Pagination {
  current_page: number;
  per_page: number;
  total_entries: number;
  total_pages: number;
}

export interface CertificatePage {
  data: Certificate[];
  pagination: Pagination;
}

/**
 * A domain of the account, registered through DNSimple or only hosted there (then
 * `registrant_id` and the expiry are null).
 */
export interface Domain {
  id: number;
  account_id: number;
  registrant_id: number | null;
  /** ASCII; an internationalized name in its xn-- form. */
  name: string;
  unicode_name: string;
  /**
   * "hosted", "registered", "expired", ...: kept as text, because the operator does not
   * act on it and a state DNSimple adds later must not make the whole list unreadable.
   */
  state: string;
  auto_renew: boolean;
  private_whois: boolean;
  expires_on: string | null;
  expires_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface DomainPage {
  data: Domain[];
  pagination: Pagination;
}

export interface WhoamiAccount {
  id: number;
  email: string;
  plan_identifier: string;
  created_at: string;
  updated_at: string;
}

export interface WhoamiUser {
  id: number;
  email: string;
  created_at: string;
  updated_at: string;
}

/**
 * An account token answers its account and no user; a user token answers a user and no
 * account (the account id must then come from the configuration).
 */
export interface Whoami {
  user: WhoamiUser | null;
  account: WhoamiAccount | null;
}

// --- Requests ---------------------------------------------------------------------------

export type SignatureAlgorithm = "ECDSA" | "RSA";

/**
 * Absent fields take DNSimple's defaults: name "www", no alternate names, no auto
 * renewal, ECDSA.
 */
export interface LetsencryptOrder {
  name?: string;
  alternate_names?: string[];
  auto_renew?: boolean;
  signature_algorithm?: SignatureAlgorithm;
}

export interface RenewalOrder {
  auto_renew?: boolean;
  signature_algorithm?: SignatureAlgorithm;
}

export type CertificateSortField = "id" | "common_name" | "expiration";

/** One criterion, e.g. "expiration:desc"; DNSimple's default is "id:desc". */
export type CertificateSort = `${CertificateSortField}:${"asc" | "desc"}`;

export interface ListCertificatesOptions {
  page?: number;
  /** At most 100 (DNSimple's cap); DNSimple's default is 30. */
  perPage?: number;
  /** Several criteria apply in order. */
  sort?: CertificateSort | readonly CertificateSort[];
}

export type DomainSortField = "id" | "name" | "expiration";

/** One criterion, e.g. "expiration:desc"; DNSimple's default is "name:asc". */
export type DomainSort = `${DomainSortField}:${"asc" | "desc"}`;

export interface ListDomainsOptions {
  /** Only the domains whose name contains this text (DNSimple's `name_like`). */
  nameLike?: string;
  /** Several criteria apply in order. */
  sort?: DomainSort | readonly DomainSort[];
  page?: number;
  /** At most 100 (DNSimple's cap); DNSimple's default is 30. */
  perPage?: number;
}

/** Account ids are integers; a domain is addressed by name or numeric id. */
export type AccountId = number;
export type DomainReference = string | number;
