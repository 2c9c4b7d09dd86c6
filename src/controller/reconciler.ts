// The imperative shell around decide(): reconcile(key) reads the resource and its Secret from
// the caches, asks decide() for the next step, performs it against DNSimple or Kubernetes,
// records what it learned, and asks again, until the step is to wait. Then it writes the status
// (only when it changed) and says when to look again.
import type { CoreV1Api, CustomObjectsApi, V1Secret } from "@kubernetes/client-node";
import {
  API_VERSION,
  type DnsimpleCertificate,
  type DnsimpleCertificateStatus,
  KIND,
  SECRET_ANNOTATIONS,
} from "../api/v1alpha1.ts";
import { assembleBundle, type TlsSecretData } from "../certs/bundle.ts";
import { expectedDnsNames } from "../certs/dns-names.ts";
import { InvalidCertificateDataError } from "../certs/errors.ts";
import { verifyBundle } from "../certs/verify.ts";
import type { DnsimpleClient } from "../dnsimple/client.ts";
import { DnsimpleError } from "../dnsimple/errors.ts";
import type { Certificate, CertificateBundle } from "../dnsimple/types.ts";
import { replaceStatus } from "../kube/certificates.ts";
import { KubeApiError } from "../kube/errors.ts";
import type { EventRecorder, EventType } from "../kube/events.ts";
import { applyTlsSecret, secretStrings } from "../kube/secrets.ts";
import type { Logger } from "../observability/logger.ts";
import type { CredentialsResolver } from "./credentials.ts";
import { type Action, decide, domainNameOf, remoteMatchesSpec } from "./decide.ts";
import type { DomainCertificates } from "./domain-certificates.ts";
import { failureFromError } from "./failures.ts";
import type { Observation, RemoteCertificate } from "./observation.ts";
import {
  desiredSecretMetadata,
  observeSecret,
  signatureAlgorithmOf,
} from "./secret-observation.ts";
import { type FinalAction, isFinal, statusFor } from "./status.ts";
import type { WorkResult } from "./workqueue.ts";

export interface ReconcilerDependencies {
  /** Cached DnsimpleCertificate by namespace and name. */
  getCertificate: (namespace: string, name: string) => DnsimpleCertificate | undefined;
  /** Cached DnsimpleCertificates of a namespace. */
  listCertificates: (namespace: string) => readonly DnsimpleCertificate[];
  /** Cached managed Secret by namespace and name. */
  getSecret: (namespace: string, name: string) => V1Secret | undefined;
  core: CoreV1Api;
  customObjects: CustomObjectsApi;
  credentials: CredentialsResolver;
  events: EventRecorder;
  log: Logger;
  pollIntervalMs: number;
  resyncIntervalMs: number;
  /** Shared per-domain certificate lists (auto-renewal pickup). */
  domainCertificates: DomainCertificates;
  now?: () => Date;
  /** Told the outcome of each reconcile (for metrics), with the resource as it was left. */
  onOutcome?: (outcome: {
    key: string;
    action: FinalAction["kind"];
    reason?: string;
    resource: DnsimpleCertificate;
  }) => void;
  /**
   * False when this replica must not write (it is not, or no longer, the leader): checked before
   * every step, so a replica that loses its Lease stops at once.
   */
  mayWrite?: () => boolean;
}

/** This replica is not the leader: nothing may be written. */
export class NotLeaderError extends Error {
  override name = "NotLeaderError";
  constructor() {
    super("not the leader: reconcile stopped");
  }
}

/** JSON with sorted keys and without undefined fields, for comparing statuses. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : v,
  );
}

/** More steps than any real path needs; a guard against a decision that never settles. */
const MAX_STEPS = 16;

