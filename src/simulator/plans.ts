// What each DNSimple plan may order. Custom names, wildcards and alternate names need a
// Professional or Enterprise plan; on a Personal plan DNSimple answers 412.
import { DEFAULT_NAME, WILDCARD_NAME } from "./certificate-names.ts";
import type { Plan } from "./model.ts";

export function planIdentifier(plan: Plan): string {
  return `dnsimple-${plan}`;
}

export interface CertificateFeatures {
  name: string;
  alternateNames: readonly string[];
}

/** The reason the plan cannot have this certificate, or undefined when it can. */
export function planRefusal(plan: Plan, certificate: CertificateFeatures): string | undefined {
  if (plan !== "personal") return undefined;
  if (certificate.name === WILDCARD_NAME) {
    return "Let's Encrypt wildcard certificates require a Professional or Enterprise plan";
  }
  if (certificate.name !== DEFAULT_NAME) {
    return "Let's Encrypt certificates with a custom name require a Professional or Enterprise plan";
  }
  if (certificate.alternateNames.length > 0) {
    return "Let's Encrypt certificates with alternate names require a Professional or Enterprise plan";
  }
  return undefined;
}
