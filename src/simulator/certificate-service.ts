// What DNSimple does with Let's Encrypt certificates, over the store: ordering (a
// purchase), issuing (`requesting`, then `issued` after the issue delay, or `failed` /
// `cancelled` when an admin rule says so), renewals, DNSimple-side auto-renewal, downloads
// and private keys. API operations throw ApiError with DNSimple's status codes; the
// handler turns records into JSON.
import { KeyObject } from "node:crypto";
import type { CertificateAuthority } from "./certificate-authority.ts";
import { commonNameFor, subjectAltNamesFor } from "./certificate-names.ts";
import {
  downloadRefusal,
  privateKeyRefusal,
  renewalRefusal,
  renewalStateFor,
  transition,
} from "./certificate-states.ts";
import { badRequest, notDownloadable, notFound, planRequired } from "./errors.ts";
import type { IssuanceOutcomes } from "./issuance-outcomes.ts";
import { generateKeyPair, privateKeyPem } from "./keys.ts";
import { issueLeaf } from "./leaf-certificates.ts";
import { type ListSpec, listPage, type Page, parseListQuery } from "./listing.ts";
import type {
  CertificateOrigin,
  CertificateRecord,
  CertificateState,
  Domain,
  IssuanceOutcome,
  RenewalRecord,
  SignatureAlgorithm,
} from "./model.ts";
import { parseOrderRequest, parseRenewalRequest } from "./order-requests.ts";
import { planRefusal } from "./plans.ts";
import { certificateJson } from "./representations.ts";
import type { Scheduler } from "./scheduler.ts";
import type { SimulatorSettings } from "./settings.ts";
import type { Store } from "./store.ts";
import {
  accountActor,
  buildWebhookEvent,
  SYSTEM_ACTOR,
  type WebhookActor,
  type WebhookEventName,
  type WebhookNotifier,
  webhookAccount,
} from "./webhooks.ts";

export interface CertificateServiceDependencies {
  store: Store;
  authority: CertificateAuthority;
  settings: () => SimulatorSettings;
  scheduler: Scheduler;
  webhooks: WebhookNotifier;
  outcomes: IssuanceOutcomes;
  log: (line: string) => void;
}

/** The certificate list's sort fields; DNSimple's default is the newest id first. */
export const CERTIFICATE_LIST: ListSpec<"id" | "common_name" | "expiration"> = {
  fields: ["id", "common_name", "expiration"],
  defaultSort: [{ field: "id", direction: "desc" }],
};

export interface CertificateBundle {
  serverPem: string;
  intermediatePem: string;
  rootPem: string | null;
}

export class CertificateService {
  readonly #store: Store;
  readonly #authority: CertificateAuthority;
  readonly #settings: () => SimulatorSettings;
  readonly #scheduler: Scheduler;
  readonly #webhooks: WebhookNotifier;
  readonly #outcomes: IssuanceOutcomes;
  readonly #log: (line: string) => void;

  constructor(dependencies: CertificateServiceDependencies) {
    this.#store = dependencies.store;
    this.#authority = dependencies.authority;
    this.#settings = dependencies.settings;
    this.#scheduler = dependencies.scheduler;
    this.#webhooks = dependencies.webhooks;
    this.#outcomes = dependencies.outcomes;
    this.#log = dependencies.log;
  }

  findDomain(reference: string): Domain {
    const domain = this.#store.findDomain(reference);
    if (domain === undefined) throw notFound("Domain", reference);
    return domain;
  }

  list(domain: Domain, query: URLSearchParams): Page<CertificateRecord> {
    return listPage(
      this.#store.certificatesOf(domain),
      parseListQuery(query, CERTIFICATE_LIST),
      (certificate) => ({
        id: certificate.id,
        common_name: certificate.commonName,
        expiration: certificate.issued?.notAfter ?? null,
      }),
    );
  }

