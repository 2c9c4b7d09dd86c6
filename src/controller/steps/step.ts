// What a step is given and what it gives back. A step carries out one action: it makes the
// calls the action names and returns what it learned (facts for the next observation), a
// status patch and an Event. It never writes status itself: the reconciler writes the patch
// (one place), then records the Event on the updated resource.
import type { DnsimpleCertificateStatus } from "../../api/v1alpha1.ts";
import type { TlsSecretData } from "../../certs/bundle.ts";
import type { EventType } from "../../kube/events.ts";
import type { ReconcilerMemory } from "../memory.ts";
import type { Observation } from "../observation.ts";
import type { DnsimpleSession, ReconcilerPorts } from "../ports.ts";
import type { KeystorePasswords } from "../secret-outputs.ts";

/** Fields to set in status; a field set to undefined is removed. */
export type StatusPatch = Partial<DnsimpleCertificateStatus>;

/** An Event to record on the resource, after the step's status patch is written. */
export interface EventNote {
  type: EventType;
  reason: string;
  message: string;
}

/** Facts a step can learn; the next observation is the last one with these replaced. */
export type Learned = Partial<
  Pick<
    Observation,
    | "credentials"
    | "access"
    | "secret"
    | "remote"
    | "pendingOrderSearch"
    | "autoRenewalSearch"
    | "download"
    | "failure"
    | "secretName"
    | "outputs"
    | "requestBudget"
  >
>;

/** What the pass holds besides the observation: I/O handles and the bundle to write. */
export interface PassHandles {
  /** Set by resolveCredentials. */
  session?: DnsimpleSession;
  /** The verified bundle waiting to be written: never part of the observation or status. */
  bundle?: TlsSecretData;
  /** The keystore passwords, read by checkOutputs: never part of the observation or status. */
  passwords?: KeystorePasswords;
  /** The Secret's content as checkOutputs read and judged it (past the cache). */
  held?: HeldSecret;
}

/** A serving Secret's certificate and the extra keys the operator wrote into it. */
export interface HeldSecret {
  /** The version read: the one judged when it is the observation's. */
  resourceVersion: string | undefined;
  tls: TlsSecretData;
  extras: Readonly<Record<string, Buffer>>;
}

/** What a step is given besides the observation: the pass's handles, the ports, the memory. */
export interface StepContext extends PassHandles {
  /** The work-queue key of the resource (namespace/name). */
  key: string;
  /** The reconciler's I/O. */
  ports: ReconcilerPorts;
  /** What the reconciler keeps between passes. */
  memory: ReconcilerMemory;
}

/** What a step gives back; the reconciler applies each part. */
export interface StepResult {
  /** Facts for the next observation. */
  learned?: Learned;
  /** Handles for the later steps of the pass. */
  handles?: PassHandles;
  /** Written by the reconciler (the one place status is written). */
  status?: StatusPatch;
  /** Recorded on the resource once the status patch is written. */
  event?: EventNote;
}

/** The session of a step that calls DNSimple (decide asks for credentials first). */
export function sessionOf(context: PassHandles): DnsimpleSession {
  if (!context.session) throw new Error("DNSimple step before credentials");
  return context.session;
}
