// The few ASN.1 structures of a PKCS#12 file that @peculiar/asn1-pfx and asn1-cms do not
// define: CMS EncryptedData (RFC 5652) and the parameters of the two password-based ciphers,
// PBES2 with PBKDF2 (RFC 8018) and PKCS#12's own PBE (RFC 7292, appendix C).
//
// They are declared the way the compiled @peculiar packages declare theirs, with asn1-schema's
// AsnProp/AsnType, but applied as plain calls: Node's type stripping runs these files as
// they are, and it has no decorator syntax.

import { EncryptedContentInfo } from "@peculiar/asn1-cms";
import { AsnProp, AsnPropTypes, AsnType, AsnTypeTypes, OctetString } from "@peculiar/asn1-schema";
import { AlgorithmIdentifier } from "@peculiar/asn1-x509";

type PropOptions = Parameters<typeof AsnProp>[0];

function sequence<T extends object>(
  type: new () => T,
  fields: { [K in keyof T & string]?: PropOptions },
): void {
  AsnType({ type: AsnTypeTypes.Sequence })(type);
  for (const [name, options] of Object.entries(fields)) {
    if (options) AsnProp(options as PropOptions)(type.prototype, name);
  }
}

/** EncryptedData ::= SEQUENCE { version CMSVersion, encryptedContentInfo, unprotectedAttrs [1] OPTIONAL } */
export class EncryptedData {
  version = 0;
  encryptedContentInfo = new EncryptedContentInfo();
}
sequence(EncryptedData, {
  version: { type: AsnPropTypes.Integer },
  encryptedContentInfo: { type: EncryptedContentInfo },
});

/** PBES2-params ::= SEQUENCE { keyDerivationFunc AlgorithmIdentifier, encryptionScheme AlgorithmIdentifier } */
export class Pbes2Params {
  keyDerivationFunc = new AlgorithmIdentifier();
  encryptionScheme = new AlgorithmIdentifier();
}
sequence(Pbes2Params, {
  keyDerivationFunc: { type: AlgorithmIdentifier },
  encryptionScheme: { type: AlgorithmIdentifier },
});

/**
 * PBKDF2-params ::= SEQUENCE { salt OCTET STRING (the "specified" choice), iterationCount,
 * keyLength OPTIONAL, prf AlgorithmIdentifier DEFAULT hmacWithSHA1 }
 */
export class Pbkdf2Params {
  salt = new OctetString();
  iterationCount = 0;
  keyLength?: number;
  prf?: AlgorithmIdentifier;
}
sequence(Pbkdf2Params, {
  salt: { type: OctetString },
  iterationCount: { type: AsnPropTypes.Integer },
  keyLength: { type: AsnPropTypes.Integer, optional: true },
  prf: { type: AlgorithmIdentifier, optional: true },
});

/** pkcs-12PbeParams ::= SEQUENCE { salt OCTET STRING, iterations INTEGER } */
export class Pkcs12PbeParams {
  salt = new OctetString();
  iterations = 0;
}
sequence(Pkcs12PbeParams, {
  salt: { type: OctetString },
  iterations: { type: AsnPropTypes.Integer },
});
