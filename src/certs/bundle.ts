// From DNSimple's download and private key answers to the data of a kubernetes.io/tls Secret:
//   tls.crt  the server certificate followed by the intermediates, each block newline-ended
//   tls.key  the private key, in the form it came in (PKCS#1, SEC1 or PKCS#8)
//   ca.crt   the root, when the API gives one
// Assembling checks the PEM (and that each certificate parses); verifyBundle checks the rest
// before anything is written. assembleParsedBundle hands the pieces it has read on, so that
// verifyParsed checks the assembled data without reading it again.
import { type ParsedCertificate, parseCertificates, placeCertificates } from "./certificates.ts";
import { InvalidCertificateDataError } from "./errors.ts";
import { isPresent, type ParsedBundle, readPart } from "./parsed-bundle.ts";
import { joinPem } from "./pem.ts";
import { keyOfBlock, privateKeyBlock } from "./private-key.ts";

/** The `data` of DNSimple's download answer. */
export interface CertificateDownload {
  server: string;
  chain: readonly string[];
  root?: string | null;
}

/** The Secret's data, as text. */
export interface TlsSecretData {
  tlsCrt: string;
  tlsKey: string;
  caCrt?: string;
}

/** Assembled Secret data, and the same data read as parseBundle(data) would read it. */
export interface AssembledBundle {
  data: TlsSecretData;
  parsed: ParsedBundle;
}

/** The Secret data of a download and its private key; throws InvalidCertificateDataError. */
export function assembleBundle(download: CertificateDownload, privateKey: string): TlsSecretData {
  return assembleParsedBundle(download, privateKey).data;
}

/**
 * assembleBundle, and the assembled data read from the pieces already read, for
 * verifyParsed: the download is read once. Throws what assembleBundle throws; what only
 * verification finds (a key block whose content is not a key of its form) is kept in
 * `parsed`, as parseBundle keeps it.
 */
export function assembleParsedBundle(
  download: CertificateDownload,
  privateKey: string,
): AssembledBundle {
  const server = serverCertificateOf(download.server);
  const chain = download.chain.flatMap((entry, index) => chainEntryOf(entry, index));
  const root = rootsOf(download.root);
  const key = privateKeyBlock(privateKey, "private_key");

  const certificates = [...server, ...chain];
  const tlsCrt = joinPem(certificates.map(({ block }) => block));
  const caCrt = joinPem(root.map(({ block }) => block));
  const data =
    caCrt === "" ? { tlsCrt, tlsKey: key.block.text } : { tlsCrt, tlsKey: key.block.text, caCrt };
  const parsed: ParsedBundle = {
    present: isPresent(tlsCrt, key.block.text),
    certificates: { ok: true, value: placeCertificates(certificates, "tls.crt") },
    // tls.key is the key's block alone, so the block begins on its first line.
    key: readPart(() => keyOfBlock({ ...key.block, line: 1 }, key.form, "tls.key")),
    roots: { ok: true, value: placeCertificates(root, "ca.crt") },
  };
  return { data, parsed };
}

function serverCertificateOf(text: string): ParsedCertificate[] {
  const server = parseCertificates(text, "server");
  if (server.length !== 1) {
    throw new InvalidCertificateDataError(
      server.length === 0 ? "MissingServerCertificate" : "UnparsableCertificate",
      `server must hold exactly one certificate; it holds ${server.length}`,
    );
  }
  return server;
}

function chainEntryOf(entry: string, index: number): ParsedCertificate[] {
  const certificates = parseCertificates(entry, `chain entry ${index + 1}`);
  if (certificates.length === 0) {
    throw new InvalidCertificateDataError(
      "UnparsableCertificate",
      `chain entry ${index + 1} holds no certificate`,
    );
  }
  return certificates;
}

function rootsOf(root: string | null | undefined): ParsedCertificate[] {
  return root === null || root === undefined || root.trim() === ""
    ? []
    : parseCertificates(root, "root");
}
