// The part of the Gateway API (gateway.networking.k8s.io/v1) a Gateway source reads: its
// listeners' protocol, hostname and TLS certificate references. client-node has no types for
// it (it is a CRD); these mirror the fields used, as the API server returns them.

import type { V1ManagedFieldsEntry } from "@kubernetes/client-node";

export const GATEWAY_GROUP = "gateway.networking.k8s.io";
export const GATEWAY_VERSION = "v1";
export const GATEWAY_KIND = "Gateway";
export const GATEWAY_PLURAL = "gateways";
export const GATEWAY_API_VERSION = `${GATEWAY_GROUP}/${GATEWAY_VERSION}`;

/** A reference to the object holding a listener's certificate (a core Secret by default). */
export interface SecretObjectReference {
  /** "" (the default) is the core group. */
  group?: string;
  /** "Secret" by default. */
  kind?: string;
  name: string;
  /** The Gateway's own namespace by default. */
  namespace?: string;
}

export interface GatewayListener {
  name: string;
  hostname?: string;
  port: number;
  protocol: string;
  tls?: {
    /** "Terminate" by default; "Passthrough" holds no certificate. */
    mode?: string;
    certificateRefs?: SecretObjectReference[];
  };
}

export interface Gateway {
  apiVersion: typeof GATEWAY_API_VERSION;
  kind: typeof GATEWAY_KIND;
  metadata: {
    name: string;
    namespace: string;
    uid: string;
    generation?: number;
    resourceVersion?: string;
    annotations?: Record<string, string>;
    labels?: Record<string, string>;
    deletionTimestamp?: Date;
    managedFields?: V1ManagedFieldsEntry[];
  };
  spec: { gatewayClassName: string; listeners: GatewayListener[] };
  status?: unknown;
}
