// findPendingOrder: an intent in status whose order may have gone through without its answer
// (see docs/design/2026-12-02-intent-before-purchase.md): look for it in DNSimple's list.

import { claimableBy } from "../access.ts";
import { failureFromError } from "../failures.ts";
import type { Observation } from "../observation.ts";
import { remoteFrom } from "../remote-certificate.ts";
import { lostOrderAmong } from "../selection.ts";
import { type StepContext, type StepResult, sessionOf } from "./step.ts";

/** A lost order is recent: newest first, the first page nearly always has it. */
const PAGE = { sort: "id:desc", perPage: 100 } as const;

/** The findPendingOrder step: the order the intent in status led to, if DNSimple lists it. */
export async function findPendingOrder(
  observation: Observation,
  context: StepContext,
): Promise<StepResult> {
  const { client, accountId } = sessionOf(context);
  const { spec, status } = observation.resource;
  const pending = status?.pendingOrder;
  try {
    const page = await client.listCertificates(accountId, pending?.domain ?? spec.domain, PAGE);
    const mayClaim = claimableBy(observation.access, observation.resource, context.ports.tenancy);
    const listed = page.data.map(remoteFrom).filter((c) => mayClaim(c.id));
    const found = lostOrderAmong(listed, pending, spec, status?.certificateId);
    return { learned: { pendingOrderSearch: found ? { found } : {} } };
  } catch (err) {
    return { learned: { failure: failureFromError(err, observation.resource) } };
  }
}
