// Formatting shared by the commands' human output: ages as kubectl prints them, aligned
// columns, sizes, and the one way JSON is written. Pure, unit-tested by tables.

/**
 * A duration as kubectl's `AGE` column prints it (apimachinery's duration.HumanDuration):
 * exact seconds while short, two units while the second still says something, one after.
 */
export function humanDuration(ms: number): string {
  // Go truncates toward zero: -1.5s reads as -1s, "almost now".
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return withRest(minutes, "m", seconds % 60, "s");
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return withRest(hours, "h", minutes % 60, "m");
  if (hours < 48) return `${hours}h`;
  const days = Math.floor(hours / 24);
  if (days < 8) return withRest(days, "d", hours % 24, "h");
  if (days < 365 * 2) return `${days}d`;
  const years = Math.floor(days / 365);
  if (years < 8) return withRest(years, "y", days % 365, "d");
  return `${years}y`;
}

function withRest(value: number, unit: string, rest: number, restUnit: string): string {
  return rest === 0 ? `${value}${unit}` : `${value}${unit}${rest}${restUnit}`;
}

/** How long ago `time` was ("5m"), or "unknown" when it is not a time. */
export function ageOf(time: string | Date | undefined, now: Date): string {
  const at = time === undefined ? Number.NaN : new Date(time).getTime();
  return Number.isNaN(at) ? "unknown" : humanDuration(now.getTime() - at);
}

/** A time to come, relative to now: "in 59d", or "5m ago" once it has passed. */
export function relativeTime(time: string | Date, now: Date): string {
  const delta = new Date(time).getTime() - now.getTime();
  return delta >= 0 ? `in ${humanDuration(delta)}` : `${humanDuration(-delta)} ago`;
}

/**
 * Rows as kubectl prints a table: every column as wide as its widest cell, three spaces
 * between columns, no trailing spaces.
 */
export function table(rows: readonly (readonly string[])[], indent = ""): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, index) => {
      widths[index] = Math.max(widths[index] ?? 0, cell.length);
    });
  }
  return rows.map(
    (row) =>
      indent +
      row
        .map((cell, index) => (index === row.length - 1 ? cell : cell.padEnd(widths[index] ?? 0)))
        .join("   ")
        .trimEnd(),
  );
}

/** "Label:" padded so the values of consecutive lines start in one column. */
export function fields(pairs: readonly (readonly [string, string])[], indent = ""): string[] {
  const width = Math.max(0, ...pairs.map(([label]) => label.length + 1));
  return pairs.map(([label, value]) => `${indent}${`${label}:`.padEnd(width)}  ${value}`.trimEnd());
}

/** A byte count as people read it: "812 B", "3.2 KiB". */
export function byteSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/** The one JSON form of `-o json`: two-space indented, a final newline. */
export function toJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Lines joined, ending in a newline. */
export function lines(text: readonly string[]): string {
  return `${text.join("\n")}\n`;
}
