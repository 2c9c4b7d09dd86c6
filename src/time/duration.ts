// Durations as Kubernetes and Go write them: a sequence of numbers with units, e.g. `720h`,
// `1h30m`, `1.5s`, `500ms`; `d` (24h) is accepted too. Used for flags and spec.renewBefore.

const MILLISECONDS_PER_UNIT: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

const WHOLE = /^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h|d))+$/;
const PART = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d)/g;

/** A duration parseDuration cannot read. */
export class InvalidDurationError extends Error {
  override name = "InvalidDurationError";
}

/** Milliseconds in `text`. A bare `0` is accepted, as Go does. */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  if (trimmed === "0") return 0;
  if (!WHOLE.test(trimmed)) {
    throw new InvalidDurationError(
      `invalid duration "${text}": use numbers with units h, m, s, ms (or d), e.g. 720h, 1h30m, 5s`,
    );
  }
  let total = 0;
  for (const [, amount, unit] of trimmed.matchAll(PART)) {
    total += Number(amount) * (MILLISECONDS_PER_UNIT[unit ?? ""] ?? 0);
  }
  return Math.round(total);
}

/** A short human form for messages: 90d, 2h30m, 45s, 250ms. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const parts: string[] = [];
  let rest = Math.round(ms / 1000);
  for (const [unit, seconds] of [
    ["d", 86_400],
    ["h", 3_600],
    ["m", 60],
    ["s", 1],
  ] as const) {
    if (rest >= seconds) {
      parts.push(`${Math.floor(rest / seconds)}${unit}`);
      rest %= seconds;
    }
  }
  return parts.slice(0, 2).join("");
}
