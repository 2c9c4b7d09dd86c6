// An issuer's Ready condition, as cert-manager's Issuer Ready: whether its token can be read
// and DNSimple accepts it (whoami), and the account it acts on. A pure function of the issuer,
// what reading the token and calling whoami found, and the time, so every reason is tested by
// a table (test/unit/issuers/issuer-status.test.ts); the issuer controller does the reading,
// the call and the write. The token itself never comes here, so no message can hold it.
import { CLUSTER_ISSUER_KIND, type DnsimpleIssuer, type IssuerStatus } from "../api/issuers.ts";
import type { Condition } from "../api/v1alpha1.ts";
import { setCondition } from "../controller/status.ts";
import { DnsimpleError } from "../dnsimple/errors.ts";
import type { Whoami } from "../dnsimple/types.ts";
import { scrubSecrets } from "../observability/redact.ts";

/** Where an issuer's token is read: a Secret, or the operator's own (`--dnsimple-token`). */
export type TokenSource =
  | { kind: "secret"; namespace: string; name: string }
  | { kind: "operator" };

/** What reading the token and asking DNSimple's whoami about it found. */
export type TokenCheck =
  /** The Secret does not exist. */
  | { kind: "secret-missing" }
  /** The Secret has no (or an empty) key `token`. */
  | { kind: "no-token-key" }
  /** The Secret's `accountId` is not a number. */
  | { kind: "account-id-invalid" }
  /** A ClusterDnsimpleIssuer without credentialsRef, and the operator has no token. */
  | { kind: "no-operator-token" }
  /**
   * whoami answered; `accountId` is the one the Secret (or `--dnsimple-account-id`) gives,
   * `tokenVersion` which version of the token was asked about (see IssuerStatus.tokenVersion).
   */
  | { kind: "answered"; whoami: Whoami; accountId?: string; tokenVersion?: string }
  /** whoami failed (a DnsimpleError, or anything else the call threw). */
  | { kind: "failed"; error: unknown };

/** The Ready reasons of an issuer. */
export type IssuerReadyReason =
  | "Verified"
  | "CredentialsNotFound"
  | "Unauthorized"
  | "UserToken"
  | "AccountMismatch"
  | "ApiUnavailable";

/** The status to write, and whether the check is worth repeating soon (DNSimple was away). */
export interface IssuerVerdict {
  status: IssuerStatus;
  reason: IssuerReadyReason;
  /** ApiUnavailable: a network failure, a 5xx or a 429, which passes without anyone acting. */
  retry: boolean;
}

/** The Ready condition's verdict before it is dated, with the account when it is True. */
interface Ready {
  reason: IssuerReadyReason;
  message: string;
  accountId?: string;
  /** DNSimple's plan_identifier of the account (what it may order), when whoami names one. */
  plan?: string;
}

/**
 * Which token an issuer uses: its credentialsRef Secret (a DnsimpleIssuer's in its namespace,
 * a ClusterDnsimpleIssuer's in the operator's), else the operator's own.
 */
export function tokenSourceOf(
  issuer: DnsimpleIssuer,
  clusterResourceNamespace: string,
): TokenSource {
  const ref = issuer.spec.credentialsRef;
  if (!ref) return { kind: "operator" };
  const namespace =
    issuer.kind === CLUSTER_ISSUER_KIND
      ? clusterResourceNamespace
      : (issuer.metadata.namespace ?? "");
  return { kind: "secret", namespace, name: ref.name };
}

/**
 * The status `issuer` should have after `check` at `now`: Ready with its reason and message,
 * the account when Ready is True, the generation it describes. lastTransitionTime is kept
 * while Ready's status stays the same (as metav1 conditions are).
 */
export function issuerStatus(
  issuer: DnsimpleIssuer,
  source: TokenSource,
  check: TokenCheck,
  now: Date,
): IssuerVerdict {
  const ready = readyOf(source, check);
  const { generation } = issuer.metadata;
  const condition: Omit<Condition, "lastTransitionTime"> = {
    type: "Ready",
    status: ready.reason === "Verified" ? "True" : "False",
    observedGeneration: generation,
    reason: ready.reason,
    message: ready.message,
  };
  const conditions = setCondition(issuer.status?.conditions ?? [], condition, now).sort((a, b) =>
    a.type.localeCompare(b.type),
  );
  return {
    status: {
      ...(ready.accountId ? { accountId: ready.accountId } : {}),
      ...(ready.plan ? { plan: ready.plan } : {}),
      ...(ready.reason === "Verified" && check.kind === "answered" && check.tokenVersion
        ? { tokenVersion: check.tokenVersion }
        : {}),
      observedGeneration: generation,
      conditions,
    },
    reason: ready.reason,
    retry: ready.reason === "ApiUnavailable",
  };
}

