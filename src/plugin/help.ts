// `--help` as kubectl writes it: a sentence, Examples, Options, Usage. One text per command and
// an overview; the exit codes are listed in each (scripts read them), as in docs/plugin.md.
import type { CommandName } from "./flags.ts";

const CONNECTION_OPTIONS = `    --kubeconfig='':
	Path to the kubeconfig file to use (default: $KUBECONFIG, else ~/.kube/config, else in-cluster).

    --context='':
	The name of the kubeconfig context to use.

    -n, --namespace='':
	The namespace (default: the context's namespace, else "default").

    -o, --output='':
	Output format: json. Without it, text for people.

    -h, --help=false:
	Help for the command.`;

const EXIT_CODES = `Exit codes:
  0  OK: Ready, renewal requested, Secret verifies, check passed
  1  not OK: not Ready, Secret fails verification, check found problems
  2  usage error
  3  not found
  4  cannot ask the cluster (kubeconfig, connection, permission, API error)`;

const OVERVIEW = `Inspect and operate dnsimple-cert-operator's certificates, like cmctl for cert-manager.

 Commands:
  status NAME           Show a DnsimpleCertificate: Ready, Events, DNSimple's side, the Secret, the next renewal
  renew NAME            Ask the operator to renew now (also -l SELECTOR, --all, -A)
  inspect secret NAME   Decode a TLS Secret: chain order and links, SANs, validity, key match, owner
  check                 Check the installation: CRDs, operator Pods, leader, versions, issuers
  version               Print the plugin's version

Examples:
  kubectl dnscert status www-example-com -n web
  kubectl dnscert renew --all -n web
  kubectl dnscert check -o json

${EXIT_CODES}

Usage:
  kubectl dnscert COMMAND [options]

Use "kubectl dnscert COMMAND --help" for more information about a command.
`;

const COMMANDS: Readonly<Record<CommandName, string>> = {
  status: `Show the status of a DnsimpleCertificate: its conditions with reasons and ages, recent Events,
the DNSimple side (certificate and renewal ids, state, auto-renew, expiry, as the operator recorded
them: the plugin never calls DNSimple), the Secret (serial, SANs, validity, key match, chain), the
next renewal and why then, its issuer's Ready condition, and the Ingress or Gateway it was generated
from with that source's BadConfig warnings.

Examples:
  # The resource www in namespace web
  kubectl dnscert status www -n web

  # As JSON, for scripts (exit 0 only when Ready=True)
  kubectl dnscert status www -n web -o json

Options:
${CONNECTION_OPTIONS}

${EXIT_CODES}

Usage:
  kubectl dnscert status NAME [options]
`,
  renew: `Ask the operator to renew certificates now: sets the dnsimple-cert-operator.dev/renew-at
annotation to the current time (RFC 3339). The operator orders one renewal per annotation value.

Examples:
  # Renew one resource
  kubectl dnscert renew www -n web

  # Renew those with a label, in every namespace
  kubectl dnscert renew -l team=shop -A

  # Renew every resource in the namespace
  kubectl dnscert renew --all -n web

Options:
    -l, --selector='':
	Label selector: renew the resources it matches (e.g. -l app=web,tier!=test).

    --all=false:
	Renew every resource in the namespace (every namespace with -A).

    -A, --all-namespaces=false:
	With -l or --all: look in all namespaces.

${CONNECTION_OPTIONS}

${EXIT_CODES}

Usage:
  kubectl dnscert renew (NAME | -l SELECTOR | --all) [options]
`,
  inspect: `Decode a TLS Secret, the operator's or any other: each certificate of tls.crt and ca.crt with
its subject, issuer and the certificate in the Secret that signed it (chain order and links), SANs,
validity, whether tls.key is the server certificate's key, the operator's verdict on the bundle,
the DnsimpleCertificate that owns it, and any other keys (keystores, tls-combined.pem, key.der)
with their sizes. Keys and passwords are never printed.

Examples:
  kubectl dnscert inspect secret www-tls -n web
  kubectl dnscert inspect secret www-tls -n web -o json

Options:
${CONNECTION_OPTIONS}

${EXIT_CODES}

Usage:
  kubectl dnscert inspect secret NAME [options]
`,
  check: `Check the installation: the CRDs Established and serving the version this plugin reads, the
operator's Pods (chart labels app.kubernetes.io/part-of=dnsimple-cert-operator,
app.kubernetes.io/component=operator) Ready, which one holds the leader-election Lease, versions
(plugin, Pods' version label and image tag, CRD storage version), and the issuers' Ready conditions
(DnsimpleIssuers in the namespace, or all with -A; every ClusterDnsimpleIssuer). Exits 1 when
something is wrong; version differences are warnings only.

Examples:
  kubectl dnscert check
  kubectl dnscert check --operator-namespace dnsimple-cert-operator -A -o json

Options:
    --operator-namespace='':
	Look for the operator's Pods only in this namespace (default: all namespaces).

    -A, --all-namespaces=false:
	Check the DnsimpleIssuers of all namespaces.

${CONNECTION_OPTIONS}

${EXIT_CODES}

Usage:
  kubectl dnscert check [options]
`,
  version: `Print the plugin's version.

Usage:
  kubectl dnscert version [options]
`,
};

export function helpText(topic: CommandName | undefined): string {
  return topic === undefined ? OVERVIEW : COMMANDS[topic];
}

/** What a usage error prints after its message. */
export function usageHint(topic: CommandName | undefined): string {
  const command = topic === undefined ? "" : ` ${topic}`;
  return `See 'kubectl dnscert${command} --help' for usage.`;
}
