// An issuer's Ready condition from what reading its token and asking whoami found: one row per
// reason, then how the condition is dated (lastTransitionTime kept while its status holds) and
// which token a status speaks of.
import { describe, expect, it } from "vitest";
import type { DnsimpleIssuer, IssuerStatus } from "../../../src/api/issuers.ts";
import type { Condition } from "../../../src/api/v1alpha1.ts";
import {
  DnsimpleRateLimitedError,
  DnsimpleUnauthorizedError,
  DnsimpleUnavailableError,
} from "../../../src/dnsimple/errors.ts";
import type { Whoami } from "../../../src/dnsimple/types.ts";
import {
  type IssuerReadyReason,
  issuerStatus,
  stillVerified,
  type TokenCheck,
  type TokenSource,
  tokenSourceOf,
} from "../../../src/issuers/issuer-status.ts";

const now = new Date("2026-11-26T12:00:00Z");
const earlier = "2026-11-20T08:00:00Z";
const whoamiRequest = { method: "GET" as const, path: "/v2/whoami", endpoint: "GET /v2/whoami" };

function issuer(
  overrides: { kind?: DnsimpleIssuer["kind"]; credentials?: string; status?: IssuerStatus } = {},
): DnsimpleIssuer {
  const kind = overrides.kind ?? "DnsimpleIssuer";
  return {
    apiVersion: "dnsimple-cert-operator.dev/v1alpha1",
    kind,
    metadata: {
      name: "team",
      ...(kind === "DnsimpleIssuer" ? { namespace: "web" } : {}),
      uid: "u1",
      generation: 3,
    },
    spec: {
      ...(overrides.credentials === undefined
        ? {}
        : { credentialsRef: { name: overrides.credentials } }),
      policy: {
        allowWildcards: false,
        budget: { ordersPerNamespacePerDay: 10, renewalFloor: "720h" },
      },
    },
    ...(overrides.status ? { status: overrides.status } : {}),
  };
}

const secret: TokenSource = { kind: "secret", namespace: "web", name: "dnsimple" };
const operator: TokenSource = { kind: "operator" };

function account(id: number): Whoami {
  const dates = { created_at: earlier, updated_at: earlier };
  return { user: null, account: { id, email: "a@example.com", plan_identifier: "pro", ...dates } };
}
const userToken: Whoami = {
  user: { id: 5, email: "u@example.com", created_at: earlier, updated_at: earlier },
  account: null,
};

function ready(status: IssuerStatus): Condition | undefined {
  return status.conditions?.find((c) => c.type === "Ready");
}

