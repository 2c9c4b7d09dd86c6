// The small statistics and the rounding of the reported figures: nearest-rank quantiles,
// medians, seconds, MiB and counts per certificate.

export const seconds = (ms: number): number => Math.round(ms) / 1000;

export const round = (value: number, digits = 2): number => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};

export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  // Nearest rank: the smallest value with at least q of the samples at or below it.
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1] as number;
}

export const median = (values: readonly number[]): number => quantile(values, 0.5);

export const mib = (bytes: number): number => round(bytes / 1024 / 1024, 1);

/** Each count divided by `n`, rounded to `digits` (figures per certificate). */
export function perEach(
  counts: Readonly<Record<string, number>>,
  n: number,
  digits = 3,
): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, round(v / n, digits)]));
}
