//go:build tools

// Package tools pins sigs.k8s.io/gateway-api so that `go mod tidy` keeps the requirement: the
// tests use only the CRD YAML of its config/crd/standard, never its Go code. pkg/consts is
// imported because it imports nothing, which keeps go.sum to a few lines.
package tools

import _ "sigs.k8s.io/gateway-api/pkg/consts"
