// The simulator's behaviour that can change while it runs (flags at start, the admin API
// later). Every change goes through validateSettings, so a bad value never gets in.
import { InvalidInputError } from "./errors.ts";
import { PLANS, type Plan, PRIVATE_KEY_FORMATS, type PrivateKeyFormat } from "./model.ts";
import { withoutUndefined } from "./objects.ts";

export interface SimulatorSettings {
  plan: Plan;
  /** Time from the issue request until the certificate ends `issued` (or failed/cancelled). */
  issueDelayMs: number;
  /** Lifetime of issued certificates, from issuance to notAfter. */
  validityMs: number;
  /** Requests per token per hour. */
  rateLimit: number;
  /** Download answers with the root in `root` instead of null. */
  includeRoot: boolean;
  privateKeyFormat: PrivateKeyFormat;
  /** Where webhook events are POSTed; null disables them. */
  webhookUrl: string | null;
}

/** X.509 times have one-second precision, so shorter lifetimes cannot be represented. */
export const MIN_VALIDITY_MS = 1_000;

export function validateSettings(settings: SimulatorSettings): SimulatorSettings {
  if (!PLANS.includes(settings.plan)) {
    throw new InvalidInputError(`plan must be one of ${PLANS.join(", ")}`);
  }
  if (!(Number.isFinite(settings.issueDelayMs) && settings.issueDelayMs >= 0)) {
    throw new InvalidInputError("issueDelayMs must be a non-negative number of milliseconds");
  }
  if (!(Number.isFinite(settings.validityMs) && settings.validityMs >= MIN_VALIDITY_MS)) {
    throw new InvalidInputError(`validityMs must be at least ${MIN_VALIDITY_MS} (one second)`);
  }
  if (!(Number.isInteger(settings.rateLimit) && settings.rateLimit >= 0)) {
    throw new InvalidInputError("rateLimit must be a non-negative integer");
  }
  if (typeof settings.includeRoot !== "boolean") {
    throw new InvalidInputError("includeRoot must be true or false");
  }
  if (!PRIVATE_KEY_FORMATS.includes(settings.privateKeyFormat)) {
    throw new InvalidInputError(
      `privateKeyFormat must be one of ${PRIVATE_KEY_FORMATS.join(", ")}`,
    );
  }
  if (settings.webhookUrl !== null && !isHttpUrl(settings.webhookUrl)) {
    throw new InvalidInputError("webhookUrl must be an http(s) URL or null");
  }
  return settings;
}

export function applySettingsPatch(
  current: SimulatorSettings,
  patch: Partial<SimulatorSettings>,
): SimulatorSettings {
  return validateSettings({ ...current, ...withoutUndefined(patch) });
}

function isHttpUrl(text: unknown): boolean {
  if (typeof text !== "string") return false;
  try {
    const url = new URL(text);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}
