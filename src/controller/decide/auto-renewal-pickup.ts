// When an auto-renewing certificate (spec.autoRenew) looks in DNSimple's list for the
// certificate DNSimple renewed it with. DNSimple renews only inside its renewal window (30 days
// before expiry, then daily until it succeeds), so before the window opens nothing can have
// changed and nothing is called. Inside it, at most one look per interval (the list is shared by
// the domain's resources), or none at all when polling is off and the webhook says when. A
// webhook hint (a certificate.issue or certificate.reissue event) makes a look due at once,
// window or not: the event is only a reason to look through the API, never data. A certificate
// that expired unrenewed looks at its expiry and then once per interval, polling or not: its
// renewal was missed (a lost webhook, a look that came late) or DNSimple could not renew it.
// After a restart, a resource inside the window waits an interval from the start before its
// first look (a restart over a healthy fleet calls nothing), but an expired one looks at once.
//
// Pure: the inputs are the certificate's expiry, the last look and hint (the reconciler's
// memory) and the operator's settings; the answer is whether to look now, else when next.

export interface AutoRenewalPickup {
  /** How long before expiry DNSimple renews (its window; --auto-renewal-window). */
  readonly windowMs: number;
  /** Inside the window, the time between two looks (--auto-renewal-interval). */
  readonly intervalMs: number;
  /** false: inside the window, look only on a webhook hint (--auto-renewal-polling). */
  readonly polling: boolean;
}

export interface PickupInput {
  readonly now: Date;
  /** The expiry of the certificate the Secret holds. */
  readonly notAfter: Date | undefined;
  /** When this resource last looked, in this process; undefined: not yet. */
  readonly lastLook: Date | undefined;
  /** When the process started: a first look inside the window waits an interval from it. */
  readonly startedAt: Date;
  /** The last webhook hint for this resource, if any. */
  readonly hintAt: Date | undefined;
  readonly settings: AutoRenewalPickup;
}

/** Look now (and why), or not yet: `nextAt` is when the answer changes by time alone. */
export type PickupVerdict =
  | { readonly look: true; readonly why: "hinted" | "expired" | "interval" }
  | { readonly look: false; readonly nextAt?: Date };

/** The ordered rules: a hint, the window, polling (until expiry), the expiry, the interval. */
export function autoRenewalPickup(input: PickupInput): PickupVerdict {
  const { now, notAfter, lastLook, startedAt, hintAt, settings } = input;
  if (hintAt && (!lastLook || hintAt > lastLook)) return { look: true, why: "hinted" };
  if (!notAfter) return { look: false };
  const opensAt = new Date(notAfter.getTime() - settings.windowMs);
  if (now < opensAt) return { look: false, nextAt: opensAt };
  if (!settings.polling && now < notAfter) return { look: false, nextAt: notAfter };
  if (now >= notAfter && (!lastLook || lastLook < notAfter)) return { look: true, why: "expired" };
  // The first look once the window opens; then one per interval.
  const since = lastLook ?? startedAt;
  const dueAt = since < opensAt ? opensAt : new Date(since.getTime() + settings.intervalMs);
  return now >= dueAt ? { look: true, why: "interval" } : { look: false, nextAt: dueAt };
}
