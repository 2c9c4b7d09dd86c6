// Which DNSimple calls belong to which renewal, from the call log's paths and the simulator's
// purchase list: the renewal order and its issue name the old certificate (and the renewal),
// the polls, download and private key name the new one. A call on a certificate after that
// certificate's own renewal was ordered belongs to that renewal (the operator looking at the
// certificate it replaces); before it, to the certificate's own issuance.

import { matchApiRoute } from "../../src/simulator/api-routes.ts";
import type { ApiCall } from "../../src/simulator/call-log.ts";
import type { Purchase } from "../../src/simulator/model.ts";

export interface RenewalCalls {
  /** Calls per renewal purchase (keyed by the new certificate id), by operation. */
  byRenewal: Map<number, Record<string, number>>;
  /** Calls that name no renewal of `renewals` (whoami, lists, the initial issuance's), by operation. */
  unattributed: Record<string, number>;
}

const add = (counts: Record<string, number>, op: string) => {
  counts[op] = (counts[op] ?? 0) + 1;
};

/** Attributes `calls` to `renewals` (renewal purchases); see the file comment. */
export function attributeRenewalCalls(
  calls: readonly ApiCall[],
  renewals: readonly Purchase[],
): RenewalCalls {
  const byNew = new Map<number, Purchase>();
  const byOld = new Map<number, Purchase>();
  for (const p of renewals) {
    byNew.set(p.certificateId, p);
    if (p.oldCertificateId !== null) byOld.set(p.oldCertificateId, p);
  }
  const byRenewal = new Map<number, Record<string, number>>();
  const unattributed: Record<string, number> = {};
  for (const call of calls) {
    const op = call.operation ?? `${call.method} ${call.path}`;
    const match = matchApiRoute(call.method, call.path);
    const id = match.kind === "found" ? Number(match.params.certificate) : Number.NaN;
    let owner: Purchase | undefined;
    if (
      call.operation === "purchaseRenewalLetsencryptCertificate" ||
      call.operation === "issueRenewalLetsencryptCertificate"
    ) {
      owner = byOld.get(id);
    } else if (Number.isFinite(id)) {
      const asOld = byOld.get(id);
      owner = asOld && Date.parse(call.time) >= Date.parse(asOld.time) ? asOld : byNew.get(id);
    }
    if (!owner) {
      add(unattributed, op);
      continue;
    }
    const counts = byRenewal.get(owner.certificateId) ?? {};
    add(counts, op);
    byRenewal.set(owner.certificateId, counts);
  }
  return { byRenewal, unattributed };
}