  get(domain: Domain, certificateId: string): CertificateRecord {
    return this.#certificateIn(domain, certificateId);
  }

  /** POST .../certificates/letsencrypt: a purchase, answered with the new certificate in `new`. */
  order(domain: Domain, body: unknown): CertificateRecord {
    const request = parseOrderRequest(body, domain.name);
    this.#refuseUnlessPlanAllows(request);
    const certificate = this.#newCertificate(domain, {
      name: request.name,
      alternateNames: request.alternateNames,
      signatureAlgorithm: request.signatureAlgorithm,
      autoRenew: request.autoRenew,
      origin: { kind: "order" },
    });
    this.#recordPurchase(certificate, null);
    return certificate;
  }

  /** POST .../letsencrypt/:certificate/issue: from `new` to `requesting`. */
  issue(domain: Domain, certificateId: string): CertificateRecord {
    const certificate = this.#certificateIn(domain, certificateId);
    this.#refuseUnlessPlanAllows(certificate);
    this.#startIssuance(certificate);
    return certificate;
  }

  /**
   * POST .../letsencrypt/:certificate/renewals: a purchase of a new certificate (new id,
   * same names) in `new`, linked to the old one by the renewal.
   */
  orderRenewal(domain: Domain, certificateId: string, body: unknown): RenewalRecord {
    const old = this.#certificateIn(domain, certificateId);
    const request = parseRenewalRequest(body);
    const refusal = renewalRefusal(old);
    if (refusal !== undefined) throw badRequest(refusal);
    this.#refuseUnlessPlanAllows(old);
    const renewalId = this.#store.takeRenewalId();
    const renewed = this.#newCertificate(domain, {
      name: old.name,
      alternateNames: old.alternateNames,
      signatureAlgorithm: request.signatureAlgorithm,
      autoRenew: request.autoRenew,
      origin: { kind: "renewal", renewalId, oldCertificateId: old.id },
    });
    const renewal: RenewalRecord = {
      id: renewalId,
      oldCertificateId: old.id,
      newCertificateId: renewed.id,
      state: renewalStateFor(renewed.state),
      autoRenew: request.autoRenew,
      createdAt: renewed.createdAt,
      updatedAt: renewed.createdAt,
    };
    this.#store.addRenewal(renewal);
    this.#recordPurchase(renewed, renewal);
    return renewal;
  }

  /** POST .../letsencrypt/:certificate/renewals/:renewal/issue: answers the NEW certificate. */
  issueRenewal(domain: Domain, certificateId: string, renewalId: string): CertificateRecord {
    const old = this.#certificateIn(domain, certificateId);
    const renewal = /^\d+$/.test(renewalId) ? this.#store.renewal(Number(renewalId)) : undefined;
    if (renewal === undefined || renewal.oldCertificateId !== old.id) {
      throw notFound("Certificate renewal", renewalId);
    }
    const renewed = this.#existingCertificate(renewal.newCertificateId);
    this.#refuseUnlessPlanAllows(renewed);
    this.#startIssuance(renewed);
    return renewed;
  }

  download(domain: Domain, certificateId: string): CertificateBundle {
    const certificate = this.#certificateIn(domain, certificateId);
    const refusal = downloadRefusal(certificate);
    if (refusal !== undefined || certificate.issued === undefined) {
      throw notDownloadable(refusal ?? "Certificate is not issued");
    }
    return {
      serverPem: certificate.issued.certificatePem,
      intermediatePem: this.#authority.intermediatePem,
      rootPem: this.#settings().includeRoot ? this.#authority.rootPem : null,
    };
  }

  privateKey(domain: Domain, certificateId: string): string {
    const certificate = this.#certificateIn(domain, certificateId);
    const refusal = privateKeyRefusal(certificate);
    if (refusal !== undefined || certificate.issued === undefined) {
      throw notDownloadable(refusal ?? "Certificate is not issued");
    }
    const key = certificate.mismatchingPrivateKey ?? certificate.issued.privateKey;
    return privateKeyPem(key, this.#settings().privateKeyFormat);
  }

  /** Admin: what a user does in DNSimple's UI. Later private key requests answer 428. */
  removePrivateKey(certificateId: number): void {
    const certificate = this.#issuedCertificate(certificateId);
    if (certificate.privateKeyRemoved) return;
    certificate.privateKeyRemoved = true;
    certificate.updatedAt = new Date();
    this.#log(`certificate ${certificate.id}: private key removed`);
    this.#notify("certificate.remove_private_key", certificate, accountActor(this.#store.account));
  }

  // Admin: the private key endpoint serves a fresh key that does not match the certificate.
  async serveMismatchingPrivateKey(certificateId: number): Promise<void> {
    const certificate = this.#issuedCertificate(certificateId);
    const keys = await generateKeyPair(certificate.signatureAlgorithm);
    certificate.mismatchingPrivateKey = KeyObject.from(keys.privateKey);
    this.#log(`certificate ${certificate.id}: serving a mismatching private key`);
  }

  #certificateIn(domain: Domain, certificateId: string): CertificateRecord {
    const certificate = /^\d+$/.test(certificateId)
      ? this.#store.certificate(Number(certificateId))
      : undefined;
    if (certificate === undefined || certificate.domainId !== domain.id) {
      throw notFound("Certificate", certificateId);
    }
    return certificate;
  }

  #existingCertificate(certificateId: number): CertificateRecord {
    const certificate = this.#store.certificate(certificateId);
    if (certificate === undefined) throw notFound("Certificate", certificateId);
    return certificate;
  }

  #issuedCertificate(certificateId: number): CertificateRecord {
    const certificate = this.#existingCertificate(certificateId);
    if (certificate.state !== "issued") {
      throw badRequest(
        `Certificate \`${certificateId}\` has no private key (state \`${certificate.state}\`)`,
      );
    }
    return certificate;
  }

  #refuseUnlessPlanAllows(certificate: { name: string; alternateNames: readonly string[] }): void {
    const refusal = planRefusal(this.#settings().plan, certificate);
    if (refusal !== undefined) throw planRequired(refusal);
  }

  #newCertificate(
    domain: Domain,
    fields: {
      name: string;
      alternateNames: readonly string[];
      signatureAlgorithm: SignatureAlgorithm;
      autoRenew: boolean;
      origin: CertificateOrigin;
    },
  ): CertificateRecord {
    const now = new Date();
    const certificate: CertificateRecord = {
      id: this.#store.takeCertificateId(),
      domainId: domain.id,
      contactId: this.#store.account.contactId,
      name: fields.name,
      commonName: commonNameFor(fields.name, domain.name),
      alternateNames: [...fields.alternateNames],
      signatureAlgorithm: fields.signatureAlgorithm,
      autoRenew: fields.autoRenew,
      state: "new",
      origin: fields.origin,
      createdAt: now,
      updatedAt: now,
      issued: undefined,
      privateKeyRemoved: false,
      mismatchingPrivateKey: undefined,
    };
    this.#store.addCertificate(certificate);
    return certificate;
  }

  #recordPurchase(certificate: CertificateRecord, renewal: RenewalRecord | null): void {
    const kind = certificate.origin.kind === "order" ? "certificate" : certificate.origin.kind;
    this.#store.recordPurchase({
      kind,
      certificateId: certificate.id,
      renewalId: renewal?.id ?? null,
      oldCertificateId:
        certificate.origin.kind === "order" ? null : certificate.origin.oldCertificateId,
      domain: this.#store.domainOf(certificate).name,
      name: certificate.name,
      time: certificate.createdAt.toISOString(),
    });
    this.#log(`purchase (${kind}): certificate ${certificate.id} ${certificate.commonName}`);
  }

  #startIssuance(certificate: CertificateRecord): void {
    const next = transition(certificate.state, "issue");
    if (!next.ok) throw badRequest(next.reason);
    this.#setState(certificate, next.state);
    this.#scheduler.after(this.#settings().issueDelayMs, () =>
      this.#completeIssuance(certificate.id),
    );
  }

  async #completeIssuance(certificateId: number): Promise<void> {
    const certificate = this.#existingCertificate(certificateId);
    const domain = this.#store.domainOf(certificate);
    const outcome: IssuanceOutcome = this.#outcomes.take(domain.name, certificate.name);
    if (outcome === "issued") {
      const issuedAt = new Date();
      const leaf = await issueLeaf(this.#authority, {
        commonName: certificate.commonName,
        subjectAltNames: subjectAltNamesFor(
          certificate.name,
          domain.name,
          certificate.alternateNames,
        ),
        algorithm: certificate.signatureAlgorithm,
        issuedAt,
        validityMs: this.#settings().validityMs,
      });
      certificate.issued = { ...leaf, issuedAt };
    }
    const next = transition(certificate.state, outcome);
    if (!next.ok) throw new Error(`certificate ${certificate.id}: ${next.reason}`);
    this.#setState(certificate, next.state);
    this.#store.recordIssuance({
      certificateId: certificate.id,
      domain: domain.name,
      name: certificate.name,
      outcome,
      time: certificate.updatedAt.toISOString(),
    });
    this.#log(`certificate ${certificate.id} ${certificate.commonName}: ${outcome}`);

    if (outcome === "issued") {
      this.#notify("certificate.issue", certificate, SYSTEM_ACTOR);
      if (certificate.autoRenew) this.#scheduleAutoRenewal(certificate);
    } else if (certificate.origin.kind === "auto_renewal") {
      const old = this.#existingCertificate(certificate.origin.oldCertificateId);
      this.#notify("certificate.auto_renewal_failed", old, SYSTEM_ACTOR);
    }
  }

  // DNSimple renews auto-renewing certificates before they expire; the simulator does it
  // when a third of the lifetime remains, so short validities renew in real time.
  #scheduleAutoRenewal(certificate: CertificateRecord): void {
    if (certificate.issued === undefined) return;
    const issuedAtMs = certificate.issued.issuedAt.getTime();
    const expiresAtMs = certificate.issued.notAfter.getTime();
    const renewAtMs = expiresAtMs - (expiresAtMs - issuedAtMs) / 3;
    this.#scheduler.at(renewAtMs, () => this.#autoRenew(certificate.id));
  }

  // A new certificate with a new id and the same names; nothing in the old record
  // points at it, as with DNSimple.
  #autoRenew(oldCertificateId: number): void {
    const old = this.#existingCertificate(oldCertificateId);
    if (old.state !== "issued" || !old.autoRenew) return;
    const renewed = this.#newCertificate(this.#store.domainOf(old), {
      name: old.name,
      alternateNames: old.alternateNames,
      signatureAlgorithm: old.signatureAlgorithm,
      autoRenew: true,
      origin: { kind: "auto_renewal", oldCertificateId: old.id },
    });
    this.#recordPurchase(renewed, null);
    this.#startIssuance(renewed);
  }

  #setState(certificate: CertificateRecord, state: CertificateState): void {
    const now = new Date();
    certificate.state = state;
    certificate.updatedAt = now;
    if (certificate.origin.kind === "renewal") {
      const renewal = this.#store.renewal(certificate.origin.renewalId);
      if (renewal !== undefined) {
        renewal.state = renewalStateFor(state);
        renewal.updatedAt = now;
      }
    }
  }

  #notify(name: WebhookEventName, certificate: CertificateRecord, actor: WebhookActor): void {
    this.#webhooks.send(
      buildWebhookEvent(
        name,
        certificateJson(certificate),
        webhookAccount(this.#store.account),
        actor,
      ),
    );
  }
}
