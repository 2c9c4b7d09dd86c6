// The auto-renewal pickup rule by table: when an autoRenew resource looks in DNSimple's list
// for the certificate DNSimple renewed it with (a hint, the window, polling, the interval).
import { describe, expect, it } from "vitest";
import {
  type AutoRenewalPickup,
  autoRenewalPickup,
  type PickupInput,
  type PickupVerdict,
} from "../../../src/controller/decide/auto-renewal-pickup.ts";

const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;
const now = new Date("2027-01-10T12:00:00Z");
const at = (ms: number) => new Date(now.getTime() + ms);
const settings: AutoRenewalPickup = { windowMs: 30 * day, intervalMs: hour, polling: true };

function input(partial: Partial<PickupInput>): PickupInput {
  return {
    now,
    notAfter: at(60 * day),
    lastLook: at(-day),
    startedAt: at(-7 * day),
    hintAt: undefined,
    settings,
    ...partial,
  };
}

describe("autoRenewalPickup", () => {
  it.each<[string, Partial<PickupInput>, PickupVerdict]>([
    ["before the window: no look, until it opens", {}, { look: false, nextAt: at(30 * day) }],
    [
      "before the window, last looked a year ago: still no look (nothing can have changed)",
      { lastLook: at(-365 * day) },
      { look: false, nextAt: at(30 * day) },
    ],
    [
      "the window has just opened and the last look was before it: look",
      { notAfter: at(30 * day - minute), lastLook: at(-5 * minute) },
      { look: true, why: "interval" },
    ],
    [
      "inside, looked 10 minutes ago: not yet, an interval after the last look",
      { notAfter: at(10 * day), lastLook: at(-10 * minute) },
      { look: false, nextAt: at(50 * minute) },
    ],
    [
      "inside, an interval since the last look: look",
      { notAfter: at(10 * day), lastLook: at(-hour) },
      { look: true, why: "interval" },
    ],
    [
      "expired and not renewed: keep looking once per interval",
      { notAfter: at(-day), lastLook: at(-2 * hour) },
      { look: true, why: "interval" },
    ],
    [
      "expired since a look 10 minutes ago: look at once (a renewal made since is taken now)",
      { notAfter: at(-1000), lastLook: at(-10 * minute) },
      { look: true, why: "expired" },
    ],
    [
      "expired, looked since: again an interval after that look",
      { notAfter: at(-10 * minute), lastLook: at(-5 * minute) },
      { look: false, nextAt: at(55 * minute) },
    ],
    [
      "inside, polling off: no look without a hint until the certificate expires",
      { notAfter: at(10 * day), lastLook: at(-day), settings: { ...settings, polling: false } },
      { look: false, nextAt: at(10 * day) },
    ],
    [
      "polling off, expired unrenewed (a webhook lost?): look, polling or not",
      { notAfter: at(-minute), lastLook: at(-day), settings: { ...settings, polling: false } },
      { look: true, why: "expired" },
    ],
    [
      "polling off, expired, looked 10 minutes ago: again an interval after that look",
      { notAfter: at(-day), lastLook: at(-10 * minute), settings: { ...settings, polling: false } },
      { look: false, nextAt: at(50 * minute) },
    ],
    [
      "a hint since the last look: look at once, before the window too",
      { lastLook: at(-minute), hintAt: at(-1000) },
      { look: true, why: "hinted" },
    ],
    [
      "a hint with polling off: look",
      {
        notAfter: at(10 * day),
        lastLook: at(-day),
        hintAt: at(-minute),
        settings: { ...settings, polling: false },
      },
      { look: true, why: "hinted" },
    ],
    [
      "a hint older than the last look: consumed",
      { notAfter: at(10 * day), lastLook: at(-minute), hintAt: at(-2 * minute) },
      { look: false, nextAt: at(59 * minute) },
    ],
    [
      "a six-day certificate (shortlived): the window is DNSimple's, whatever the lifetime",
      {
        notAfter: at(6 * day),
        lastLook: at(-2 * hour),
        settings: { ...settings, windowMs: 2 * day },
      },
      { look: false, nextAt: at(4 * day) },
    ],
    [
      "restarted a minute ago, before the window: no look, until it opens",
      { lastLook: undefined, startedAt: at(-minute) },
      { look: false, nextAt: at(30 * day) },
    ],
    [
      "restarted a minute ago, inside the window: the first look an interval after the start",
      { notAfter: at(10 * day), lastLook: undefined, startedAt: at(-minute) },
      { look: false, nextAt: at(59 * minute) },
    ],
    [
      "restarted inside the window an interval ago, no look since: look",
      { notAfter: at(10 * day), lastLook: undefined, startedAt: at(-hour) },
      { look: true, why: "interval" },
    ],
    [
      "restarted a minute ago, expired: look at once (renewed while the operator was away?)",
      { notAfter: at(-day), lastLook: undefined, startedAt: at(-minute) },
      { look: true, why: "expired" },
    ],
    [
      "restarted, expired, polling off: look at once too",
      {
        notAfter: at(-day),
        lastLook: undefined,
        startedAt: at(-minute),
        settings: { ...settings, polling: false },
      },
      { look: true, why: "expired" },
    ],
    [
      "restarted, a hint since: look",
      { notAfter: at(10 * day), lastLook: undefined, startedAt: at(-minute), hintAt: at(-1000) },
      { look: true, why: "hinted" },
    ],
    ["no certificate expiry known: no look", { notAfter: undefined }, { look: false }],
  ])("%s", (_what, partial, verdict) => {
    expect(autoRenewalPickup(input(partial))).toEqual(verdict);
  });
});
