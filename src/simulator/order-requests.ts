// Reading the JSON bodies of the Let's Encrypt order and renewal endpoints. Absent or null
// fields take DNSimple's defaults; anything else that is wrong is a 400 naming each field.
import { isValidCertificateName, isValidHostname, isWithinDomain } from "./certificate-names.ts";
import { badRequest, type ErrorDetails } from "./errors.ts";
import { SIGNATURE_ALGORITHMS, type SignatureAlgorithm } from "./model.ts";

export interface OrderRequest {
  name: string;
  alternateNames: string[];
  autoRenew: boolean;
  signatureAlgorithm: SignatureAlgorithm;
}

export interface RenewalRequest {
  autoRenew: boolean;
  signatureAlgorithm: SignatureAlgorithm;
}

export function parseOrderRequest(body: unknown, domain: string): OrderRequest {
  const fields = asFields(body);
  const errors: ErrorDetails = {};
  const request = {
    name: readName(fields.name, errors),
    alternateNames: readAlternateNames(fields.alternate_names, domain, errors),
    autoRenew: readAutoRenew(fields.auto_renew, errors),
    signatureAlgorithm: readSignatureAlgorithm(fields.signature_algorithm, errors),
  };
  throwIfAny(errors);
  return request;
}

export function parseRenewalRequest(body: unknown): RenewalRequest {
  const fields = asFields(body);
  const errors: ErrorDetails = {};
  const request = {
    autoRenew: readAutoRenew(fields.auto_renew, errors),
    signatureAlgorithm: readSignatureAlgorithm(fields.signature_algorithm, errors),
  };
  throwIfAny(errors);
  return request;
}

function asFields(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null) return {};
  if (typeof body !== "object" || Array.isArray(body)) {
    throw badRequest("The request body must be a JSON object");
  }
  return body as Record<string, unknown>;
}

function throwIfAny(errors: ErrorDetails): void {
  if (Object.keys(errors).length > 0) throw badRequest("Validation failed", errors);
}

function readName(value: unknown, errors: ErrorDetails): string {
  if (value === undefined || value === null) return "www";
  if (typeof value !== "string") {
    errors.name = ["must be a string"];
    return "";
  }
  const name = value.toLowerCase();
  if (!isValidCertificateName(name)) errors.name = [`\`${value}\` is not a valid certificate name`];
  return name;
}

function readAlternateNames(value: unknown, domain: string, errors: ErrorDetails): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === "string")) {
    errors.alternate_names = ["must be an array of strings"];
    return [];
  }
  const names = [...new Set(value.map((item: string) => item.toLowerCase()))];
  const problems: string[] = [];
  for (const name of names) {
    if (!isValidHostname(name, { allowWildcard: true })) {
      problems.push(`\`${name}\` is not a valid hostname`);
    } else if (!isWithinDomain(name, domain)) {
      problems.push(`\`${name}\` does not belong to the domain \`${domain}\``);
    }
  }
  if (problems.length > 0) errors.alternate_names = problems;
  return names;
}

function readAutoRenew(value: unknown, errors: ErrorDetails): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value !== "boolean") {
    errors.auto_renew = ["must be true or false"];
    return false;
  }
  return value;
}

function readSignatureAlgorithm(value: unknown, errors: ErrorDetails): SignatureAlgorithm {
  if (value === undefined || value === null) return "ECDSA";
  const algorithm = SIGNATURE_ALGORITHMS.find((known) => known === value);
  if (algorithm === undefined) {
    errors.signature_algorithm = ["must be ECDSA or RSA"];
    return "ECDSA";
  }
  return algorithm;
}