describe("issuerStatus", () => {
  it.each<{
    title: string;
    source: TokenSource;
    check: TokenCheck;
    reason: IssuerReadyReason;
    accountId?: string;
    message: string;
    retry?: boolean;
  }>([
    {
      title: "an account token: Verified, with whoami's account",
      source: secret,
      check: { kind: "answered", whoami: account(777) },
      reason: "Verified",
      accountId: "777",
      message: "token verified for DNSimple account 777",
    },
    {
      title: "an account token whose Secret names the same account",
      source: secret,
      check: { kind: "answered", whoami: account(777), accountId: "777" },
      reason: "Verified",
      accountId: "777",
      message: "token verified for DNSimple account 777",
    },
    {
      title: "a user token with accountId in the Secret: Verified with that account",
      source: secret,
      check: { kind: "answered", whoami: userToken, accountId: "42" },
      reason: "Verified",
      accountId: "42",
      message: "token verified for DNSimple account 42",
    },
    {
      title: "the operator's own account token",
      source: operator,
      check: { kind: "answered", whoami: account(9) },
      reason: "Verified",
      accountId: "9",
      message: "token verified for DNSimple account 9",
    },
    {
      title: "the Secret does not exist",
      source: secret,
      check: { kind: "secret-missing" },
      reason: "CredentialsNotFound",
      message:
        'Secret web/dnsimple (spec.credentialsRef) does not exist: create it with the DNSimple API token under the key "token"',
    },
    {
      title: "the Secret has no key token",
      source: secret,
      check: { kind: "no-token-key" },
      reason: "CredentialsNotFound",
      message: 'Secret web/dnsimple has no key "token"',
    },
    {
      title: "the Secret's accountId is not a number",
      source: secret,
      check: { kind: "account-id-invalid" },
      reason: "CredentialsNotFound",
      message: "Secret web/dnsimple has an accountId that is not a number",
    },
    {
      title: "no credentialsRef and the operator has no token",
      source: operator,
      check: { kind: "no-operator-token" },
      reason: "CredentialsNotFound",
      message: "the operator has no token of its own (--dnsimple-token)",
    },
    {
      title: "DNSimple answers 401",
      source: secret,
      check: {
        kind: "failed",
        error: new DnsimpleUnauthorizedError(whoamiRequest, 401, "Authentication failed"),
      },
      reason: "Unauthorized",
      message: "DNSimple refused the token in Secret web/dnsimple",
    },
    {
      title: "a user token without accountId: say to add it",
      source: secret,
      check: { kind: "answered", whoami: userToken },
      reason: "UserToken",
      message: "add the key accountId to Secret web/dnsimple",
    },
    {
      title: "the operator's user token without --dnsimple-account-id",
      source: operator,
      check: { kind: "answered", whoami: userToken },
      reason: "UserToken",
      message: "set --dnsimple-account-id",
    },
    {
      title: "the Secret's accountId is not whoami's account",
      source: secret,
      check: { kind: "answered", whoami: account(777), accountId: "42" },
      reason: "AccountMismatch",
      message:
        "the accountId in Secret web/dnsimple is 42 but the token in Secret web/dnsimple acts on DNSimple account 777",
    },
    {
      title: "--dnsimple-account-id is not whoami's account",
      source: operator,
      check: { kind: "answered", whoami: account(777), accountId: "42" },
      reason: "AccountMismatch",
      message: "--dnsimple-account-id is 42 but the operator's own token",
    },
    {
      title: "a 5xx: retried",
      source: secret,
      check: {
        kind: "failed",
        error: DnsimpleUnavailableError.serverError(whoamiRequest, 503, undefined),
      },
      reason: "ApiUnavailable",
      message: "DNSimple answered 503 Service Unavailable for GET /v2/whoami; retrying",
      retry: true,
    },
    {
      title: "a network failure: retried",
      source: secret,
      check: {
        kind: "failed",
        error: DnsimpleUnavailableError.network(whoamiRequest, "connect ECONNREFUSED", false),
      },
      reason: "ApiUnavailable",
      message: "Could not reach DNSimple for GET /v2/whoami: connect ECONNREFUSED",
      retry: true,
    },
    {
      title: "a 429: retried",
      source: secret,
      check: {
        kind: "failed",
        error: DnsimpleRateLimitedError.answered(whoamiRequest, undefined, {
          retryAt: now,
          limit: 2400,
          remaining: 0,
        }),
      },
      reason: "ApiUnavailable",
      message: "DNSimple answered 429",
      retry: true,
    },
  ])("$title: $reason", ({ source, check, reason, accountId, message, retry }) => {
    const verdict = issuerStatus(issuer({ credentials: "dnsimple" }), source, check, now);
    expect(verdict.reason).toBe(reason);
    expect(verdict.retry).toBe(retry ?? false);
    expect(verdict.status.accountId).toBe(accountId);
    expect(verdict.status.observedGeneration).toBe(3);
    expect(ready(verdict.status)).toEqual({
      type: "Ready",
      status: reason === "Verified" ? "True" : "False",
      observedGeneration: 3,
      lastTransitionTime: now.toISOString(),
      reason,
      message: expect.stringContaining(message),
    });
  });

  it.each<{ title: string; before: Condition["status"]; check: TokenCheck; kept: boolean }>([
    {
      title: "False to False (another reason)",
      before: "False",
      check: { kind: "no-token-key" },
      kept: true,
    },
    {
      title: "True to True",
      before: "True",
      check: { kind: "answered", whoami: account(1) },
      kept: true,
    },
    { title: "True to False", before: "True", check: { kind: "secret-missing" }, kept: false },
    {
      title: "False to True",
      before: "False",
      check: { kind: "answered", whoami: account(1) },
      kept: false,
    },
  ])("lastTransitionTime $title: kept $kept", ({ before, check, kept }) => {
    const previous: Condition = {
      type: "Ready",
      status: before,
      observedGeneration: 2,
      lastTransitionTime: earlier,
      reason: before === "True" ? "Verified" : "CredentialsNotFound",
      message: "before",
    };
    const subject = issuer({ credentials: "dnsimple", status: { conditions: [previous] } });
    const verdict = issuerStatus(subject, secret, check, now);
    expect(ready(verdict.status)?.lastTransitionTime).toBe(kept ? earlier : now.toISOString());
  });

  it("drops the account of an earlier Verified once the token fails", () => {
    const subject = issuer({ credentials: "dnsimple", status: { accountId: "777" } });
    const verdict = issuerStatus(subject, secret, { kind: "secret-missing" }, now);
    expect(verdict.status).not.toHaveProperty("accountId");
  });

  it("keeps a token out of the message of an error that held one", () => {
    const error = new Error("request failed: Authorization: Bearer sekrit-token-123");
    const verdict = issuerStatus(issuer(), secret, { kind: "failed", error }, now);
    expect(verdict.reason).toBe("ApiUnavailable");
    expect(JSON.stringify(verdict.status)).not.toContain("sekrit-token-123");
  });
});

