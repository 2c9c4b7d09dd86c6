// The decision's input, derived once per decision from the observation: the values every check
// would otherwise recompute (which certificate is the target, whether a renewal was asked for,
// what DNSimple said about that certificate in this pass).
import type { DnsimpleCertificateSpec, DnsimpleCertificateStatus } from "../../api/v1alpha1.ts";
import { renewalFloorAt } from "../access.ts";
import type {
  DownloadObservation,
  Observation,
  RemoteCertificate,
  RemoteObservation,
} from "../observation.ts";
import { isAdopting, renewRequest, targetCertificateId } from "../spec-rules.ts";

/** The observation with the values every check reads, derived once per decision. */
export interface DecisionInput {
  readonly observation: Observation;
  readonly spec: DnsimpleCertificateSpec;
  /** The resource's status; empty when it has none. */
  readonly status: DnsimpleCertificateStatus;
  /** spec.certificateId names a certificate not adopted yet. */
  readonly adopting: boolean;
  /** The certificate the operator works on (see targetCertificateId). */
  readonly targetId: number | undefined;
  /** A renew-at request whose time has come and that was not handled yet. */
  readonly requested: string | undefined;
  /** The issuer's renewal floor for the Secret's certificate (see renewalFloorAt). */
  readonly floorAt: Date | undefined;
  /** What DNSimple said in this pass about the target (facts about others are not read). */
  readonly remote: RemoteObservation | undefined;
}

/** Once the target's record is known: the input of the checks that drive it to the Secret. */
export interface CertificateInput extends DecisionInput {
  readonly certificate: RemoteCertificate;
  /** The download of this certificate in this pass, if there was one. */
  readonly download: DownloadObservation | undefined;
}

/** The decision's input derived from an observation. */
export function decisionInput(observation: Observation): DecisionInput {
  const { resource, now } = observation;
  const targetId = targetCertificateId(resource);
  const floorAt = renewalFloorAt(observation.access, observation.secret.notBefore);
  // A renew-at request waits for the floor: asking every minute buys nothing more.
  const underFloor = floorAt !== undefined && now < floorAt;
  return {
    observation,
    spec: resource.spec,
    status: resource.status ?? {},
    adopting: isAdopting(resource),
    targetId,
    requested: underFloor ? undefined : renewRequest(resource, now),
    floorAt,
    remote: remoteOf(observation, targetId),
  };
}

/** The input once the target's record is known; a download of another certificate is dropped. */
export function certificateInput(
  input: DecisionInput,
  certificate: RemoteCertificate,
): CertificateInput {
  const download = input.observation.download;
  return {
    ...input,
    certificate,
    download: download?.certificateId === certificate.id ? download : undefined,
  };
}

/** What this pass learned about certificate `id`: a fetch, or a search that found it. */
function remoteOf(observation: Observation, id: number | undefined): RemoteObservation | undefined {
  if (id === undefined) return undefined;
  const { remote } = observation;
  const remoteId = remote?.kind === "found" ? remote.certificate.id : remote?.certificateId;
  if (remote && remoteId === id) return remote;
  const found = [observation.pendingOrderSearch?.found, observation.autoRenewalSearch?.found].find(
    (c) => c?.id === id,
  );
  return found ? { kind: "found", certificate: found } : undefined;
}
