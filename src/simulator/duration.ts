// Durations on the command line: a number and a unit, e.g. `500ms`, `3s`, `5m`, `2h`, `90d`.
import { InvalidInputError } from "./errors.ts";

const MILLISECONDS_PER_UNIT = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
} as const;

type Unit = keyof typeof MILLISECONDS_PER_UNIT;

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;

/** Returns milliseconds. A bare `0` is accepted because "no delay" needs no unit. */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  if (trimmed === "0") return 0;
  const match = DURATION.exec(trimmed);
  if (match === null) {
    throw new InvalidInputError(
      `invalid duration "${text}": use a number and one of ms, s, m, h, d (e.g. 500ms, 3s, 90d)`,
    );
  }
  const [, amount, unit] = match;
  return Math.round(Number(amount) * MILLISECONDS_PER_UNIT[unit as Unit]);
}
