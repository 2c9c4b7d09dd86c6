// download: the issued certificate and its private key from DNSimple, assembled and verified
// (key, chain, names, validity). Only a verified bundle goes on to be written; it travels in
// the pass's handles, never in the observation or status.
import { type AssembledBundle, assembleParsedBundle } from "../../certs/bundle.ts";
import { expectedDnsNames } from "../../certs/dns-names.ts";
import { InvalidCertificateDataError } from "../../certs/errors.ts";
import { type VerifiedCertificate, verifyParsed } from "../../certs/verify.ts";
import type { Action } from "../actions.ts";
import { failureFromError } from "../failures.ts";
import type { DownloadObservation, Failure, Observation } from "../observation.ts";
import { signatureAlgorithmOf } from "../secret-observation.ts";
import { domainNameOf } from "../spec-rules.ts";
import { type EventNote, type StepContext, type StepResult, sessionOf } from "./step.ts";

type DownloadAction = Extract<Action, { kind: "download" }>;

/** The download step: the certificate and its key, verified; the bundle goes in the handles. */
export async function download(
  observation: Observation,
  action: DownloadAction,
  context: StepContext,
): Promise<StepResult> {
  const { certificateId } = action;
  try {
    // Read once: verification checks the very parse the bundle was assembled from.
    const { data: bundle, parsed } = await fetchBundle(observation, certificateId, context);
    const verified = verifyParsed(parsed, {
      dnsNames: expectedNames(observation),
      now: observation.now,
    });
    return {
      learned: { download: verifiedDownload(certificateId, verified) },
      handles: { bundle },
      event: downloadedEvent(observation, certificateId, verified),
    };
  } catch (err) {
    const failure = downloadFailure(err, observation, certificateId);
    return { learned: { download: { kind: "failed", certificateId, failure } } };
  }
}

/**
 * The certificate, then its key. A certificate downloaded whose key could not be fetched (the
 * rate budget ran out between the two calls) is kept for the next attempt.
 */
async function fetchBundle(
  observation: Observation,
  certificateId: number,
  context: StepContext,
): Promise<AssembledBundle> {
  const { client, accountId } = sessionOf(context);
  const { domain } = observation.resource.spec;
  const certificate =
    context.memory.keptDownload(context.key, certificateId) ??
    (await client.downloadCertificate(accountId, domain, certificateId));
  context.memory.keepDownload(context.key, certificateId, certificate);
  const privateKey = await client.getPrivateKey(accountId, domain, certificateId);
  context.memory.dropDownload(context.key);
  return assembleParsedBundle(certificate, privateKey);
}

/** The names the spec asks for, in the domain the certificate was ordered in. */
function expectedNames(observation: Observation): string[] {
  const { spec } = observation.resource;
  const remote = observation.remote?.kind === "found" ? observation.remote.certificate : undefined;
  const domain = domainNameOf(spec, remote?.commonName) ?? spec.domain;
  return expectedDnsNames({ domain, name: spec.name, alternateNames: spec.alternateNames });
}

function verifiedDownload(
  certificateId: number,
  verified: VerifiedCertificate,
): DownloadObservation {
  return {
    kind: "verified",
    certificateId,
    keyAlgorithm: signatureAlgorithmOf(verified.keyAlgorithm),
    commonName: verified.commonName ?? "",
    dnsNames: verified.dnsNames,
    notBefore: verified.notBefore,
    notAfter: verified.notAfter,
    serialNumber: verified.serialNumber,
    validity: verified.validity,
  };
}

/** Issued, or (the certificate status already records) downloaded again to repair the Secret. */
function downloadedEvent(
  observation: Observation,
  certificateId: number,
  verified: VerifiedCertificate,
): EventNote {
  const checks = `it verified (key, chain, names ${verified.dnsNames.join(", ")}, valid until ${verified.notAfter.toISOString()})`;
  if (observation.resource.status?.serialNumber !== verified.serialNumber) {
    const message = `DNSimple issued certificate ${certificateId}; ${checks}`;
    return { type: "Normal", reason: "Issued", message };
  }
  const secretState = observation.secret.exists
    ? (observation.secret.problem ?? "not holding it")
    : "missing";
  const message = `Downloaded certificate ${certificateId} again to restore Secret ${observation.resource.spec.secretName} (${secretState}); ${checks}`;
  return { type: "Normal", reason: "Downloaded", message };
}

function downloadFailure(err: unknown, observation: Observation, certificateId: number): Failure {
  if (!(err instanceof InvalidCertificateDataError))
    return failureFromError(err, observation.resource);
  return {
    reason: "InvalidCertificateData",
    message: `The certificate ${certificateId} DNSimple handed out failed verification, so the Secret was not written: ${err.message}`,
  };
}
