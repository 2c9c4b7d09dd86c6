// Pins the Gateway API CRDs (config/crd/standard of sigs.k8s.io/gateway-api) that the tests
// install; src/localcluster/gateway-api.ts fetches them with `go mod download`, checked by go.sum.
// v1.4.1 because the e2e's Traefik v3.6.12 is built against v1.4.0, and its docs say that from
// 3.6.0 its kubernetesgateway provider "only supports version v1.4.0" (migrate/v3.md); v1.4.1 is
// that line's newest patch, whose standard CRDs differ from v1.4.0 only in descriptions and in
// BackendTLSPolicy gaining its status subresource, which Traefik writes through UpdateStatus.
// Bump it together with Traefik (tools/traefik/go.mod; a unit test checks the two agree).
module dnsimple-cert-operator/localcluster/tools/gateway-api

go 1.26.0

require sigs.k8s.io/gateway-api v1.4.1
