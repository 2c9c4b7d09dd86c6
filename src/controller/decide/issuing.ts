// Issuing: the Secret does not serve the target certificate (there is none yet, the spec
// changed, a renewal is in flight, or the Secret was lost). In order: reach DNSimple, learn the
// certificate's state, drive it to issued, download and verify it, write it.
import { RENEW_AT_ANNOTATION } from "../../api/v1alpha1.ts";
import type { Action } from "../actions.ts";
import { fail, failureBackoffEnd, lastFailurePermanent } from "../failure-policy.ts";
import type { Failure } from "../observation.ts";
import { describeRemote, remoteMatchesSpec } from "../spec-rules.ts";
import { QUEUED } from "../status.ts";
import { pollDelay } from "../timing.ts";
import { type Check, firstAction } from "./chain.ts";
import { credentialsMissing } from "./credentials-check.ts";
import { type CertificateInput, certificateInput, type DecisionInput } from "./input.ts";
import { orderOrRecover, requestedOrder, specChangedOrder } from "./ordering.ts";
import { issuingOutputsUnchecked, outputsUnavailable } from "./outputs.ts";

/** DNSimple states from which a certificate will not become issued. */
const DEAD_STATES = new Set(["failed", "cancelled", "rejected", "refunded"]);

/** Until the target's record is known. */
const REACHING_DNSIMPLE: readonly Check<DecisionInput>[] = [
  failureBackingOff,
  credentialsNotRead,
  noCertificate,
  notFetched,
  certificateMissing,
];

/** Once the target's record is known; the end of the chain is writing the Secret. */
const DRIVING_CERTIFICATE: readonly Check<CertificateInput>[] = [
  specMismatch,
  notRequested,
  deadState,
  stillIssuing,
  issuingOutputsUnchecked,
  outputsUnavailable,
  notDownloaded,
  downloadFailed,
  keyMismatch,
];

/** The next action while the Secret does not serve the target certificate. */
export function decideIssuing(input: DecisionInput): Action {
  const early = firstAction(input, REACHING_DNSIMPLE);
  if (early) return early;
  if (input.remote?.kind !== "found") throw new Error("issuing chain passed without a record");
  const known = certificateInput(input, input.remote.certificate);
  return (
    firstAction(known, DRIVING_CERTIFICATE) ?? {
      kind: "writeSecret",
      certificateId: known.certificate.id,
    }
  );
}

/**
 * The last failure's backoff runs and nothing changed (spec, renew-at): no DNSimple call, so
 * resyncs and Secret events do not turn a long backoff into a retry every few minutes.
 */
function failureBackingOff({ observation, status, requested }: DecisionInput): Action | undefined {
  if (observation.credentials) return undefined;
  const end = failureBackoffEnd(observation, lastFailurePermanent(observation));
  const specUnchanged = status.observedGeneration === observation.resource.metadata.generation;
  if (!end || observation.now >= end || !specUnchanged || requested) return undefined;
  return { kind: "backoff", until: end };
}

/** The credentials are read (and the account found) before the first DNSimple call. */
function credentialsNotRead({ observation }: DecisionInput): Action | undefined {
  return credentialsMissing(observation);
}

/** No certificate yet: order one (after recovering a lost order). */
function noCertificate(input: DecisionInput): Action | undefined {
  if (input.targetId !== undefined) return undefined;
  return orderOrRecover(input, {
    kind: "order",
    why: "no certificate has been ordered for this resource",
  });
}

/** The target's state is not known in this pass yet. */
function notFetched({ targetId, remote }: DecisionInput): Action | undefined {
  if (remote || targetId === undefined) return undefined;
  return { kind: "fetchCertificate", certificateId: targetId };
}

/** DNSimple could not give the record. Not in spec.domain (a final 404): the domain changed. */
function certificateMissing(input: DecisionInput): Action | undefined {
  const { remote, adopting, targetId, spec, requested } = input;
  if (remote?.kind !== "failed") return undefined;
  if (remote.failure.reason !== "CertificateNotFound" || adopting) return fail(remote.failure);
  return orderOrRecover(
    input,
    specChangedOrder(`certificate ${targetId} is not in domain ${spec.domain}`, requested),
  );
}

/**
 * Ordered for other names: the spec changed since (order one that fits; the Secret keeps
 * serving the old certificate until the new one is verified), or spec.certificateId is wrong.
 */