export function keyOf(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/** The namespace and name a work-queue key stands for (the inverse of keyOf). */
export function splitKey(key: string): { namespace: string; name: string } {
  const [namespace = "", name = ""] = key.split("/");
  return { namespace, name };
}

function remoteFrom(certificate: Certificate): RemoteCertificate {
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

/** One reconcile's working state: the observation decide() reads, and the I/O handles. */
interface Pass {
  o: Observation;
  key: string;
  accountId?: string;
  client?: DnsimpleClient;
  /** The verified bundle waiting to be written (never part of the observation or status). */
  bundle?: TlsSecretData;
}

export class Reconciler {
  readonly #deps: ReconcilerDependencies;
  /** The last version of each resource this process wrote, newer than the cache for a moment. */
  readonly #written = new Map<string, DnsimpleCertificate>();
  /**
   * A certificate downloaded whose private key could not be fetched yet (e.g. the rate budget
   * ran out between the two calls): the next attempt does not download it again.
   */
  readonly #downloads = new Map<string, { certificateId: number; bundle: CertificateBundle }>();
  /** When each resource last looked for a DNSimple auto-renewal (starts at process start). */
  readonly #autoRenewChecks = new Map<string, Date>();
  readonly #startedAt: Date;

  constructor(deps: ReconcilerDependencies) {
    this.#deps = deps;
    this.#startedAt = this.#now();
  }

  #now(): Date {
    return this.#deps.now?.() ?? new Date();
  }

  /** The cache has caught up with what this process wrote: stop holding the copy. */
  cacheUpdated(resource: DnsimpleCertificate): void {
    const key = keyOf(resource.metadata.namespace, resource.metadata.name);
    const written = this.#written.get(key);
    if (written && !isNewer(written, resource)) this.#written.delete(key);
  }

  /** The resource is gone: forget what is kept about it. */
  forget(namespace: string, name: string): void {
    const key = keyOf(namespace, name);
    this.#written.delete(key);
    this.#autoRenewChecks.delete(key);
    this.#downloads.delete(key);
  }

  /** The freshest copy: the cache, or what this process wrote if the cache lags behind. */
  #current(namespace: string, name: string): DnsimpleCertificate | undefined {
    const key = keyOf(namespace, name);
    const cached = this.#deps.getCertificate(namespace, name);
    const written = this.#written.get(key);
    if (!cached) {
      this.#written.delete(key);
      return undefined;
    }
    if (written && isNewer(written, cached)) return written;
    this.#written.delete(key);
    return cached;
  }

  async reconcile(key: string): Promise<WorkResult> {
    const { namespace, name } = splitKey(key);
    const resource = this.#current(namespace, name);
    // Deleted (or being deleted): nothing to do; the Secret stays (Retain) or is collected
    // through its owner reference.
    if (!resource || resource.metadata.deletionTimestamp) return {};

    const now = this.#now();
    const pass: Pass = {
      key,
      o: {
        now,
        resource,
        secret: observeSecret(
          resource,
          this.#deps.getSecret(namespace, resource.spec.secretName),
          now,
        ),
        pollIntervalMs: this.#deps.pollIntervalMs,
        resyncIntervalMs: this.#deps.resyncIntervalMs,
        ...this.#secretNameOwner(resource),
        // A restart does not look for auto-renewals at once: that waits for the next resync.
        lastAutoRenewCheck: this.#autoRenewChecks.get(key) ?? this.#startedAt,
      },
    };
    for (let step = 0; step < MAX_STEPS; step++) {
      if (this.#deps.mayWrite && !this.#deps.mayWrite()) throw new NotLeaderError();
      const action = decide(pass.o);
      if (isFinal(action)) return this.#finish(pass, action);
      await this.#perform(pass, action);
    }
    throw new Error(`reconcile of ${key} did not settle in ${MAX_STEPS} steps`);
  }

  /** Another resource that owns this resource's secretName: the Secret's writer, else the oldest. */
  #secretNameOwner(resource: DnsimpleCertificate): { secretNameOwner?: string } {
    const { namespace, uid } = resource.metadata;
    const rivals = this.#deps
      .listCertificates(namespace)
      .filter(
        (r) =>
          r.metadata.uid !== uid &&
          r.spec.secretName === resource.spec.secretName &&
          !r.metadata.deletionTimestamp,
      );
    if (rivals.length === 0) return {};
    const writer = this.#deps.getSecret(namespace, resource.spec.secretName)?.metadata
      ?.annotations?.[SECRET_ANNOTATIONS.owner];
    const claimants = [resource, ...rivals];
    const owner =
      claimants.find((r) => r.metadata.name === writer) ??
      claimants.sort(
        (a, b) =>
          new Date(a.metadata.creationTimestamp ?? 0).getTime() -
            new Date(b.metadata.creationTimestamp ?? 0).getTime() ||
          a.metadata.name.localeCompare(b.metadata.name),
      )[0];
    return owner && owner.metadata.uid !== uid ? { secretNameOwner: owner.metadata.name } : {};
  }

  async #perform(pass: Pass, action: Exclude<Action, FinalAction>): Promise<void> {
    const { o } = pass;
    const { spec } = o.resource;
    switch (action.kind) {
      case "resolveCredentials": {
        const resolved = await this.#deps.credentials.resolve(o.resource);
        if (resolved.kind === "ok") {
          pass.accountId = resolved.accountId;
          pass.client = resolved.client;
          o.credentials = { kind: "ok", accountId: resolved.accountId };
        } else {
          o.credentials = resolved;
        }
        return;
      }
      case "refreshSecretMetadata": {
        const existing = secretStrings(
          this.#deps.getSecret(o.resource.metadata.namespace, spec.secretName),
        );
        const written = await this.#applySecret(pass, o.secret.certificateId ?? 0, {
          tlsCrt: existing["tls.crt"] ?? "",
          tlsKey: existing["tls.key"] ?? "",
          ...(existing["ca.crt"] ? { caCrt: existing["ca.crt"] } : {}),
        });
        if (written) o.secret = { ...o.secret, metadataCurrent: true };
        return;
      }
      case "findPendingOrder": {
        const { client, accountId } = this.#dnsimple(pass);
        const pending = o.resource.status?.pendingOrder;
        // A minute before the intent: DNSimple's clock may run a little behind ours.
        const since = new Date(pending?.startedAt ?? 0).getTime() - 60_000;
        const previous = o.resource.status?.certificateId;
        try {
          // Newest first: a lost order is recent, so the first page nearly always has it.
          const page = await client.listCertificates(accountId, pending?.domain ?? spec.domain, {
            sort: "id:desc",
            perPage: 100,
          });
          const candidates = page.data
            .map(remoteFrom)
            .filter(
              (c) =>
                c.createdAt.getTime() >= since &&
                c.id !== pending?.renewalOf &&
                c.id !== previous &&
                (!pending?.commonName || c.commonName === pending.commonName) &&
                remoteMatchesSpec(spec, c),
            )
            .sort((a, b) => a.id - b.id);
          o.pendingOrderSearch = candidates[0] ? { found: candidates[0] } : {};
        } catch (err) {
          o.failure = failureFromError(err, o.resource);
        }
        return;
      }
      case "adoptCertificate": {
        const found = [o.pendingOrderSearch?.found, o.autoRenewalSearch?.found].find(
          (c) => c?.id === action.certificateId,
        );
        await this.#writeStatus(pass, {
          ...this.#status(pass),
          certificateId: action.certificateId,
          pendingOrder: undefined,
          // A recovered renewal has no known renewal id; it is issued like an order.
          renewalId: undefined,
          renewedCertificateId: action.replaces,
        });
        o.remote = found ? { kind: "found", certificate: found } : undefined;
        o.download = undefined;
        this.#event(
          pass,
          "Normal",
          action.source,
          `Took over certificate ${action.certificateId}: ${action.why}; nothing ordered`,
        );
        return;
      }
      case "findAutoRenewal": {
        const { client, accountId } = this.#dnsimple(pass);
        this.#autoRenewChecks.set(pass.key, o.now);
        try {
          const listed = await this.#deps.domainCertificates.list(
            client,
            accountId,
            spec.domain,
            action.expiringAfter,
          );
          const newest = listed
            .map(remoteFrom)
            .filter((c) => c.state === "issued" && remoteMatchesSpec(spec, c))
            .sort((a, b) => (b.expiresAt?.getTime() ?? 0) - (a.expiresAt?.getTime() ?? 0))[0];
          o.autoRenewalSearch = newest ? { found: newest } : {};
        } catch (err) {
          o.failure = failureFromError(err, o.resource);
        }
        return;
      }
      case "abandonRenewal": {
        const status = this.#status(pass);
        await this.#writeStatus(pass, {
          ...status,
          certificateId: status.renewedCertificateId,
          renewalId: undefined,
          renewedCertificateId: undefined,
        });
        o.remote = undefined;
        o.failure = action.failure;
        return;
      }
      case "order": {
        const { client, accountId } = this.#dnsimple(pass);
        const commonName = `${spec.name}.${domainNameOf(spec, o.secret.commonName) ?? spec.domain}`;
        // The intent goes into status first, with optimistic concurrency: a stale copy of the
        // resource cannot order, and a crash after the POST finds the order instead of buying
        // a second certificate.
        await this.#writeStatus(pass, {
          ...this.#status(pass),
          pendingOrder: {
            startedAt: o.now.toISOString(),
            accountId: String(accountId),
            domain: spec.domain,
            commonName,
            ...(action.renewalOf !== undefined ? { renewalOf: action.renewalOf } : {}),
          },
          ...(action.requested ? { renewRequestHandled: action.requested } : {}),
        });
        let certificateId: number;
        let createdAt: string;
        let autoRenew: boolean;
        let renewal: Partial<DnsimpleCertificateStatus> = {
          renewalId: undefined,
          renewedCertificateId: undefined,
        };
        try {
          if (action.renewalOf !== undefined) {
            const ordered = await client.orderRenewal(accountId, spec.domain, action.renewalOf, {
              auto_renew: spec.autoRenew,
              signature_algorithm: spec.signatureAlgorithm,
            });
            certificateId = ordered.new_certificate_id;
            renewal = { renewalId: ordered.id, renewedCertificateId: action.renewalOf };
            createdAt = ordered.created_at;
            autoRenew = ordered.auto_renew;
          } else {
            const purchase = await client.orderLetsencrypt(accountId, spec.domain, {
              name: spec.name,
              alternate_names: spec.alternateNames ?? [],
              auto_renew: spec.autoRenew,
              signature_algorithm: spec.signatureAlgorithm,
            });
            certificateId = purchase.certificate_id;
            createdAt = purchase.created_at;
            autoRenew = purchase.auto_renew;
          }
        } catch (err) {
          // Only an answer from DNSimple proves nothing was bought; then the intent can go.
          if (err instanceof DnsimpleError && !err.outcomeUnknown) {
            await this.#writeStatus(pass, { ...this.#status(pass), pendingOrder: undefined });
          }
          o.failure = failureFromError(err, o.resource);
          return;
        }
        // Bought. If this write fails, the intent stays in status and the next reconcile finds
        // the order in DNSimple's list instead of buying another.
        await this.#writeStatus(pass, {
          ...this.#status(pass),
          certificateId,
          pendingOrder: undefined,
          state: "new",
          ...renewal,
        });
        o.remote = {
          kind: "found",
          certificate: {
            id: certificateId,
            // An order and a renewal's new certificate both start in `new`.
            state: "new",
            name: spec.name,
            commonName,
            alternateNames: spec.alternateNames ?? [],
            autoRenew,
            createdAt: new Date(createdAt),
          },
        };
        o.download = undefined;
        this.#event(
          pass,
          "Normal",
          action.renewalOf !== undefined ? "RenewalOrdered" : "Ordered",
          action.renewalOf !== undefined
            ? `Ordered renewal ${renewal.renewalId} of certificate ${action.renewalOf} from DNSimple: new certificate ${certificateId} (${action.why})`
            : `Ordered certificate ${certificateId} for ${commonName} from DNSimple (${action.why})`,
        );
        return;
      }
      case "fetchCertificate": {
        const { client, accountId } = this.#dnsimple(pass);
        try {
          const certificate = await client.getCertificate(
            accountId,
            spec.domain,
            action.certificateId,
          );
          o.remote = { kind: "found", certificate: remoteFrom(certificate) };
        } catch (err) {
          o.remote = { kind: "failed", failure: failureFromError(err, o.resource) };
        }
        return;
      }
      case "issue": {
        const { client, accountId } = this.#dnsimple(pass);
        const { renewalId, renewedCertificateId, certificateId } = o.resource.status ?? {};
        const isRenewal =
          renewalId !== undefined &&
          renewedCertificateId !== undefined &&
          certificateId === action.certificateId;
        try {
          const certificate = isRenewal
            ? await client.issueRenewal(accountId, spec.domain, renewedCertificateId, renewalId)
            : await client.issueLetsencrypt(accountId, spec.domain, action.certificateId);
          o.remote = { kind: "found", certificate: remoteFrom(certificate) };
          this.#event(
            pass,
            "Normal",
            "IssueRequested",
            `Asked DNSimple to issue ${isRenewal ? `renewal ${renewalId}: ` : ""}certificate ${action.certificateId}`,
          );
        } catch (err) {
          o.failure = failureFromError(err, o.resource);
        }
        return;
      }
      case "download": {
        const { client, accountId } = this.#dnsimple(pass);
        const remote = o.remote?.kind === "found" ? o.remote.certificate : undefined;
        try {
          const kept = this.#downloads.get(pass.key);
          const download =
            kept?.certificateId === action.certificateId
              ? kept.bundle
              : await client.downloadCertificate(accountId, spec.domain, action.certificateId);
          this.#downloads.set(pass.key, { certificateId: action.certificateId, bundle: download });
          const privateKey = await client.getPrivateKey(
            accountId,
            spec.domain,
            action.certificateId,
          );
          this.#downloads.delete(pass.key);
          const bundle = assembleBundle(download, privateKey);
          const domain = domainNameOf(spec, remote?.commonName) ?? spec.domain;
          const verified = verifyBundle(bundle, {
            dnsNames: expectedDnsNames({
              domain,
              name: spec.name,
              alternateNames: spec.alternateNames,
            }),
            now: o.now,
          });
          pass.bundle = bundle;
          o.download = {
            kind: "verified",
            certificateId: action.certificateId,
            keyAlgorithm: signatureAlgorithmOf(verified.keyAlgorithm),
            commonName: verified.commonName ?? "",
            dnsNames: verified.dnsNames,
            notBefore: verified.notBefore,
            notAfter: verified.notAfter,
            serialNumber: verified.serialNumber,
          };
          const checks = `it verified (key, chain, names ${verified.dnsNames.join(", ")}, valid until ${verified.notAfter.toISOString()})`;
          // The certificate the status already records: the Secret is being repaired.
          if (o.resource.status?.serialNumber === verified.serialNumber) {
            const secretState = o.secret.exists
              ? (o.secret.problem ?? "not holding it")
              : "missing";
            this.#event(
              pass,
              "Normal",
              "Downloaded",
              `Downloaded certificate ${action.certificateId} again to restore Secret ${spec.secretName} (${secretState}); ${checks}`,
            );
          } else {
            this.#event(
              pass,
              "Normal",
              "Issued",
              `DNSimple issued certificate ${action.certificateId}; ${checks}`,
            );
          }
        } catch (err) {
          const failure =
            err instanceof InvalidCertificateDataError
              ? {
                  reason: "InvalidCertificateData" as const,
                  message: `The certificate ${action.certificateId} DNSimple handed out failed verification, so the Secret was not written: ${err.message}`,
                }
              : failureFromError(err, o.resource);
          o.download = { kind: "failed", certificateId: action.certificateId, failure };
        }
        return;
      }
      case "writeSecret": {
        if (!pass.bundle || o.download?.kind !== "verified") {
          throw new Error("writeSecret without a verified bundle");
        }
        if (!(await this.#applySecret(pass, action.certificateId, pass.bundle, o.download))) return;
        o.secret = {
          exists: true,
          usable: true,
          certificateId: action.certificateId,
          commonName: o.download.commonName,
          dnsNames: o.download.dnsNames,
          keyAlgorithm: spec.signatureAlgorithm,
          notBefore: o.download.notBefore,
          notAfter: o.download.notAfter,
          serialNumber: o.download.serialNumber,
          metadataCurrent: true,
        };
        this.#event(
          pass,
          "Normal",
          "SecretWritten",
          `Wrote certificate ${action.certificateId} to Secret ${spec.secretName}`,
        );
        return;
      }
      default: {
        const unhandled: never = action;
        throw new Error(`unhandled action ${JSON.stringify(unhandled)}`);
      }
    }
  }

  #dnsimple(pass: Pass): { client: DnsimpleClient; accountId: number } {
    if (!pass.client || !pass.accountId) throw new Error("DNSimple step before credentials");
    return { client: pass.client, accountId: Number(pass.accountId) };
  }

  /** Applies the Secret; a refusal by the API server becomes the reconcile's failure. */
  async #applySecret(
    pass: Pass,
    certificateId: number,
    data: TlsSecretData,
    facts?: { commonName?: string; dnsNames?: string[]; notAfter?: Date },
  ): Promise<boolean> {
    const { resource } = pass.o;
    const metadata = desiredSecretMetadata(resource, {
      certificateId,
      commonName: facts?.commonName ?? pass.o.secret.commonName,
      dnsNames: facts?.dnsNames ?? pass.o.secret.dnsNames,
      notAfter: facts?.notAfter ?? pass.o.secret.notAfter,
    });
    try {
      await applyTlsSecret(this.#deps.core, {
        namespace: resource.metadata.namespace,
        name: resource.spec.secretName,
        content: {
          "tls.crt": data.tlsCrt,
          "tls.key": data.tlsKey,
          ...(data.caCrt ? { "ca.crt": data.caCrt } : {}),
        },
        ...metadata,
      });
      return true;
    } catch (err) {
      if (!(err instanceof KubeApiError)) throw err;
      pass.o.failure = {
        reason: "SecretWriteFailed",
        message: `${err.message}. Check that Secret ${resource.spec.secretName} is not of another type or owned by someone else, and the operator's RBAC`,
      };
      return false;
    }
  }

  #status(pass: Pass): DnsimpleCertificateStatus {
    return { ...pass.o.resource.status };
  }

  /** Writes the status with the resourceVersion the pass read; a conflict aborts the reconcile. */
  async #writeStatus(pass: Pass, status: DnsimpleCertificateStatus): Promise<void> {
    const clean = JSON.parse(JSON.stringify(status)) as DnsimpleCertificateStatus;
    const updated = await replaceStatus(this.#deps.customObjects, pass.o.resource, clean);
    pass.o.resource = updated;
    this.#written.set(pass.key, updated);
    this.#deps.log.debug({ resource: pass.key }, "status written");
  }

  async #finish(pass: Pass, action: FinalAction): Promise<WorkResult> {
    const { o } = pass;
    const { status, requeueAfterMs } = statusFor(o, action);
    const previous = o.resource.status ?? {};
    // Compared in a canonical form: the API server may order keys differently.
    if (canonicalJson(status) !== canonicalJson(previous)) await this.#writeStatus(pass, status);
    if (action.kind === "fail") {
      this.#event(pass, "Warning", action.failure.reason, action.failure.message);
      this.#deps.log.warn(
        { resource: pass.key, reason: action.failure.reason, retryInMs: requeueAfterMs },
        action.failure.message,
      );
    } else {
      this.#deps.log.debug(
        { resource: pass.key, action: action.kind, requeueAfterMs },
        "reconciled",
      );
    }
    this.#deps.onOutcome?.({
      key: pass.key,
      action: action.kind,
      resource: pass.o.resource,
      ...(action.kind === "fail" ? { reason: action.failure.reason } : {}),
    });
    return { requeueAfterMs };
  }

  #event(pass: Pass, type: EventType, reason: string, message: string): void {
    const { metadata } = pass.o.resource;
    void this.#deps.events.record(
      {
        apiVersion: API_VERSION,
        kind: KIND,
        metadata: {
          name: metadata.name,
          namespace: metadata.namespace,
          uid: metadata.uid,
          ...(metadata.resourceVersion ? { resourceVersion: metadata.resourceVersion } : {}),
        },
      },
      type,
      reason,
      message,
    );
    this.#deps.log.info({ resource: pass.key, event: reason }, message);
  }
}

/** Whether `written` is a later version of the same object than `cached`. */
function isNewer(written: DnsimpleCertificate, cached: DnsimpleCertificate): boolean {
  if (written.metadata.uid !== cached.metadata.uid) return false;
  const w = Number(written.metadata.resourceVersion);
  const c = Number(cached.metadata.resourceVersion);
  return Number.isFinite(w) && Number.isFinite(c) && w > c;
}
