// The observation a pass starts from, built once from the caches and the reconciler's memory;
// and the next one, made from the last and what a step learned (nothing is edited in place).
import { type DnsimpleCertificate, SECRET_ANNOTATIONS } from "../api/v1alpha1.ts";
import type { PurchaseLedger } from "../issuers/purchase-ledger.ts";
import { observeAccess } from "./access.ts";
import type { AutoRenewalPickup } from "./decide/auto-renewal-pickup.ts";
import type { ReconcilerMemory } from "./memory.ts";
import type { Observation } from "./observation.ts";
import type { CertificateCache, SecretCache, TenancyView } from "./ports.ts";
import { observeSecret } from "./secret-observation.ts";
import { secretKeeper } from "./selection.ts";
import type { Learned } from "./steps/step.ts";

/** What an observation is gathered from: the caches, the memory, the operator's intervals. */
export interface GatherSources {
  certificates: CertificateCache;
  secrets: SecretCache;
  tenancy: TenancyView;
  ledger: PurchaseLedger;
  memory: ReconcilerMemory;
  pollIntervalMs: number;
  resyncIntervalMs: number;
  autoRenewalPickup: AutoRenewalPickup;
}

/** The observation a pass starts from: the resource, its Secret, and what memory keeps. */
export function gatherObservation(
  key: string,
  resource: DnsimpleCertificate,
  now: Date,
  sources: GatherSources,
): Observation {
  const { namespace } = resource.metadata;
  const secret = sources.secrets.get(namespace, resource.spec.secretName);
  const owner = secretNameOwner(resource, sources);
  const observed = observeSecret(resource, secret, now);
  const hintAt = sources.memory.autoRenewalHint(key);
  const lastLook = sources.memory.lastAutoRenewCheck(key);
  return {
    now,
    resource,
    secret: observed,
    access: observeAccess(resource, observed, now, sources.tenancy, sources.ledger),
    pollIntervalMs: sources.pollIntervalMs,
    resyncIntervalMs: sources.resyncIntervalMs,
    autoRenewalPickup: sources.autoRenewalPickup,
    ...(owner ? { secretNameOwner: owner } : {}),
    // After a restart, a look for an auto-renewal waits an interval (unless expired): see
    // decide/auto-renewal-pickup.ts.
    ...(lastLook ? { lastAutoRenewCheck: lastLook } : {}),
    startedAt: sources.memory.startedAt,
    ...(hintAt ? { autoRenewalHintAt: hintAt } : {}),
  };
}

/** The next observation: the last, with what a step learned and the resource as written. */
export function nextObservation(
  observation: Observation,
  learned: Learned | undefined,
  resource: DnsimpleCertificate,
): Observation {
  return { ...observation, ...learned, resource };
}

/** Another resource of the namespace that keeps this resource's Secret (see secretKeeper). */
function secretNameOwner(
  resource: DnsimpleCertificate,
  sources: GatherSources,
): string | undefined {
  const { namespace, uid } = resource.metadata;
  const { secretName } = resource.spec;
  const rivals = sources.certificates
    .usingSecret(namespace, secretName)
    .filter((r) => r.metadata.uid !== uid);
  if (rivals.length === 0) return undefined;
  const writer = sources.secrets.get(namespace, secretName)?.metadata?.annotations?.[
    SECRET_ANNOTATIONS.owner
  ];
  const keeper = secretKeeper([resource, ...rivals], writer);
  return keeper && keeper.metadata.uid !== uid ? keeper.metadata.name : undefined;
}