describe("tokenSourceOf", () => {
  it.each<{ title: string; subject: DnsimpleIssuer; source: TokenSource }>([
    {
      title: "a DnsimpleIssuer: its Secret, in its namespace",
      subject: issuer({ credentials: "tok" }),
      source: { kind: "secret", namespace: "web", name: "tok" },
    },
    {
      title: "a ClusterDnsimpleIssuer: its Secret, in the operator's namespace",
      subject: issuer({ kind: "ClusterDnsimpleIssuer", credentials: "tok" }),
      source: { kind: "secret", namespace: "operator-ns", name: "tok" },
    },
    {
      title: "a ClusterDnsimpleIssuer without credentialsRef: the operator's own token",
      subject: issuer({ kind: "ClusterDnsimpleIssuer" }),
      source: { kind: "operator" },
    },
  ])("$title", ({ subject, source }) => {
    expect(tokenSourceOf(subject, "operator-ns")).toEqual(source);
  });
});

describe("stillVerified", () => {
  const verified: Condition = {
    type: "Ready",
    status: "True",
    reason: "Verified",
    message: "token verified for DNSimple account 7",
    observedGeneration: 3,
    lastTransitionTime: earlier,
  };
  const version = "secret:u9/41";
  const cases: Array<{ name: string; status?: IssuerStatus; trusted: boolean }> = [
    {
      name: "Verified, this generation, this token version",
      status: { tokenVersion: version, observedGeneration: 3, conditions: [verified] },
      trusted: true,
    },
    {
      name: "the token Secret changed since",
      status: { tokenVersion: "secret:u9/40", observedGeneration: 3, conditions: [verified] },
      trusted: false,
    },
    {
      name: "the spec changed since",
      status: { tokenVersion: version, observedGeneration: 2, conditions: [verified] },
      trusted: false,
    },
    {
      name: "not Verified",
      status: {
        tokenVersion: version,
        observedGeneration: 3,
        conditions: [{ ...verified, status: "False", reason: "ApiUnavailable" }],
      },
      trusted: false,
    },
    {
      name: "written by an operator that kept no token version",
      status: { observedGeneration: 3, conditions: [verified] },
      trusted: false,
    },
    { name: "no status yet", trusted: false },
  ];
  it.each(cases)("$name", ({ status, trusted }) => {
    expect(stillVerified(issuer(status ? { credentials: "dnsimple", status } : {}), version)).toBe(
      trusted,
    );
  });

  it("is written only with a Verified condition, from the answered check", () => {
    const check: TokenCheck = { kind: "answered", whoami: account(7), tokenVersion: version };
    const { status } = issuerStatus(issuer({ credentials: "dnsimple" }), secret, check, now);
    expect(status.tokenVersion).toBe(version);
    const mismatch: TokenCheck = { ...check, accountId: "8" };
    const refused = issuerStatus(issuer({ credentials: "dnsimple" }), secret, mismatch, now);
    expect(refused.status).not.toHaveProperty("tokenVersion");
  });
});
