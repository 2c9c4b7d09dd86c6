// DNSimple writes times as ISO 8601 in UTC without milliseconds ("2020-06-18T18:54:17Z")
// and dates as "2020-09-16".

export function apiTimestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

export function apiDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** X.509 validity has one-second precision; the record must show the certificate's exact time. */
export function truncateToSeconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}
