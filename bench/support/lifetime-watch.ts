// What the resources' statuses say about the certificates their Secrets hold, as a watch in the
// harness sees it over time: each resource's serial, notBefore and notAfter (status mirrors the
// Secret), every change of serial (a renewal landing, with this process's clock), the Ready
// condition's transitions, and a sampler that checks every second whether any resource's Secret
// is serving a certificate past its notAfter.
import { X509Certificate } from "node:crypto";
import { type KubernetesListObject, makeInformer } from "@kubernetes/client-node";
import {
  type DnsimpleCertificate,
  GROUP,
  MANAGED_SECRET_SELECTOR,
  PLURAL,
  VERSION,
} from "../../src/api/v1alpha1.ts";
import { type Kube, readyCondition } from "./kubernetes.ts";

/** A serial as hex without leading zeros, lowercase (the operator's, the simulator's, X.509's). */
export function normalSerial(serial: string | null | undefined): string | undefined {
  if (!serial) return undefined;
  const hex = serial
    .toLowerCase()
    .replace(/[^0-9a-f]/g, "")
    .replace(/^0+/, "");
  return hex === "" ? "0" : hex;
}

/** What a resource's status says its Secret holds. */
export interface HeldCertificate {
  serial: string;
  notBefore: number;
  notAfter: number;
}

/** The Secret of `name` seen holding a new certificate (a renewal when `previous` is set). */
export interface Landing {
  name: string;
  /** Epoch ms this process saw the status with the new serial. */
  at: number;
  held: HeldCertificate;
  previous: HeldCertificate | undefined;
}

/** Ready went False (after the resource had been Ready once) with this reason. */
export interface ReadyFalseEpisode {
  name: string;
  at: number;
  reason: string;
}

/** Watches one namespace's DnsimpleCertificates; see the file comment. */
export class LifetimeWatch {
  readonly held = new Map<string, HeldCertificate>();
  readonly landings: Landing[] = [];
  readonly readyFalse: ReadyFalseEpisode[] = [];
  /** Every serial seen in a status (a certificate that reached its Secret). */
  readonly seenSerials = new Set<string>();
  /** Sampler ticks that found at least one resource serving an expired certificate. */
  expiredSamples = 0;
  /** Resource-seconds of expired certificates served, as sampled. */
  expiredResourceSamples = 0;
  /** Distinct (resource, certificate) pairs seen serving past notAfter. */
  readonly expiredEpisodes = new Set<string>();
  samplerTicks = 0;
  readonly #ready = new Map<string, boolean>();
  readonly #everReady = new Set<string>();
  readonly #informer: ReturnType<typeof makeInformer<DnsimpleCertificate>>;
  #sampler: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(kube: Kube, namespace: string) {
    const path = `/apis/${GROUP}/${VERSION}/namespaces/${namespace}/${PLURAL}`;
    this.#informer = makeInformer<DnsimpleCertificate>(
      kube.kc,
      path,
      async () =>
        (await kube.custom.listNamespacedCustomObject({
          group: GROUP,
          version: VERSION,
          plural: PLURAL,
          namespace,
        })) as KubernetesListObject<DnsimpleCertificate>,
    );
    const seen = (obj: DnsimpleCertificate) => this.#seen(obj, Date.now());
    this.#informer.on("add", seen);
    this.#informer.on("update", seen);
    this.#informer.on("error", () => {
      if (this.#stopped) return;
      setTimeout(() => {
        if (!this.#stopped) this.#informer.start().catch(() => {});
      }, 1000);
    });
  }

  #seen(obj: DnsimpleCertificate, now: number): void {
    const name = obj.metadata.name;
    const status = obj.status;
    const serial = normalSerial(status?.serialNumber);
    const notBefore = status?.notBefore ? Date.parse(status.notBefore) : Number.NaN;
    const notAfter = status?.notAfter ? Date.parse(status.notAfter) : Number.NaN;
    if (serial && Number.isFinite(notBefore) && Number.isFinite(notAfter)) {
      const previous = this.held.get(name);
      if (previous?.serial !== serial) {
        const held = { serial, notBefore, notAfter };
        this.held.set(name, held);
        this.seenSerials.add(serial);
        this.landings.push({ name, at: now, held, previous });
      }
    }
    const ready = readyCondition(obj);
    if (!ready) return;
    const isReady = ready.status === "True";
    if (isReady) this.#everReady.add(name);
    const was = this.#ready.get(name);
    this.#ready.set(name, isReady);
    if (!isReady && was !== false && this.#everReady.has(name)) {
      this.readyFalse.push({ name, at: now, reason: ready.reason });
    }
  }

  async start(): Promise<void> {
    await this.#informer.start();
    this.#sampler = setInterval(() => this.sample(Date.now()), 1000);
  }

  /** One look at every resource's notAfter against the clock. */
  sample(now: number): void {
    this.samplerTicks++;
    let expired = 0;
    for (const [name, held] of this.held) {
      if (held.notAfter > now) continue;
      expired++;
      this.expiredEpisodes.add(`${name}/${held.serial}`);
    }
    if (expired > 0) this.expiredSamples++;
    this.expiredResourceSamples += expired;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#sampler);
    await this.#informer.stop();
  }
}

/** The managed Secrets of a namespace as they are now: which serve an expired certificate. */
export async function readSecretCertificates(
  kube: Kube,
  namespace: string,
): Promise<Map<string, { serial: string | undefined; notAfter: number } | { problem: string }>> {
  const secrets = await kube.core.listNamespacedSecret({
    namespace,
    labelSelector: MANAGED_SECRET_SELECTOR,
  });
  const out = new Map<
    string,
    { serial: string | undefined; notAfter: number } | { problem: string }
  >();
  for (const secret of secrets.items) {
    const name = secret.metadata?.name ?? "";
    const crt = secret.data?.["tls.crt"];
    if (!crt) {
      out.set(name, { problem: "no tls.crt" });
      continue;
    }
    try {
      const leaf = new X509Certificate(Buffer.from(crt, "base64"));
      out.set(name, {
        serial: normalSerial(leaf.serialNumber),
        notAfter: Date.parse(leaf.validTo),
      });
    } catch (err) {
      out.set(name, { problem: err instanceof Error ? err.message : String(err) });
    }
  }
  return out;
}
