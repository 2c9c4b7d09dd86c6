// JSON logs through pino. Secret-bearing fields are censored by path, and every message and
// error text is scrubbed of private keys and bearer tokens, so a careless log call cannot leak
// what the operator holds.
import { type Logger, type LoggerOptions, pino } from "pino";
import { REDACTED, scrubSecrets } from "./redact.ts";

export type { Logger };

const REDACT_PATHS = [
  "token",
  "*.token",
  "apiToken",
  "*.apiToken",
  "authorization",
  "*.authorization",
  "headers.authorization",
  "*.headers.authorization",
  "privateKey",
  "*.privateKey",
  "private_key",
  "*.private_key",
  'data["tls.key"]',
  '*.data["tls.key"]',
  '["tls.key"]',
  '*["tls.key"]',
  "stringData",
  "*.stringData",
];

function errorSerializer(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { message: scrubSecrets(String(err)) };
  const out: Record<string, unknown> = {
    type: err.name,
    message: scrubSecrets(err.message),
  };
  if (err.stack) out.stack = scrubSecrets(err.stack);
  for (const key of ["reason", "status", "code", "endpoint", "retryable"] as const) {
    const value = (err as unknown as Record<string, unknown>)[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options: LoggerOptions = {
    level,
    base: { component: "dnsimple-cert-operator" },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    serializers: { err: errorSerializer, error: errorSerializer },
    formatters: { level: (label) => ({ level: label }) },
    hooks: {
      // Scrub free-text message arguments too (the object paths above cover fields).
      logMethod(args, method) {
        const scrubbed = args.map((a) => (typeof a === "string" ? scrubSecrets(a) : a));
        method.apply(this, scrubbed as Parameters<typeof method>);
      },
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
