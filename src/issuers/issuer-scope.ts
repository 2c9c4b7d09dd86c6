// Which issuers an operator confined to namespaces (--watch-namespace) checks and writes the
// Ready condition of: its own namespaces' DnsimpleIssuers (the only ones it sees), and the
// ClusterDnsimpleIssuers that serve one of them, or that serve none yet (so the platform sees
// whether the token works). Another operator's cluster issuers are not its to check: with its
// own DNSimple API and token it would write their Ready and plan from its own view, and the
// two operators would flip them back and forth.
import type { V1LabelSelector } from "@kubernetes/client-node";
import { CLUSTER_ISSUER_KIND, type DnsimpleIssuer } from "../api/issuers.ts";
import { selectorMatches } from "./label-selector.ts";

export function checkedBy(
  issuer: DnsimpleIssuer,
  namespaces: readonly string[],
  labelsOf: (namespace: string) => Readonly<Record<string, string>>,
): boolean {
  const selector: V1LabelSelector | undefined = issuer.spec.policy.namespaceSelector;
  if (issuer.kind !== CLUSTER_ISSUER_KIND || selector === undefined) return true;
  return namespaces.some((ns) => selectorMatches(selector, labelsOf(ns)));
}
