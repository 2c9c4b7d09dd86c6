// A real Ingress controller for the e2e: Traefik v3 (built from its Go module by the project,
// a one-binary image imported into the node), in-cluster with its own ServiceAccount, serving
// Ingresses of class `traefik` on :8443 behind a ClusterIP Service on 443; and a backend that
// answers a fixed text, so a TLS client sees the whole path: Secret -> Traefik -> Pod.
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

/** Traefik with what its kubernetesingress provider watches, and its Service. */
export function traefikManifests(namespace: string): object[] {
  const labels = { app: "traefik" };
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

/** An Ingress for `hosts` serving the Secret `secretName` through Traefik's websecure. */
export function ingressManifest(namespace: string, hosts: string[], secretName: string): object {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: {
      name: "www",
      namespace,
      annotations: {
        "traefik.ingress.kubernetes.io/router.entrypoints": "websecure",
        "traefik.ingress.kubernetes.io/router.tls": "true",
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
