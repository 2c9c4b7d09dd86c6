// refreshSecret: the Secret serves, but its labels, annotations or owner are not what the
// operator writes now (a template changed), or its extra keys are not (a format asked for or
// dropped, a password changed): apply again with the certificate it already holds. Extra keys
// found right are written back byte for byte (a keystore built again would differ: its salt).
import type { TlsSecretData } from "../../certs/bundle.ts";
import { tlsDataOf } from "../../kube/secrets.ts";
import type { Failure, Observation } from "../observation.ts";
import { observeSecret } from "../secret-observation.ts";
import { buildOutputs, OutputCheckError, wantsOutputs } from "../secret-outputs.ts";
import { applySecret } from "./secret-apply.ts";
import type { EventNote, StepContext, StepResult } from "./step.ts";

/**
 * The refreshSecret step: the Secret applied again with the data it holds, over the version
 * this pass judged. A Secret that moved on since (read past the cache, or by the cache itself)
 * is looked at afresh instead: its new bytes were never checked, and an apply of the old ones
 * would undo someone's write.
 */
export async function refreshSecret(
  observation: Observation,
  context: StepContext,
): Promise<StepResult> {
  const { resource, secret } = observation;
  const judged = secret.resourceVersion;
  const cached = context.ports.secrets.get(resource.metadata.namespace, resource.spec.secretName);
  // What checkOutputs read and judged, when the extra keys are in play; else the cache's.
  const held = context.held ?? {
    resourceVersion: cached?.metadata?.resourceVersion,
    tls: tlsDataOf(cached),
    extras: {},
  };
  if (judged === undefined || held.resourceVersion !== judged)
    return lookAgain(observation, context);
  const extra = await extraKeys(observation, context, held.tls);
  if ("failure" in extra) return { learned: { failure: extra.failure } };
  const applied = await applySecret(
    observation,
    context,
    held.tls,
    {
      certificateId: secret.certificateId ?? 0,
      commonName: secret.commonName,
      dnsNames: secret.dnsNames,
      notAfter: secret.notAfter,
    },
    extra.keys,
    judged,
  );
  if ("failure" in applied) return { learned: { failure: applied.failure } };
  if ("changed" in applied) return lookAgain(observation, context);
  const { resourceVersion, exact } = applied;
  const owned = Object.keys(extra.keys);
  return {
    learned: {
      secret: {
        ...secret,
        ...(resourceVersion !== undefined ? { resourceVersion } : {}),
        // The bytes judged, written again: the check holds at the new version.
        verified:
          secret.verified && resourceVersion !== undefined && exact
            ? { resourceVersion, validity: secret.verified.validity }
            : undefined,
        metadataCurrent: true,
        ownedExtraKeys: owned.length > 0 ? owned : undefined,
      },
      outputs: { kind: "checked" },
    },
    ...(extra.rebuilt ? { event: rebuiltEvent(observation, extra.keys, extra.rebuilt) } : {}),
  };
}

/**
 * The Secret changed after this pass judged it: read again and judged afresh (the extra keys
 * too), as a new pass would.
 */
async function lookAgain(observation: Observation, context: StepContext): Promise<StepResult> {
  const { resource, now } = observation;
  const current = await context.ports.secretLookup.read(
    resource.metadata.namespace,
    resource.spec.secretName,
  );
  return {
    learned: { secret: observeSecret(resource, current, now), outputs: undefined },
    handles: { held: undefined },
  };
}

interface ExtraKeys {
  keys: Readonly<Record<string, Buffer>>;
  /** Why they were built again (undefined: the held ones are written back). */
  rebuilt?: string;
}

/** The held extra keys when they are right, else built again from the held certificate. */
async function extraKeys(
  observation: Observation,
  context: StepContext,
  held: TlsSecretData,
): Promise<ExtraKeys | { failure: Failure }> {
  const { outputs, resource } = observation;
  const owned = observation.secret.ownedExtraKeys ?? [];
  if (!wantsOutputs(resource.spec) && owned.length === 0) return { keys: {} };
  if (outputs?.kind !== "checked") throw new Error("refreshSecret before checkOutputs");
  if (!outputs.stale) return { keys: context.held?.extras ?? {} };
  try {
    const keys = await buildOutputs(resource.spec, held, context.passwords ?? {});
    return { keys, rebuilt: outputs.stale };
  } catch (err) {
    if (!(err instanceof OutputCheckError)) throw err;
    const message = `The Secret's certificate is valid, but its ${err.message}, so the Secret was not changed`;
    return { failure: { reason: "InvalidCertificateData", message } };
  }
}

function rebuiltEvent(
  observation: Observation,
  keys: Readonly<Record<string, Buffer>>,
  why: string,
): EventNote {
  const { secretName } = observation.resource.spec;
  const written = Object.keys(keys);
  const message =
    written.length > 0
      ? `Wrote ${written.join(", ")} to Secret ${secretName} from the certificate it holds (${why})`
      : `Removed the extra keys from Secret ${secretName} (${why})`;
  return { type: "Normal", reason: "OutputsWritten", message };
}
