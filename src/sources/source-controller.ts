// The source controller (cert-manager's ingress-shim and gateway-shim in one): for each
// annotated Ingress or Gateway, the DnsimpleCertificates its tls entries ask for, kept in sync
// both ways. A level-based reconcile(key) of one source: gather (the source, the namespace's
// resources, the domain of each entry), judge (judge.ts), compare (sync-plan.ts), act (create,
// update, delete, and Events on the source). It runs again when the source changes, when a
// resource it controls changes or any resource of its namespace is deleted (a hand-deleted
// generated resource comes back; a hand-made one that goes frees the name), and every resync.
// The operator needs only get/list/watch on Ingresses and Gateways; it writes
// DnsimpleCertificates and Events, never the source.
import type { V1Ingress } from "@kubernetes/client-node";
import { GATEWAY_API_VERSION, type Gateway } from "../api/gateway.ts";
import type { DnsimpleCertificate } from "../api/v1alpha1.ts";
import { WorkQueue, type WorkResult } from "../controller/workqueue.ts";
import type { NewCertificate } from "../kube/certificates.ts";
import { KubeApiError } from "../kube/errors.ts";
import type { EventTarget, EventType } from "../kube/events.ts";
import type { Logger } from "../observability/logger.ts";
import { type Clock, systemClock } from "../time/clock.ts";
import { readSourceAnnotations } from "./annotations.ts";
import { type DomainSources, entryDomains } from "./entry-domains.ts";
import {
  controllerOf,
  isGeneratedBy,
  type SourceKind,
  type SourceRef,
  sourceKindOf,
  sourceLabel,
} from "./generated.ts";
import { judgeSource } from "./judge.ts";
import type { SourceCaches, SourceObject } from "./source-caches.ts";
import { type SyncStep, syncPlan } from "./sync-plan.ts";
import { gatewayEntries, ingressEntries } from "./tls-entries.ts";

/** Writes DnsimpleCertificates (the API server's answer is not read back: the cache brings it). */
export interface CertificateWriter {
  create(resource: NewCertificate): Promise<unknown>;
  replace(resource: DnsimpleCertificate): Promise<unknown>;
  delete(resource: DnsimpleCertificate): Promise<void>;
}

export interface SourceControllerOptions {
  caches: SourceCaches;
  /** The namespace's DnsimpleCertificates, from the operator's cache. */
  certificates: { list(namespace: string): readonly DnsimpleCertificate[] };
  writer: CertificateWriter;
  events: { record(target: EventTarget, type: EventType, reason: string, message: string): void };
  domains: DomainSources;
  resyncIntervalMs: number;
  concurrency: number;
  /** False when this replica must not write (not, or no longer, the leader). */
  mayWrite?: () => boolean;
  log: Logger;
  clock?: Clock;
}

/** Some entry's domain could not be known now: the pass is retried with backoff. */
export class DomainUnknownError extends Error {
  override name = "DomainUnknownError";
}

export function sourceKey(kind: SourceKind, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}

function splitSourceKey(key: string): { kind: SourceKind; namespace: string; name: string } {
  const [kind = "", namespace = "", name = ""] = key.split("/");
  return { kind: kind === "Gateway" ? "Gateway" : "Ingress", namespace, name };
}

export class SourceController {
  readonly #options: SourceControllerOptions;
  readonly #queue: WorkQueue;
  /** The warnings last reported per source: the same ones are not reported again each pass. */
  readonly #reported = new Map<string, Set<string>>();
  #resyncTimer: NodeJS.Timeout | undefined;

