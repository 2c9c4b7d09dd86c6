// The DnsimpleCertificate a source's entry generates: named after its Secret, in the source's
// namespace, labelled as generated, and controlled by the source (an owner reference with
// controller: true, so it goes when the source goes). Which resources a source controls is
// read from that owner reference and its uid, never from the label: a label anyone can write,
// and a hand-made resource of the same name is not the source's to change.
import type { V1OwnerReference } from "@kubernetes/client-node";
import {
  API_VERSION,
  type DnsimpleCertificate,
  type DnsimpleCertificateSpec,
  GROUP,
  KIND,
} from "../api/v1alpha1.ts";
import type { SourceSettings } from "./annotations.ts";
import type { CertificateNames } from "./host-names.ts";

/** Set on generated resources to the source's kind, for `kubectl get dnscert -l`. */
export const GENERATED_BY_LABEL = `${GROUP}/generated-by`;

export type SourceKind = "Ingress" | "Gateway";

/** The object a source is, as owner references and Events name it. */
export interface SourceRef {
  apiVersion: string;
  kind: SourceKind;
  name: string;
  namespace: string;
  uid: string;
  resourceVersion?: string;
}

/** `Ingress web/shop`, as messages name a source. */
export function sourceLabel(source: Pick<SourceRef, "kind" | "namespace" | "name">): string {
  return `${source.kind} ${source.namespace}/${source.name}`;
}

/** The spec of the resource for one entry. */
export function generatedSpec(
  secretName: string,
  names: CertificateNames,
  settings: SourceSettings,
): DnsimpleCertificateSpec {
  return {
    domain: names.domain,
    name: names.name,
    ...(names.alternateNames.length > 0 ? { alternateNames: names.alternateNames } : {}),
    signatureAlgorithm: settings.signatureAlgorithm,
    autoRenew: settings.autoRenew,
    ...(settings.renewBefore ? { renewBefore: settings.renewBefore } : {}),
    secretName,
    ...(settings.secretTemplate ? { secretTemplate: settings.secretTemplate } : {}),
    issuerRef: settings.issuerRef,
    secretDeletionPolicy: settings.secretDeletionPolicy,
  };
}

/** The owner reference that makes the source the resource's controller. */
export function controllerReference(source: SourceRef): V1OwnerReference {
  return {
    apiVersion: source.apiVersion,
    kind: source.kind,
    name: source.name,
    uid: source.uid,
    controller: true,
  };
}

/** A new resource for the entry, controlled by the source. */
export function generatedResource(
  source: SourceRef,
  spec: DnsimpleCertificateSpec,
): Omit<DnsimpleCertificate, "metadata"> & { metadata: GeneratedMetadata } {
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: {
      name: spec.secretName,
      namespace: source.namespace,
      labels: { [GENERATED_BY_LABEL]: source.kind },
      ownerReferences: [controllerReference(source)],
    },
    spec,
  };
}

/** What a resource to be created has of metadata (the API server adds the rest). */
export interface GeneratedMetadata {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  ownerReferences: V1OwnerReference[];
}

/** The resource's controller owner reference, if it has one. */
export function controllerOf(resource: DnsimpleCertificate): V1OwnerReference | undefined {
  return resource.metadata.ownerReferences?.find((r) => r.controller === true);
}

/** Whether this very source (by uid) controls the resource. */
export function isControlledBy(resource: DnsimpleCertificate, source: SourceRef): boolean {
  const controller = controllerOf(resource);
  return controller?.uid === source.uid && controller.kind === source.kind;
}
