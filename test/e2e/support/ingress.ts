// A real Ingress controller for the e2e: Traefik v3 (built from its Go module by the project,
// a one-binary image imported into the node), in-cluster with its own ServiceAccount, serving
// Ingresses of class `traefik` on :8443 behind a ClusterIP Service on 443, and, once asked to,
// Gateways of the GatewayClass `traefik` (its kubernetesgateway provider, a listener on port
// 8443 being its websecure entrypoint); and a backend that answers a fixed text, so a TLS client
// sees the whole path: Secret -> Traefik -> Pod.
import { binary } from "../../../src/localcluster/binaries.ts";
import { importImageArchive, writeImageArchive } from "../../../src/localcluster/image-archive.ts";
import { containerdAddress } from "../../../src/localcluster/node.ts";

export const traefikImage = "dnsimple-cert-operator.local/traefik:e2e";
export const backendAnswer = "hello from the e2e backend";

/** Builds (once, cached) and imports the Traefik image into the node's containerd. */
export async function loadTraefikImage(work: string): Promise<void> {
  const archive = `${work}/traefik-image.tar`;
  writeImageArchive(archive, {
    name: traefikImage,
    binary: await binary("traefik"),
    entrypoint: "/traefik",
    user: "65532:65532",
  });
  importImageArchive(archive, containerdAddress);
}

const restricted = {
  runAsNonRoot: true,
  runAsUser: 65532,
  runAsGroup: 65532,
  allowPrivilegeEscalation: false,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
  readOnlyRootFilesystem: true,
};

/**
 * What Traefik 3.6's kubernetesgateway provider (pkg/provider/kubernetes/gateway/client.go)
 * lists and watches, and the statuses it writes, for the standard channel only (TCPRoutes and
 * TLSRoutes are watched only with its experimentalChannel option): one missing and its caches
 * never sync, so it serves no Gateway at all.
 */
const gatewayRules = [
  { apiGroups: [""], resources: ["namespaces"], verbs: ["list", "watch"] },
  { apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch"] },
  {
    apiGroups: ["gateway.networking.k8s.io"],
    resources: [
      "gatewayclasses",
      "gateways",
      "httproutes",
      "grpcroutes",
      "referencegrants",
      "backendtlspolicies",
    ],
    verbs: ["get", "list", "watch"],
  },
  {
    apiGroups: ["gateway.networking.k8s.io"],
    resources: [
      "gatewayclasses/status",
      "gateways/status",
      "httproutes/status",
      "grpcroutes/status",
      "backendtlspolicies/status",
    ],
    verbs: ["update"],
  },
];

/**
 * Traefik with what its kubernetesingress provider watches, and its Service; with `gateway`,
 * its kubernetesgateway provider too (the Gateway API CRDs must be served first).
 */
export function traefikManifests(namespace: string, options: { gateway?: boolean } = {}): object[] {
  const labels = { app: "traefik" };
  const gateway = options.gateway ?? false;
  return [
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "traefik", namespace } },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name: "e2e-traefik" },
      rules: [
        {
          apiGroups: [""],
          resources: ["services", "secrets", "nodes"],
          verbs: ["get", "list", "watch"],
        },
        {
          apiGroups: ["discovery.k8s.io"],
          resources: ["endpointslices"],
          verbs: ["get", "list", "watch"],
        },
        {
          apiGroups: ["networking.k8s.io"],
          resources: ["ingresses", "ingressclasses"],
          verbs: ["get", "list", "watch"],
        },
        {
          apiGroups: ["networking.k8s.io"],
          resources: ["ingresses/status"],
          verbs: ["update"],
        },
        ...(gateway ? gatewayRules : []),
      ],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: "e2e-traefik" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "e2e-traefik" },
      subjects: [{ kind: "ServiceAccount", name: "traefik", namespace }],
    },
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "IngressClass",
      metadata: { name: "traefik" },
      spec: { controller: "traefik.io/ingress-controller" },
    },
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "traefik", namespace, labels },
      spec: {
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: "traefik",
            securityContext: { seccompProfile: { type: "RuntimeDefault" } },
            containers: [
              {
                name: "traefik",
                image: traefikImage,
                imagePullPolicy: "Never",
                args: [
                  "--entrypoints.websecure.address=:8443",
                  "--entrypoints.websecure.http.tls=true",
                  "--entrypoints.traefik.address=:8081",
                  "--ping=true",
                  "--ping.entrypoint=traefik",
                  "--providers.kubernetesingress=true",
                  "--providers.kubernetesingress.ingressclass=traefik",
                  ...(gateway ? ["--providers.kubernetesgateway=true"] : []),
                  "--log.level=INFO",
                  "--global.checknewversion=false",
                  "--global.sendanonymoususage=false",
                ],
                ports: [
                  { name: "websecure", containerPort: 8443 },
                  { name: "traefik", containerPort: 8081 },
                ],
                readinessProbe: { httpGet: { path: "/ping", port: "traefik" }, periodSeconds: 2 },
                securityContext: restricted,
              },
            ],
          },
        },
      },
    },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "traefik", namespace },
      spec: { selector: labels, ports: [{ name: "websecure", port: 443, targetPort: 8443 }] },
    },
  ];
}

