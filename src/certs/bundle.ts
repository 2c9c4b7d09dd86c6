// From DNSimple's download and private key answers to the data of a kubernetes.io/tls Secret:
//   tls.crt  the server certificate followed by the intermediates, each block newline-ended
//   tls.key  the private key, in the form it came in (PKCS#1, SEC1 or PKCS#8)
//   ca.crt   the root, when the API gives one
// Assembling checks the PEM (and that each certificate parses); verifyBundle checks the rest
// before anything is written.
import { parseCertificates } from "./certificates.ts";
import { InvalidCertificateDataError } from "./errors.ts";
import { joinPem } from "./pem.ts";
import { normalisePrivateKey } from "./private-key.ts";

// The `data` of DNSimple's download answer.
export interface CertificateDownload {
  server: string;
  chain: readonly string[];
  root?: string | null;
}

// The Secret's data, as text.
export interface TlsSecretData {
  tlsCrt: string;
  tlsKey: string;
  caCrt?: string;
}

export function assembleBundle(download: CertificateDownload, privateKey: string): TlsSecretData {
  const server = parseCertificates(download.server, "server");
  if (server.length !== 1) {
    throw new InvalidCertificateDataError(
      server.length === 0 ? "MissingServerCertificate" : "UnparsableCertificate",
      `server must hold exactly one certificate; it holds ${server.length}`,
    );
  }
  const chain = download.chain.map((entry, index) => {
    const certificates = parseCertificates(entry, `chain entry ${index + 1}`);
    if (certificates.length === 0) {
      throw new InvalidCertificateDataError(
        "UnparsableCertificate",
        `chain entry ${index + 1} holds no certificate`,
      );
    }
    return certificates;
  });
  const root =
    download.root === null || download.root === undefined || download.root.trim() === ""
      ? []
      : parseCertificates(download.root, "root");
  const key = normalisePrivateKey(privateKey, "private_key");

  const tlsCrt = joinPem([...server, ...chain.flat()].map(({ block }) => block));
  const caCrt = joinPem(root.map(({ block }) => block));
  return caCrt === "" ? { tlsCrt, tlsKey: key.pem } : { tlsCrt, tlsKey: key.pem, caCrt };
}
