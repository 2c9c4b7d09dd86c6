{{/* The chart name, or nameOverride. */}}
{{- define "dnsimple-cert-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The name of every resource: fullnameOverride, else the release name when it already contains
the chart name, else <release>-<chart>. 63 characters at most (DNS label).
*/}}
{{- define "dnsimple-cert-operator.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* chart-version, for the helm.sh/chart label. */}}
{{- define "dnsimple-cert-operator.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The labels every resource carries. */}}
{{- define "dnsimple-cert-operator.labels" -}}
helm.sh/chart: {{ include "dnsimple-cert-operator.chart" . }}
{{ include "dnsimple-cert-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: operator
app.kubernetes.io/part-of: dnsimple-cert-operator
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* The labels that select the operator's Pods (never change them: selectors are immutable). */}}
{{- define "dnsimple-cert-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "dnsimple-cert-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* The ServiceAccount the operator runs as. */}}
{{- define "dnsimple-cert-operator.serviceAccountName" -}}
{{- include "dnsimple-cert-operator.fullname" . }}
{{- end }}

{{/* The Secret with the default DNSimple credentials (keys token, accountId). */}}
{{- define "dnsimple-cert-operator.credentialsSecretName" -}}
{{- if and .Values.dnsimple.existingSecret .Values.dnsimple.token }}
{{- fail "dnsimple: set either token (the chart creates a Secret from it) or existingSecret, not both" }}
{{- end }}
{{- if and .Values.dnsimple.existingSecret .Values.dnsimple.accountId }}
{{- fail "dnsimple.accountId goes with dnsimple.token; with existingSecret, put accountId in that Secret" }}
{{- end }}
{{- default (printf "%s-credentials" (include "dnsimple-cert-operator.fullname" .)) .Values.dnsimple.existingSecret }}
{{- end }}

{{/* The Lease the replicas elect a leader with (in the release namespace). */}}
{{- define "dnsimple-cert-operator.leaseName" -}}
{{- include "dnsimple-cert-operator.fullname" . }}
{{- end }}

{{/* The operator image. */}}
{{- define "dnsimple-cert-operator.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/*
The namespaces the operator watches, comma-joined (its --watch-namespace): watchNamespaces plus
the deprecated watchNamespace, each once, in that order; empty: every namespace.
*/}}
{{- define "dnsimple-cert-operator.watchNamespaces" -}}
{{- $namespaces := concat (.Values.watchNamespaces | default list) (list .Values.watchNamespace) }}
{{- $namespaces | compact | uniq | join "," }}
{{- end }}

{{/*
The rules the operator needs in every namespace it watches (a Role there, or the ClusterRole),
and nothing more.
*/}}
{{- define "dnsimple-cert-operator.namespacedRules" -}}
# Its own resources: list and watch them (it never reads one alone: no get); write only their
# status (PUT on /status).
- apiGroups: ["dnsimple-cert-operator.dev"]
  resources: ["dnsimplecertificates"]
  verbs: ["list", "watch"]
- apiGroups: ["dnsimple-cert-operator.dev"]
  resources: ["dnsimplecertificates/status"]
  verbs: ["update"]
# DnsimpleIssuers: list and watch them (their token and policy); write only their Ready
# condition (PUT on /status).
- apiGroups: ["dnsimple-cert-operator.dev"]
  resources: ["dnsimpleissuers"]
  verbs: ["list", "watch"]
- apiGroups: ["dnsimple-cert-operator.dev"]
  resources: ["dnsimpleissuers/status"]
  verbs: ["update"]
# Secrets: get credentials Secrets named by resources and issuers; list and watch its own (it
# asks for its label only, but RBAC cannot filter by label); create and patch (server-side
# apply) the TLS Secrets. Never update (PUT) or delete.
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get", "list", "watch", "create", "patch"]
# Events for every transition (patch: a repeated Event's count).
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch"]
{{- include "dnsimple-cert-operator.sourceRules" . }}
{{- end }}

{{/*
The sources of generated DnsimpleCertificates (ingressShim.enabled, gatewayAPI.enabled), in the
same places as the namespaced rules: read the sources, write the resources they generate. Each
rule only while its switch is on; nothing at all with both off.
*/}}
{{- define "dnsimple-cert-operator.sourceRules" -}}
{{- if or .Values.ingressShim.enabled .Values.gatewayAPI.enabled }}
# The DnsimpleCertificates an annotated Ingress or Gateway asks for (one per Secret): create
# them, put back (PUT) one that differs from its source, delete one its source no longer asks
# for (by uid); only those its source controls (owner reference), never another's.
- apiGroups: ["dnsimple-cert-operator.dev"]
  resources: ["dnsimplecertificates"]
  verbs: ["create", "update", "delete"]
{{- end }}
{{- if .Values.ingressShim.enabled }}
# Ingresses: read only (their annotations and spec.tls); the operator never writes one.
- apiGroups: ["networking.k8s.io"]
  resources: ["ingresses"]
  verbs: ["get", "list", "watch"]
{{- end }}
{{- if .Values.gatewayAPI.enabled }}
# Gateways: read only (their annotations and TLS listeners); the operator never writes one.
- apiGroups: ["gateway.networking.k8s.io"]
  resources: ["gateways"]
  verbs: ["get", "list", "watch"]
{{- end }}
{{- end }}

{{/*
The rules on cluster-scoped objects: in a ClusterRole even when the operator watches a list of
namespaces only.
*/}}
{{- define "dnsimple-cert-operator.clusterRules" -}}
# ClusterDnsimpleIssuers: list and watch them; write only their Ready condition.
- apiGroups: ["dnsimple-cert-operator.dev"]
  resources: ["clusterdnsimpleissuers"]
  verbs: ["list", "watch"]
- apiGroups: ["dnsimple-cert-operator.dev"]
  resources: ["clusterdnsimpleissuers/status"]
  verbs: ["update"]
# Ownership claims: created once (get: the existing one when the create conflicts), listed and
# watched; never updated or deleted (an admin releases a certificate by deleting its claim).
- apiGroups: ["dnsimple-cert-operator.dev"]
  resources: ["dnsimplecertificateclaims"]
  verbs: ["create", "get", "list", "watch"]
# Namespaces: their labels, which the issuers' namespace selectors read.
- apiGroups: [""]
  resources: ["namespaces"]
  verbs: ["list", "watch"]
{{- end }}

{{/*
dnsimple.accountId as a string of digits. A number from a values file arrives as a float
(1.23456789012e+11 if printed as it is), so numbers go through int64.
*/}}
{{- define "dnsimple-cert-operator.accountId" -}}
{{- $id := .Values.dnsimple.accountId }}
{{- if kindIs "string" $id }}{{ $id }}{{ else if $id }}{{ int64 $id }}{{ end }}
{{- end }}