  constructor(options: SourceControllerOptions) {
    this.#options = options;
    this.#queue = new WorkQueue({
      concurrency: options.concurrency,
      clock: options.clock ?? systemClock,
      handler: (key) => this.reconcile(key),
      shareOf: (key) => splitSourceKey(key).namespace,
      onError: (key, err, retryInMs) => this.#failed(key, err, retryInMs),
    });
  }

  /** The caches' onChange: a source changed. */
  sourceChanged(kind: SourceKind, namespace: string, name: string): void {
    this.#queue.add(sourceKey(kind, namespace, name));
  }

  /**
   * A DnsimpleCertificate was added, changed or deleted: its controlling source looks again;
   * after a deletion every source of the namespace does (one may want the freed name).
   */
  certificateChanged(resource: DnsimpleCertificate, deleted: boolean): void {
    const { namespace } = resource.metadata;
    const kind = sourceKindOf(resource);
    const controller = controllerOf(resource);
    if (kind && controller && this.#options.caches.watches(kind)) {
      this.#queue.add(sourceKey(kind, namespace, controller.name));
    }
    if (!deleted) return;
    for (const s of this.#options.caches.list(namespace)) {
      this.#queue.add(sourceKey(s.kind, s.namespace, s.name));
    }
  }

  start(): void {
    this.#queue.start();
    this.#resync();
    this.#resyncTimer = setInterval(() => this.#resync(), this.#options.resyncIntervalMs);
    this.#resyncTimer.unref();
  }

  async stop(timeoutMs: number): Promise<void> {
    clearInterval(this.#resyncTimer);
    await this.#queue.shutdown(timeoutMs);
  }

  /** One pass over the source `key` names. */
  async reconcile(key: string): Promise<WorkResult> {
    const { kind, namespace, name } = splitSourceKey(key);
    const found = this.#options.caches.get(kind, namespace, name);
    const existing = this.#options.certificates.list(namespace);
    if (!found) {
      if (!this.#options.caches.watches(kind)) return {};
      return this.#sourceGone(key, kind, namespace, name, existing);
    }
    // Being deleted (its finalizers still run): nothing is made or changed for it any more;
    // the garbage collector takes its resources once it is gone.
    if (found.object.metadata?.deletionTimestamp) {
      this.#options.log.debug({ source: `${kind} ${namespace}/${name}` }, "source being deleted");
      return {};
    }
    const source = sourceRefOf(found);
    const annotations = readSourceAnnotations(found.object.metadata?.annotations);
    const entries =
      found.kind === "Ingress" ? ingressEntries(found.object) : gatewayEntries(found.object);
    const domains =
      annotations.kind === "source"
        ? await entryDomains(
            source,
            annotations.settings,
            entries.entries,
            existing,
            this.#options.domains,
          )
        : new Map();
    const plan =
      annotations.kind === "source"
        ? this.#options.domains.tenancy.issuer(annotations.settings.issuerRef, namespace)?.status
            ?.plan
        : undefined;
    const judged = judgeSource({ source, annotations, entries, domains, plan, existing });
    const steps = syncPlan(source, judged.wanted, existing, judged.annotations);
    if (!this.#mayWrite()) return {};
    const acted = await this.#actAll(source, steps);
    const warnings = [...judged.warnings, ...acted.warnings];
    this.#report(key, source, warnings);
    this.#options.log.debug(
      { source: sourceLabel(source), steps: steps.map((s) => s.kind), warnings: warnings.length },
      "source synced",
    );
    if (acted.retry) throw acted.retry;
    if ([...domains.values()].some((d) => d.kind === "unknown")) {
      throw new DomainUnknownError(
        `${sourceLabel(source)}: the domain of an entry is not known yet`,
      );
    }
    return {};
  }

  /**
   * Every step, each on its own: one the API server refuses for good (400, 403, 422: a name
   * or template the CRD refuses) becomes a warning and the others go ahead; a conflict or an
   * outage is retried with backoff after the rest.
   */
  async #actAll(source: SourceRef, steps: readonly SyncStep[]) {
    const warnings: string[] = [];
    let retry: unknown;
    for (const step of steps) {
      try {
        const warning = await this.#act(source, step);
        if (warning) warnings.push(warning);
      } catch (err) {
        if (err instanceof KubeApiError && [400, 403, 422].includes(err.code ?? 0)) {
          warnings.push(`${stepLabel(step)} was refused by the API server: ${err.message}`);
        } else {
          retry ??= err;
        }
      }
    }
    return { warnings, retry };
  }

  /** One step, with its Event; a resource not this source's comes back as a warning. */
  async #act(source: SourceRef, step: SyncStep): Promise<string | undefined> {
    const { writer, log } = this.#options;
    const label = sourceLabel(source);
    switch (step.kind) {
      case "create": {
        const { metadata, spec } = step.resource;
        await writer.create(step.resource);
        const names = [
          spec.name === "www" ? spec.domain : `${spec.name}.${spec.domain}`,
          ...(spec.alternateNames ?? []),
        ];
        this.#event(
          source,
          "Normal",
          "CreateCertificate",
          `Created DnsimpleCertificate ${metadata.name} for ${names.join(", ")} (DNSimple domain ${spec.domain})`,
        );
        log.info({ source: label, resource: metadata.name }, "created DnsimpleCertificate");
        return undefined;
      }
      case "update": {
        await writer.replace(step.resource);
        const name = step.resource.metadata.name;
        this.#event(
          source,
          "Normal",
          "UpdateCertificate",
          `Updated DnsimpleCertificate ${name} to match the ${source.kind}: ${step.changed.join(", ")}`,
        );
        log.info(
          { source: label, resource: name, changed: step.changed },
          "updated DnsimpleCertificate",
        );
        return undefined;
      }
      case "delete": {
        await writer.delete(step.resource);
        const name = step.resource.metadata.name;
        this.#event(
          source,
          "Normal",
          "DeleteCertificate",
          `Deleted DnsimpleCertificate ${name}: the ${source.kind} no longer asks for Secret ${name} (its Secret follows spec.secretDeletionPolicy ${step.resource.spec.secretDeletionPolicy})`,
        );
        log.info({ source: label, resource: name }, "deleted DnsimpleCertificate");
        return undefined;
      }
      case "notOwned": {
        const by = step.controller
          ? `is controlled by ${step.controller}`
          : "was not made from this source (it has no owner reference to it)";
        return `DnsimpleCertificate ${step.name} exists and ${by}: it is left as it is; name another Secret in the ${source.kind}, or delete that resource to let the ${source.kind} make its own`;
      }
    }
  }

  /** The source is gone: the resources it controlled go too (the garbage collector does it as well). */
  async #sourceGone(
    key: string,
    kind: SourceKind,
    namespace: string,
    name: string,
    existing: readonly DnsimpleCertificate[],
  ): Promise<WorkResult> {
    this.#reported.delete(key);
    if (!this.#mayWrite()) return {};
    this.#options.log.debug({ source: `${kind} ${namespace}/${name}` }, "source gone");
    for (const resource of existing) {
      if (!isGeneratedBy(resource, kind, name) || resource.metadata.deletionTimestamp) continue;
      await this.#options.writer.delete(resource);
      this.#options.log.info(
        { source: `${kind} ${namespace}/${name}`, resource: resource.metadata.name },
        "source deleted: deleted its DnsimpleCertificate",
      );
    }
    return {};
  }

  /** Reports the warnings not reported last time (one BadConfig Event each). */
  #report(key: string, source: SourceRef, warnings: readonly string[]): void {
    const before = this.#reported.get(key) ?? new Set<string>();
    for (const warning of warnings) {
      if (!before.has(warning)) this.#event(source, "Warning", "BadConfig", warning);
    }
    if (warnings.length === 0) this.#reported.delete(key);
    else this.#reported.set(key, new Set(warnings));
  }

  #event(source: SourceRef, type: EventType, reason: string, message: string): void {
    const { apiVersion, kind, name, namespace, uid, resourceVersion } = source;
    this.#options.events.record(
      {
        apiVersion,
        kind,
        metadata: { name, namespace, uid, ...(resourceVersion ? { resourceVersion } : {}) },
      },
      type,
      reason,
      message,
    );
  }

  #mayWrite(): boolean {
    return this.#options.mayWrite?.() ?? true;
  }

  #resync(): void {
    for (const s of this.#options.caches.list())
      this.#queue.add(sourceKey(s.kind, s.namespace, s.name));
  }

  #failed(key: string, err: unknown, retryInMs: number): void {
    const { log } = this.#options;
    if (err instanceof DomainUnknownError) log.debug({ source: key, retryInMs }, err.message);
    else if (err instanceof KubeApiError && err.conflict)
      log.debug({ source: key, retryInMs }, "changed meanwhile; looking again");
    else log.error({ source: key, err, retryInMs }, "source sync failed; retrying with backoff");
  }
}

/** A step as a warning names it. */
function stepLabel(step: SyncStep): string {
  switch (step.kind) {
    case "create":
      return `Creating DnsimpleCertificate ${step.resource.metadata.name}`;
    case "update":
      return `Updating DnsimpleCertificate ${step.resource.metadata.name}`;
    case "delete":
      return `Deleting DnsimpleCertificate ${step.resource.metadata.name}`;
    case "notOwned":
      return `DnsimpleCertificate ${step.name}`;
  }
}

/** The source as owner references and Events name it. */
function sourceRefOf(found: SourceObject): SourceRef {
  const { metadata } = found.object as V1Ingress | Gateway;
  return {
    apiVersion: found.kind === "Ingress" ? "networking.k8s.io/v1" : GATEWAY_API_VERSION,
    kind: found.kind,
    name: metadata?.name ?? "",
    namespace: metadata?.namespace ?? "",
    uid: metadata?.uid ?? "",
    ...(metadata?.resourceVersion ? { resourceVersion: metadata.resourceVersion } : {}),
  };
}
