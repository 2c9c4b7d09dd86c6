// resolveCredentials: the token and account the resource uses, before any DNSimple call.
import type { Observation } from "../observation.ts";
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
  return {
    learned: { credentials: { kind: "ok", accountId: resolved.accountId } },
    handles: { session: { client: resolved.client, accountId: Number(resolved.accountId) } },
  };
}