/**
 * Whether the issuer's Ready condition still stands without asking DNSimple: Verified, for the
 * current generation, with the token version read now. How a restarted operator keeps its first
 * check of each issuer free (the next resync asks again, as for any issuer).
 */
export function stillVerified(issuer: DnsimpleIssuer, tokenVersion: string): boolean {
  const { status, metadata } = issuer;
  if (status?.tokenVersion !== tokenVersion) return false;
  if (status.observedGeneration !== metadata.generation) return false;
  const ready = status.conditions?.find((c) => c.type === "Ready");
  return ready?.status === "True" && ready.reason === "Verified";
}

function readyOf(source: TokenSource, check: TokenCheck): Ready {
  switch (check.kind) {
    case "secret-missing":
      return notFound(
        `${sourceLabel(source)} (spec.credentialsRef) does not exist: create it with the DNSimple API token under the key "token"`,
      );
    case "no-token-key":
      return notFound(
        `${sourceLabel(source)} has no key "token": put the DNSimple API token there`,
      );
    case "account-id-invalid":
      return notFound(`${sourceLabel(source)} has an accountId that is not a number`);
    case "no-operator-token":
      return notFound(
        "spec.credentialsRef is not set and the operator has no token of its own (--dnsimple-token): set one of them",
      );
    case "answered":
      return answeredReady(source, check.whoami, check.accountId);
    case "failed":
      return failedReady(source, check.error);
  }
}

function notFound(message: string): Ready {
  return { reason: "CredentialsNotFound", message };
}

/** whoami answered: the account it names, or the configured one for a user token. */
function answeredReady(source: TokenSource, whoami: Whoami, configured?: string): Ready {
  const account = whoami.account ? String(whoami.account.id) : undefined;
  if (account && configured && account !== configured) {
    return {
      reason: "AccountMismatch",
      message: `${accountIdLabel(source)} is ${configured} but ${tokenLabel(source)} acts on DNSimple account ${account}: correct the account id (or remove it) or use a token of account ${configured}`,
    };
  }
  const accountId = account ?? configured;
  if (!accountId) {
    return {
      reason: "UserToken",
      message: `${tokenLabel(source)} is a user token, which can reach several accounts: ${addAccountId(source)} to say which`,
    };
  }
  return {
    reason: "Verified",
    message: `token verified for DNSimple account ${accountId}`,
    accountId,
    ...(whoami.account?.plan_identifier ? { plan: whoami.account.plan_identifier } : {}),
  };
}

/** whoami failed: the token was refused, or DNSimple could not be asked (retried). */
function failedReady(source: TokenSource, error: unknown): Ready {
  const said = scrubSecrets(error instanceof Error ? error.message : String(error));
  if (error instanceof DnsimpleError && error.reason === "Unauthorized") {
    return {
      reason: "Unauthorized",
      message: `${said}. DNSimple refused ${tokenLabel(source)}: check that it is a valid, unrevoked API token`,
    };
  }
  return {
    reason: "ApiUnavailable",
    message: `could not ask DNSimple about ${tokenLabel(source)}: ${said}; retrying`,
  };
}

function sourceLabel(source: TokenSource): string {
  return source.kind === "secret"
    ? `Secret ${source.namespace}/${source.name}`
    : "the operator's own token (--dnsimple-token)";
}

function tokenLabel(source: TokenSource): string {
  return source.kind === "secret"
    ? `the token in Secret ${source.namespace}/${source.name}`
    : "the operator's own token (--dnsimple-token)";
}

function accountIdLabel(source: TokenSource): string {
  return source.kind === "secret"
    ? `the accountId in Secret ${source.namespace}/${source.name}`
    : "--dnsimple-account-id";
}

function addAccountId(source: TokenSource): string {
  return source.kind === "secret"
    ? `add the key accountId to Secret ${source.namespace}/${source.name}`
    : "set --dnsimple-account-id";
}