function specMismatch(input: CertificateInput): Action | undefined {
  const { spec, certificate } = input;
  if (remoteMatchesSpec(spec, certificate)) return undefined;
  if (!input.adopting) {
    return orderOrRecover(
      input,
      specChangedOrder(`certificate ${certificate.id} is for ${describeRemote(certificate)}`),
    );
  }
  return fail({
    reason: "CertificateMismatch",
    // Its names are not told: spec.certificateId may name someone else's certificate.
    message: `DNSimple certificate ${certificate.id} does not match spec.name ${JSON.stringify(spec.name)} and spec.alternateNames ${JSON.stringify(spec.alternateNames ?? [])}: fix the spec or spec.certificateId`,
  });
}

/** Ordered and not yet requested from Let's Encrypt: issue it. */
function notRequested({ certificate }: CertificateInput): Action | undefined {
  return certificate.state === "new" ? { kind: "issue", certificateId: certificate.id } : undefined;
}

/** A state it will not leave: give up a renewal, order again when asked to, else fail. */
function deadState(input: CertificateInput): Action | undefined {
  const { certificate, status, requested } = input;
  if (!DEAD_STATES.has(certificate.state)) return undefined;
  const failure: Failure = {
    reason: status.renewalId ? "RenewalFailed" : "IssuanceFailed",
    message: `DNSimple reports certificate ${certificate.id} as ${certificate.state}`,
  };
  // A failed renewal: the Secret still holds the previous certificate; retry with backoff.
  if (status.renewalId && status.renewedCertificateId !== undefined) {
    const keeps = `the Secret keeps certificate ${status.renewedCertificateId} and the renewal is retried`;
    return {
      kind: "abandonRenewal",
      failure: { ...failure, message: `${failure.message}; ${keeps}` },
    };
  }
  if (requested) return orderOrRecover(input, requestedOrder(requested));
  // Any change of the spec since the failure (a new generation) is a request to try again.
  if (
    status.observedGeneration !== input.observation.resource.metadata.generation &&
    !input.adopting
  ) {
    const why = `the spec changed after certificate ${certificate.id} ended ${certificate.state}`;
    return orderOrRecover(input, { kind: "order", why });
  }
  return fail({
    ...failure,
    message: `${failure.message}; change the spec or set the ${RENEW_AT_ANNOTATION} annotation to order again`,
  });
}

/** DNSimple is still issuing: poll, backing off as the issuance takes longer. */
function stillIssuing({ certificate, observation }: CertificateInput): Action | undefined {
  if (certificate.state === "issued") return undefined;
  const issuing = observation.resource.status?.conditions?.find((c) => c.type === "Issuing");
  // Queued (waiting for budget) is not issuing: the order went in this very pass.
  const since =
    issuing?.status === "True" && issuing.reason !== QUEUED
      ? new Date(issuing.lastTransitionTime)
      : observation.now;
  return {
    kind: "poll",
    certificateId: certificate.id,
    state: certificate.state,
    requeueAfterMs: pollDelay(observation.pollIntervalMs, since, observation.now),
  };
}

/** Issued and not downloaded in this pass. */
function notDownloaded({ certificate, download }: CertificateInput): Action | undefined {
  return download ? undefined : { kind: "download", certificateId: certificate.id };
}

/** The download or its verification failed. DNSimple without the key (428): only the user may reorder. */
function downloadFailed(input: CertificateInput): Action | undefined {
  const { download, requested, adopting } = input;
  if (download?.kind !== "failed") return undefined;
  if (requested && download.failure.reason === "PrivateKeyUnavailable" && !adopting) {
    return orderOrRecover(input, requestedOrder(requested));
  }
  return fail(download.failure);
}

/** DNSimple's record does not say the key type; the downloaded certificate does. */
function keyMismatch(input: CertificateInput): Action | undefined {
  const { download, spec, certificate } = input;
  if (download?.kind !== "verified" || download.keyAlgorithm === spec.signatureAlgorithm) {
    return undefined;
  }
  const why = `certificate ${certificate.id} has a ${download.keyAlgorithm ?? "unknown"} key, the spec asks for ${spec.signatureAlgorithm}`;
  if (!input.adopting) return orderOrRecover(input, specChangedOrder(why));
  return fail({
    reason: "CertificateMismatch",
    message: `${why}: fix spec.signatureAlgorithm or spec.certificateId`,
  });
}
