// What a source asks for: a Secret and the hosts it must serve, one entry per Secret. An
// Ingress's spec.tls entries, merged by secretName (two entries naming one Secret share one
// certificate, as ingress-shim does); a Gateway's HTTPS and TLS listeners that terminate TLS,
// grouped by the Secret their certificateRefs name, each listener's hostname a host. What cannot
// become an entry is a problem to report (a BadConfig Event), not a silent skip.
import type { V1Ingress } from "@kubernetes/client-node";
import type { Gateway, GatewayListener, SecretObjectReference } from "../api/gateway.ts";
import { normaliseHosts } from "./host-names.ts";

export interface TlsEntry {
  secretName: string;
  /** Normalised, without duplicates, in the order the source gives them. */
  hosts: string[];
}

export interface SourceEntries {
  entries: TlsEntry[];
  /** Parts of the source that give no entry, and why. */
  problems: string[];
  /** Secrets named by a part with a problem and by no entry: their resources stay as they are. */
  held?: string[];
}

/** An Ingress's tls entries by Secret. */
export function ingressEntries(ingress: V1Ingress): SourceEntries {
  const problems: string[] = [];
  const hostsBySecret = new Map<string, string[]>();
  for (const [index, tls] of (ingress.spec?.tls ?? []).entries()) {
    const secretName = tls.secretName?.trim();
    if (!secretName) {
      problems.push(`spec.tls[${index}] names no secretName: no certificate is made for it`);
      continue;
    }
    const hosts = hostsBySecret.get(secretName) ?? [];
    hosts.push(...(tls.hosts ?? []));
    hostsBySecret.set(secretName, hosts);
  }
  return entriesOf(hostsBySecret, problems, (secret) => `spec.tls for Secret ${secret}`);
}

/** A Gateway's terminating HTTPS/TLS listeners, by the Secret in its own namespace they name. */
export function gatewayEntries(gateway: Gateway): SourceEntries {
  const problems: string[] = [];
  const hostsBySecret = new Map<string, string[]>();
  const withoutHostname = new Set<string>();
  for (const listener of gateway.spec?.listeners ?? []) {
    if (!terminatesTls(listener)) continue;
    const secrets = secretsOf(listener, gateway.metadata.namespace, problems);
    const hostname = hostnameOf(listener, secrets, problems);
    for (const secret of secrets) {
      if (!hostname) withoutHostname.add(secret);
      else hostsBySecret.set(secret, [...(hostsBySecret.get(secret) ?? []), hostname]);
    }
  }
  const found = entriesOf(hostsBySecret, problems, (secret) => `the listeners of Secret ${secret}`);
  const named = new Set(found.entries.map((e) => e.secretName));
  const held = [...(found.held ?? []), ...[...withoutHostname].filter((s) => !named.has(s))];
  return { entries: found.entries, problems: found.problems, ...(held.length > 0 ? { held } : {}) };
}

/** A listener's hostname; without one (and with a Secret to fill), a problem. */
function hostnameOf(
  listener: GatewayListener,
  secrets: readonly string[],
  problems: string[],
): string | undefined {
  const hostname = listener.hostname?.trim();
  if (secrets.length > 0 && !hostname) {
    problems.push(
      `listener ${listener.name} has no hostname: a certificate needs one, so none is made for it`,
    );
  }
  return hostname || undefined;
}

function terminatesTls(listener: GatewayListener): boolean {
  const protocol = listener.protocol.toUpperCase();
  if (protocol !== "HTTPS" && protocol !== "TLS") return false;
  return (listener.tls?.mode ?? "Terminate") === "Terminate";
}

/** The core Secrets a listener names in the Gateway's namespace; others are problems. */
function secretsOf(listener: GatewayListener, namespace: string, problems: string[]): string[] {
  const names: string[] = [];
  for (const ref of listener.tls?.certificateRefs ?? []) {
    if (!isCoreSecret(ref)) continue;
    if (ref.namespace && ref.namespace !== namespace) {
      problems.push(
        `listener ${listener.name} names Secret ${ref.namespace}/${ref.name}: the operator writes certificates only into the Gateway's own namespace`,
      );
      continue;
    }
    names.push(ref.name);
  }
  return names;
}

function isCoreSecret(ref: SecretObjectReference): boolean {
  return (ref.group ?? "") === "" && (ref.kind ?? "Secret") === "Secret";
}

function entriesOf(
  hostsBySecret: ReadonlyMap<string, string[]>,
  problems: string[],
  where: (secret: string) => string,
): SourceEntries {
  const entries: TlsEntry[] = [];
  const held: string[] = [];
  for (const [secretName, hosts] of hostsBySecret) {
    const normalised = normaliseHosts(hosts);
    if (normalised.length === 0) {
      problems.push(`${where(secretName)} names no hosts: a certificate needs at least one`);
      held.push(secretName);
      continue;
    }
    entries.push({ secretName, hosts: normalised });
  }
  return { entries, problems, ...(held.length > 0 ? { held } : {}) };
}
