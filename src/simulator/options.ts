// Everything a simulator is started with, its defaults, and their validation. The CLI
// flags map onto these one to one (see cli-options.ts).
import { isValidHostname } from "./certificate-names.ts";
import { InvalidInputError } from "./errors.ts";
import type { FaultRates } from "./faults.ts";
import type { DomainRegistration } from "./model.ts";
import { withoutUndefined } from "./objects.ts";
import { type SimulatorSettings, validateSettings } from "./settings.ts";

export interface SimulatorOptions extends SimulatorSettings, FaultRates {
  /** 0 picks a free port. */
  port: number;
  /**
   * The address to listen on: 127.0.0.1 by default; 0.0.0.0 to serve other machines or pods
   * (in a container, for the end-to-end test). It has no authentication beyond the token.
   */
  host: string;
  token: string;
  accountId: number;
  /** DNSimple's rate-limit window is an hour; shorter ones let tests and benchmarks reach it. */
  rateLimitWindowMs: number;
  domains: string[];
  /**
   * Which of `domains` are registered through DNSimple (registrant, expiry); the others
   * are only hosted. In process only: the CLI's domains are all hosted.
   */
  registrations: DomainRegistration[];
  /** Keep the CA here (created on first use, reused after); null for a fresh CA per start. */
  caDir: string | null;
  /** Dice for the random faults, in [0, 1); replace it for deterministic tests. */
  random: () => number;
  /** One line per event worth telling a person (calls, purchases, issuances, webhooks). */
  log: (line: string) => void;
}

export const DEFAULT_OPTIONS: SimulatorOptions = {
  port: 0,
  host: "127.0.0.1",
  token: "simulator-token",
  accountId: 1010,
  rateLimitWindowMs: 3_600_000,
  domains: ["example.com"],
  registrations: [],
  plan: "professional",
  issueDelayMs: 2_000,
  validityMs: 90 * 86_400_000,
  rateLimit: 2_400,
  includeRoot: false,
  privateKeyFormat: "traditional",
  webhookUrl: null,
  errorRate: 0,
  latencyMs: 0,
  dropRate: 0,
  caDir: null,
  random: Math.random,
  log: () => {},
};

export function resolveOptions(overrides: Partial<SimulatorOptions>): SimulatorOptions {
  const options: SimulatorOptions = { ...DEFAULT_OPTIONS, ...withoutUndefined(overrides) };
  if (!(Number.isInteger(options.port) && options.port >= 0 && options.port <= 65_535)) {
    throw new InvalidInputError(`port must be an integer from 0 to 65535, got ${options.port}`);
  }
  if (options.token.length === 0 || /\s/.test(options.token)) {
    throw new InvalidInputError("token must be a non-empty string without spaces");
  }
  if (!(Number.isSafeInteger(options.accountId) && options.accountId > 0)) {
    throw new InvalidInputError(`account must be a positive integer, got ${options.accountId}`);
  }
  const domains = options.domains.map((domain) => domain.trim().toLowerCase());
  if (domains.length === 0) throw new InvalidInputError("at least one domain is needed");
  for (const domain of domains) {
    if (!isValidHostname(domain, { allowWildcard: false }) || !domain.includes(".")) {
      throw new InvalidInputError(`"${domain}" is not a domain name`);
    }
  }
  if (new Set(domains).size !== domains.length) {
    throw new InvalidInputError("domains must not repeat");
  }
  const registrations = options.registrations.map((registration) =>
    validRegistration(registration, domains),
  );
  if (
    new Set(registrations.map((registration) => registration.domain)).size !== registrations.length
  ) {
    throw new InvalidInputError("a domain is registered once");
  }
  validateSettings(options);
  return { ...options, domains, registrations };
}

function validRegistration(
  registration: DomainRegistration,
  domains: readonly string[],
): DomainRegistration {
  const domain = registration.domain.trim().toLowerCase();
  if (!domains.includes(domain)) {
    throw new InvalidInputError(`registered domain "${domain}" is not one of the domains`);
  }
  if (!(Number.isSafeInteger(registration.registrantId) && registration.registrantId > 0)) {
    throw new InvalidInputError(`the registrant of ${domain} must be a positive integer`);
  }
  if (Number.isNaN(registration.expiresAt.getTime())) {
    throw new InvalidInputError(`the expiry of ${domain} is not a valid date`);
  }
  return { ...registration, domain };
}