/** A backend Pod from the operator's image (its entrypoint is node) answering a fixed text. */
export function backendManifests(namespace: string, image: string): object[] {
  const labels = { app: "backend" };
  const server = `require("node:http").createServer((q, s) => s.end(${JSON.stringify(backendAnswer)})).listen(8080)`;
  return [
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "backend", namespace, labels },
      spec: {
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            securityContext: { seccompProfile: { type: "RuntimeDefault" } },
            containers: [
              {
                name: "backend",
                image,
                imagePullPolicy: "Never",
                args: ["-e", server],
                ports: [{ containerPort: 8080 }],
                readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 2 },
                securityContext: restricted,
              },
            ],
          },
        },
      },
    },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "backend", namespace },
      spec: { selector: labels, ports: [{ port: 80, targetPort: 8080 }] },
    },
  ];
}

/** What makes an Ingress other than the first: its name and annotations of its own. */
export interface IngressOptions {
  /** "www" when not given. */
  name?: string;
  /** Beside Traefik's own (entrypoint websecure, TLS). */
  annotations?: Record<string, string>;
}

/** An Ingress for `hosts` serving the Secret `secretName` through Traefik's websecure. */
export function ingressManifest(
  namespace: string,
  hosts: string[],
  secretName: string,
  options: IngressOptions = {},
): object {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: {
      name: options.name ?? "www",
      namespace,
      annotations: {
        "traefik.ingress.kubernetes.io/router.entrypoints": "websecure",
        "traefik.ingress.kubernetes.io/router.tls": "true",
        ...options.annotations,
      },
    },
    spec: {
      ingressClassName: "traefik",
      tls: [{ hosts, secretName }],
      rules: hosts.map((host) => ({
        host,
        http: {
          paths: [
            {
              path: "/",
              pathType: "Prefix",
              backend: { service: { name: "backend", port: { number: 80 } } },
            },
          ],
        },
      })),
    },
  };
}

/** What a Gateway of the e2e serves: one HTTPS host from one Secret. */
export interface GatewayOptions {
  name: string;
  hostname: string;
  secretName: string;
  annotations?: Record<string, string>;
}

/**
 * Traefik's GatewayClass `traefik`, a Gateway of it with one HTTPS listener on 8443 (Traefik
 * maps a listener to the entrypoint of its port: websecure) for `hostname`, its certificate
 * from `secretName`, and an HTTPRoute from that host to the backend.
 */
export function gatewayManifests(namespace: string, options: GatewayOptions): object[] {
  const { name, hostname, secretName } = options;
  return [
    {
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "GatewayClass",
      metadata: { name: "traefik" },
      spec: { controllerName: "traefik.io/gateway-controller" },
    },
    {
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "Gateway",
      metadata: { name, namespace, annotations: options.annotations ?? {} },
      spec: {
        gatewayClassName: "traefik",
        listeners: [
          {
            name: "https",
            protocol: "HTTPS",
            port: 8443,
            hostname,
            tls: { mode: "Terminate", certificateRefs: [{ kind: "Secret", name: secretName }] },
          },
        ],
      },
    },
    {
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "HTTPRoute",
      metadata: { name, namespace },
      spec: {
        parentRefs: [{ name, sectionName: "https" }],
        hostnames: [hostname],
        rules: [{ backendRefs: [{ name: "backend", port: 80 }] }],
      },
    },
  ];
}
