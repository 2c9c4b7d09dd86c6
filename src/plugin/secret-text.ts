// The human form of a SecretReport: the full one for `inspect secret`, and the summary lines
// `status` shows under its Secret heading. Pure.
import { ageOf, byteSize, fields, relativeTime } from "./output.ts";
import type { CertificateEntry, SecretReport } from "./secret-report.ts";

/** `inspect secret`'s output. */
export function secretText(report: SecretReport, now: Date): string[] {
  return [
    ...fields([
      ["Secret", `${report.namespace}/${report.name}`],
      ["Type", report.type],
      ["Owner", ownerLine(report)],
      ["Check", verdictLine(report)],
      ["Key", keyLine(report)],
    ]),
    ...unreadableLines(report),
    `Chain (tls.crt, server certificate first; ${report.chainInOrder ? "in order" : "NOT in order"}):`,
    ...report.certificates.flatMap((entry) => certificateLines(entry, now)),
    ...(report.caCertificates.length === 0
      ? ["ca.crt: absent"]
      : ["ca.crt:", ...report.caCertificates.flatMap((entry) => certificateLines(entry, now))]),
    ...otherKeyLines(report),
  ];
}

/** The Secret lines of `status` (indented under its heading). */
export function secretSummary(report: SecretReport, now: Date): string[] {
  const leaf = report.certificates[0];
  const pairs: [string, string][] = leaf
    ? [
        ["Serial", leaf.serialNumber],
        ["SANs", names(leaf)],
        ["Valid", validity(leaf, now)],
      ]
    : [["Certificate", "none readable in tls.crt"]];
  pairs.push(["Key", keyLine(report)], ["Check", verdictLine(report)]);
  const chain = chainLines(report);
  pairs.push(["Chain", chain[0] ?? "none"]);
  const summary = fields(pairs, "  ");
  const continuation = " ".repeat((summary.at(-1) ?? "").indexOf(chain[0] ?? "none"));
  return [...summary, ...chain.slice(1).map((line) => `${continuation}${line}`)];
}

function ownerLine({ owner }: SecretReport): string {
  if (owner.name === null) {
    return owner.ownerReferences.length === 0
      ? "none (no DnsimpleCertificate names this Secret)"
      : `no DnsimpleCertificate; owner references: ${owner.ownerReferences.map((r) => `${r.kind}/${r.name}`).join(", ")}`;
  }
  const confirmed =
    owner.confirmed === null
      ? ""
      : owner.confirmed
        ? ", which names this Secret"
        : ", but that resource does not exist or names another Secret";
  return `DnsimpleCertificate ${owner.name} (by ${owner.namedBy.join(" and ")}${confirmed})`;
}

function verdictLine({ verdict }: SecretReport): string {
  return verdict.valid
    ? "passes the operator's checks (key, chain order and links, validity)"
    : `FAILS: ${verdict.problem}: ${verdict.message}`;
}

function keyLine({ key }: SecretReport): string {
  if (!key.present) return "tls.key is empty or absent";
  if (key.algorithm === null) return "tls.key cannot be read";
  if (key.matchesCertificate === null) return `${key.algorithm} (no certificate to compare with)`;
  return key.matchesCertificate
    ? `${key.algorithm}, matches the server certificate`
    : `${key.algorithm}, does NOT match the server certificate`;
}

function unreadableLines(report: SecretReport): string[] {
  return report.unreadable.map(({ key, message }) => `Unreadable ${key}: ${message}`);
}

function certificateLines(entry: CertificateEntry, now: Date): string[] {
  const role =
    entry.position === "tls.crt 1" ? "server certificate" : entry.isCa ? "CA" : "not a CA";
  return [
    `  ${entry.position}: ${entry.subject} (${role})`,
    ...fields(
      [
        ["Issuer", entry.issuer],
        ["Signed by", signerText(entry)],
        ["Serial", entry.serialNumber],
        ["Valid", validity(entry, now)],
        ...(entry.dnsNames.length > 0 ? [["SANs", names(entry)] as [string, string]] : []),
        ["Key", entry.keyAlgorithm],
        ["SHA-256", entry.fingerprintSha256],
      ],
      "      ",
    ),
  ];
}

function signerText(entry: CertificateEntry): string {
  if (entry.signedBy === "self") return "itself (a root)";
  // The top of a chain without ca.crt: clients must already trust its issuer.
  return entry.signedBy ?? `${entry.issuer}, not in this Secret`;
}

// One line per certificate, each with the one that signed it: the order and the links at once.
function chainLines(report: SecretReport): string[] {
  const lines = [...report.certificates, ...report.caCertificates].map((entry) => {
    const name = entry.commonName === null ? entry.subject : `CN=${entry.commonName}`;
    return `${entry.position} ${name}, signed by ${signerText(entry)}`;
  });
  if (!report.chainInOrder)
    lines.push("(tls.crt is NOT in order: each certificate must be followed by its signer)");
  return lines;
}

function otherKeyLines(report: SecretReport): string[] {
  if (report.otherKeys.length === 0) return [];
  return [
    "Other keys (not decoded):",
    ...report.otherKeys.map(
      ({ key, bytes, description }) =>
        `  ${key}: ${byteSize(bytes)}${description === null ? "" : ` (${description})`}`,
    ),
  ];
}

function names(entry: CertificateEntry): string {
  return entry.dnsNames.length === 0 ? "none" : entry.dnsNames.join(", ");
}

function validity(entry: CertificateEntry, now: Date): string {
  const expired = Date.parse(entry.notAfter) < now.getTime();
  const notYet = Date.parse(entry.notBefore) > now.getTime();
  const when = expired
    ? `EXPIRED ${ageOf(entry.notAfter, now)} ago`
    : notYet
      ? `not valid until ${relativeTime(entry.notBefore, now)}`
      : `expires ${relativeTime(entry.notAfter, now)}`;
  return `${entry.notBefore} to ${entry.notAfter} (${when})`;
}
