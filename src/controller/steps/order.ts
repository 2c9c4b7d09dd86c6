// order: buy a certificate, or a renewal of one. The intent goes into status first (the
// reconciler writes orderIntent's patch before calling placeOrder), with optimistic
// concurrency: a stale copy of the resource cannot order, and a crash after the POST finds the
// order instead of buying a second certificate. Only an answer from DNSimple proves nothing
// was bought; then the intent goes. See docs/design/2026-12-02-intent-before-purchase.md.
import type { DnsimpleCertificateSpec } from "../../api/v1alpha1.ts";
import { DnsimpleError } from "../../dnsimple/errors.ts";
import type { Reservation } from "../../issuers/purchase-ledger.ts";
import type { OrderAction } from "../actions.ts";
import { failureFromError } from "../failures.ts";
import type { Observation, RemoteCertificate } from "../observation.ts";
import type { DnsimpleSession } from "../ports.ts";
import { domainNameOf } from "../spec-rules.ts";
import { claimCertificateFor } from "./claim.ts";
import { type StatusPatch, type StepContext, type StepResult, sessionOf } from "./step.ts";

/** What was bought: the new certificate, and the renewal it belongs to. */
interface Purchase {
  certificateId: number;
  createdAt: string;
  autoRenew: boolean;
  renewalId?: number;
}

/** The name the certificate is ordered for (the domain's name even when spec.domain is an id). */
function commonNameOf(observation: Observation): string {
  const { spec } = observation.resource;
  return `${spec.name}.${domainNameOf(spec, observation.secret.commonName) ?? spec.domain}`;
}

/** The intent, written before the purchase. */
export function orderIntent(
  observation: Observation,
  action: OrderAction,
  accountId: number,
): StatusPatch {
  return {
    pendingOrder: {
      startedAt: observation.now.toISOString(),
      accountId: String(accountId),
      domain: observation.resource.spec.domain,
      commonName: commonNameOf(observation),
      ...(action.renewalOf !== undefined ? { renewalOf: action.renewalOf } : {}),
    },
    ...(action.requested ? { renewRequestHandled: action.requested } : {}),
  };
}

/**
 * The order step: takes a slot of the issuer's purchase budget, buys the certificate or
 * renewal, and records the claim that makes it the resource's. Only a known refusal drops the
 * intent (and gives the slot back).
 */
export async function placeOrder(
  observation: Observation,
  action: OrderAction,
  context: StepContext,
): Promise<StepResult> {
  const reservation = reserveBudget(observation, context);
  if (reservation === "spent") return budgetSpent(observation);
  let purchase: Purchase;
  try {
    purchase = await buy(sessionOf(context), observation.resource.spec, action.renewalOf);
  } catch (err) {
    const known = err instanceof DnsimpleError && !err.outcomeUnknown;
    if (known) reservation?.release();
    return {
      ...(known ? { status: { pendingOrder: undefined } } : {}),
      learned: { failure: failureFromError(err, observation.resource) },
    };
  }
  reservation?.settle(purchase.certificateId);
  const via = action.renewalOf !== undefined ? "Renewal" : "Order";
  const claim = await claimCertificateFor(observation, context, purchase.certificateId, via);
  // Bought but not recorded as the resource's: the intent stays, and the next pass finds the
  // order in DNSimple's list and claims it then.
  if (claim.kind !== "claimed") return { learned: { failure: claim.failure } };
  const result = bought(observation, action, purchase);
  return { ...result, learned: { ...result.learned, access: claim.access } };
}

/**
 * A slot of the issuer's budget, taken synchronously (two workers of one namespace cannot both
 * take the last); undefined without an issuer; "spent" when none is left.
 */
function reserveBudget(
  observation: Observation,
  context: StepContext,
): Reservation | undefined | "spent" {
  const { access, now } = observation;
  if (access.kind !== "issuer") return undefined;
  const { grant } = access;
  const claimed = context.ports.tenancy.claimedPurchases(grant.budgetScope);
  return (
    context.ports.ledger.reserve(grant.budgetScope, grant.ordersPerDay, claimed, now) ?? "spent"
  );
}

/** The budget went in the moment since the decision: nothing is bought, the intent goes. */
function budgetSpent(observation: Observation): StepResult {
  const retryAt = new Date(observation.now.getTime() + 60_000);
  return {
    status: { pendingOrder: undefined },
    learned: {
      failure: {
        reason: "BudgetExhausted",
        message:
          "the namespace's purchase budget was spent by another order at the same moment: nothing was ordered",
        retryAt,
      },
    },
  };
}

async function buy(
  { client, accountId }: DnsimpleSession,
  spec: DnsimpleCertificateSpec,
  renewalOf: number | undefined,
): Promise<Purchase> {
  const options = { auto_renew: spec.autoRenew, signature_algorithm: spec.signatureAlgorithm };
  if (renewalOf !== undefined) {
    const renewal = await client.orderRenewal(accountId, spec.domain, renewalOf, options);
    return {
      certificateId: renewal.new_certificate_id,
      createdAt: renewal.created_at,
      autoRenew: renewal.auto_renew,
      renewalId: renewal.id,
    };
  }
  const purchase = await client.orderLetsencrypt(accountId, spec.domain, {
    name: spec.name,
    alternate_names: spec.alternateNames ?? [],
    ...options,
  });
  return {
    certificateId: purchase.certificate_id,
    createdAt: purchase.created_at,
    autoRenew: purchase.auto_renew,
  };
}

/**
 * Bought. If the status write fails, the intent stays and the next pass finds the order in
 * DNSimple's list instead of buying another.
 */
function bought(observation: Observation, action: OrderAction, purchase: Purchase): StepResult {
  const { spec } = observation.resource;
  const commonName = commonNameOf(observation);
  const { certificateId, renewalId } = purchase;
  const certificate: RemoteCertificate = {
    id: certificateId,
    // An order and a renewal's new certificate both start in `new`.
    state: "new",
    name: spec.name,
    commonName,
    alternateNames: spec.alternateNames ?? [],
    autoRenew: purchase.autoRenew,
    createdAt: new Date(purchase.createdAt),
  };
  const renewal = action.renewalOf !== undefined;
  return {
    status: {
      certificateId,
      pendingOrder: undefined,
      state: "new",
      renewalId,
      renewedCertificateId: action.renewalOf,
    },
    learned: { remote: { kind: "found", certificate } },
    event: {
      type: "Normal",
      reason: renewal ? "RenewalOrdered" : "Ordered",
      message: renewal
        ? `Ordered renewal ${renewalId} of certificate ${action.renewalOf} from DNSimple: new certificate ${certificateId} (${action.why})`
        : `Ordered certificate ${certificateId} for ${commonName} from DNSimple (${action.why})`,
    },
  };
}
