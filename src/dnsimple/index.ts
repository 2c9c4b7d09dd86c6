// The DNSimple API client: what the rest of the operator imports.
export {
  type AllCertificatesOptions,
  DEFAULT_TIMEOUT_MS,
  DnsimpleClient,
  type DnsimpleClientOptions,
} from "./client.ts";
export * from "./errors.ts";
export {
  DEFAULT_RATE_LIMIT_RESERVE,
  RateLimitBudget,
  type RateLimitBudgetOptions,
  type RateLimitSnapshot,
} from "./rate-limit.ts";
export { DEFAULT_MAX_RATE_LIMIT_WAIT_MS, DEFAULT_RETRY, type RetryOptions } from "./retry.ts";
export type { ResponseInfo } from "./transport.ts";
export * from "./types.ts";
export { DEFAULT_USER_AGENT } from "./user-agent.ts";
