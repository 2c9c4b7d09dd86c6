// resolveCredentials: the token and account the resource uses, before any DNSimple call, and the
// token's request budget as known now (what an order's admission is judged on).
import type { Observation, RequestBudgetView } from "../observation.ts";
import type { DnsimpleApi } from "../ports.ts";
import type { RequestCommitments } from "../request-commitments.ts";
import type { StepContext, StepResult } from "./step.ts";

/** The resolveCredentials step: the resource's account, and the session later steps use. */
export async function resolveCredentials(
  observation: Observation,
  context: StepContext,
): Promise<StepResult> {
  const { access, resource } = observation;
  const issuer = access.kind === "issuer" ? access.grant : undefined;
  const resolved = await context.ports.credentials.resolve(resource, issuer);
  if (resolved.kind === "failed") return { learned: { credentials: resolved } };
  const { client } = resolved;
  const { budgetKey } = client.requestBudget();
  const requestBudget = budgetView(client, context.key, context.memory.commitments);
  return {
    learned: {
      credentials: { kind: "ok", accountId: resolved.accountId },
      ...(requestBudget ? { requestBudget } : {}),
    },
    handles: { session: { client, accountId: Number(resolved.accountId), budgetKey } },
  };
}

/** The budget of the client's token while its window lasts, with what is promised of it. */
function budgetView(
  client: DnsimpleApi,
  key: string,
  commitments: RequestCommitments,
): RequestBudgetView | undefined {
  const { budgetKey, reserve, known } = client.requestBudget();
  if (!known) return undefined;
  const { limit, remaining, resetAt, windowMs, windowMeasured } = known;
  const assumed = known.assumed === true;
  const committed = commitments.viewFor(key, budgetKey);
  return { limit, remaining, reserve, resetAt, windowMs, windowMeasured, assumed, ...committed };
}
