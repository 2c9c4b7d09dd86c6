// The JSON DNSimple answers with, field for field (names, order and types of the reference
// examples). The handler wraps these in `{"data": ...}`.
import { domainToUnicode } from "node:url";
import type { ApiError, ErrorDetails } from "./errors.ts";
import type { Account, CertificateRecord, Domain, Plan, RenewalRecord } from "./model.ts";
import { planIdentifier } from "./plans.ts";
import { apiDate, apiTimestamp } from "./timestamps.ts";

export interface CertificateJson {
  id: number;
  domain_id: number;
  contact_id: number;
  name: string;
  common_name: string;
  years: number;
  csr: string | null;
  state: string;
  auto_renew: boolean;
  alternate_names: string[];
  authority_identifier: string;
  created_at: string;
  updated_at: string;
  expires_at: string | null;
  expires_on: string | null;
}

export function certificateJson(certificate: CertificateRecord): CertificateJson {
  const issued = certificate.issued;
  return {
    id: certificate.id,
    domain_id: certificate.domainId,
    contact_id: certificate.contactId,
    name: certificate.name,
    common_name: certificate.commonName,
    years: 1,
    csr: issued?.csrPem ?? null,
    state: certificate.state,
    auto_renew: certificate.autoRenew,
    alternate_names: [...certificate.alternateNames],
    authority_identifier: "letsencrypt",
    created_at: apiTimestamp(certificate.createdAt),
    updated_at: apiTimestamp(certificate.updatedAt),
    expires_at: issued === undefined ? null : apiTimestamp(issued.notAfter),
    expires_on: issued === undefined ? null : apiDate(issued.notAfter),
  };
}

/** Field order of the reference example of GET /v2/:account/domains. */
export interface DomainJson {
  id: number;
  account_id: number;
  registrant_id: number | null;
  name: string;
  unicode_name: string;
  state: string;
  auto_renew: boolean;
  private_whois: boolean;
  expires_on: string | null;
  expires_at: string | null;
  created_at: string;
  updated_at: string;
}

export function domainJson(domain: Domain, accountId: number): DomainJson {
  return {
    id: domain.id,
    account_id: accountId,
    registrant_id: domain.registrantId,
    name: domain.name,
    // An xn-- label shown in Unicode; a name that is not IDNA stays as it is.
    unicode_name: domainToUnicode(domain.name) || domain.name,
    state: domain.state,
    auto_renew: domain.autoRenew,
    private_whois: domain.privateWhois,
    expires_on: domain.expiresAt === null ? null : apiDate(domain.expiresAt),
    expires_at: domain.expiresAt === null ? null : apiTimestamp(domain.expiresAt),
    created_at: apiTimestamp(domain.createdAt),
    updated_at: apiTimestamp(domain.updatedAt),
  };
}

/** The answer to a Let's Encrypt order: the purchase, whose id is the certificate's. */
export interface CertificatePurchaseJson {
  id: number;
  certificate_id: number;
  state: string;
  auto_renew: boolean;
  created_at: string;
  updated_at: string;
}

export function certificatePurchaseJson(certificate: CertificateRecord): CertificatePurchaseJson {
  return {
    id: certificate.id,
    certificate_id: certificate.id,
    state: certificate.state,
    auto_renew: certificate.autoRenew,
    created_at: apiTimestamp(certificate.createdAt),
    updated_at: apiTimestamp(certificate.updatedAt),
  };
}

export interface CertificateRenewalJson {
  id: number;
  old_certificate_id: number;
  new_certificate_id: number;
  state: string;
  auto_renew: boolean;
  created_at: string;
  updated_at: string;
}

export function certificateRenewalJson(renewal: RenewalRecord): CertificateRenewalJson {
  return {
    id: renewal.id,
    old_certificate_id: renewal.oldCertificateId,
    new_certificate_id: renewal.newCertificateId,
    state: renewal.state,
    auto_renew: renewal.autoRenew,
    created_at: apiTimestamp(renewal.createdAt),
    updated_at: apiTimestamp(renewal.updatedAt),
  };
}

export interface CertificateBundleJson {
  server: string;
  root: string | null;
  chain: string[];
}

/**
 * `server` ends with a newline; chain entries (and the root, when given) do not, as in
 * DNSimple's answers: clients must not concatenate them naively.
 */
export function certificateBundleJson(
  serverPem: string,
  intermediatePem: string,
  rootPem: string | null,
): CertificateBundleJson {
  return {
    server: withFinalNewline(serverPem),
    root: rootPem === null ? null : withoutFinalNewline(rootPem),
    chain: [withoutFinalNewline(intermediatePem)],
  };
}

export function privateKeyJson(privateKeyPem: string): { private_key: string } {
  return { private_key: withFinalNewline(privateKeyPem) };
}

export interface WhoamiJson {
  user: null;
  account: {
    id: number;
    email: string;
    plan_identifier: string;
    created_at: string;
    updated_at: string;
  };
}

/** The simulator's tokens are account tokens, so `user` is always null. */
export function whoamiJson(account: Account, plan: Plan): WhoamiJson {
  return {
    user: null,
    account: {
      id: account.id,
      email: account.email,
      plan_identifier: planIdentifier(plan),
      created_at: apiTimestamp(account.createdAt),
      updated_at: apiTimestamp(account.updatedAt),
    },
  };
}

export interface ErrorJson {
  message: string;
  errors?: ErrorDetails;
}

export function errorJson(error: ApiError): ErrorJson {
  return error.errors === undefined
    ? { message: error.message }
    : { message: error.message, errors: error.errors };
}

function withFinalNewline(text: string): string {
  return text.endsWith("\n") ? text : `${text}\n`;
}

function withoutFinalNewline(text: string): string {
  return text.replace(/\n+$/, "");
}
