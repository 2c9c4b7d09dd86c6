// The metrics the alert rules and the dashboard need beyond the per-certificate gauges: issuance
// latency read from successive statuses, failed attempts in a row, and the rate-limit budget as a
// share of the limit within its window.
import { describe, expect, it } from "vitest";
import type { Condition, DnsimpleCertificate } from "../../../src/api/v1alpha1.ts";
import { IssuanceClock, OperatorMetrics } from "../../../src/observability/metrics.ts";

const T0 = Date.parse("2026-12-01T10:00:00Z");
const at = (seconds: number) => new Date(T0 + seconds * 1000);

function resource(
  status: DnsimpleCertificate["status"],
  created: Date = at(0),
): DnsimpleCertificate {
  return {
    apiVersion: "dnsimple-cert-operator.dev/v1alpha1",
    kind: "DnsimpleCertificate",
    metadata: {
      name: "www",
      namespace: "web",
      uid: "u",
      generation: 1,
      creationTimestamp: created,
    },
    spec: { domain: "example.com", secretName: "www-tls" },
    status,
  } as DnsimpleCertificate;
}

function issuing(since: Date, status: Condition["status"] = "True"): Condition {
  return {
    type: "Issuing",
    status,
    reason: "Requesting",
    message: "",
    lastTransitionTime: since.toISOString(),
  };
}

describe("IssuanceClock", () => {
  it("times a first certificate from the resource's creation", () => {
    const clock = new IssuanceClock();
    expect(clock.observe(resource({}), at(1))).toBeUndefined();
    expect(clock.observe(resource({ conditions: [issuing(at(2))] }), at(3))).toBeUndefined();
    expect(clock.observe(resource({ serialNumber: "01" }), at(40))).toBe(40);
    // The same certificate on later passes is no new issuance.
    expect(clock.observe(resource({ serialNumber: "01" }), at(100))).toBeUndefined();
  });

  it("times a renewal from the first Issuing condition a pass saw, across retried attempts", () => {
    const clock = new IssuanceClock();
    clock.observe(resource({ serialNumber: "01" }), at(0));
    clock.observe(resource({ serialNumber: "01", conditions: [issuing(at(10))] }), at(11));
    // A failed attempt flips Issuing to False and back: the start stays the first one.
    clock.observe(resource({ serialNumber: "01", conditions: [issuing(at(20), "False")] }), at(21));
    clock.observe(resource({ serialNumber: "01", conditions: [issuing(at(30))] }), at(31));
    expect(clock.observe(resource({ serialNumber: "02" }), at(70))).toBe(60);
  });

  it("times a renewal no pass saw in progress from the renewal time that was due", () => {
    const clock = new IssuanceClock();
    clock.observe(resource({ serialNumber: "01", renewalTime: at(5).toISOString() }), at(0));
    expect(clock.observe(resource({ serialNumber: "02" }), at(25))).toBe(20);
  });

  it("does not time a new certificate whose start it cannot know", () => {
    const clock = new IssuanceClock();
    // A renewal asked for ahead of its renewal time, finished within one pass.
    clock.observe(resource({ serialNumber: "01", renewalTime: at(500).toISOString() }), at(0));
    expect(clock.observe(resource({ serialNumber: "02" }), at(25))).toBeUndefined();
  });

  it("takes the first pass it sees as a baseline (a restarted operator issued nothing)", () => {
    const clock = new IssuanceClock();
    expect(clock.observe(resource({ serialNumber: "07" }, at(-3600)), at(0))).toBeUndefined();
    // Nor is an Issuing condition gone without a new certificate counted later.
    clock.observe(resource({ serialNumber: "07", conditions: [issuing(at(1))] }), at(2));
    clock.observe(resource({ serialNumber: "07" }), at(3));
    expect(clock.observe(resource({ serialNumber: "08" }), at(9))).toBeUndefined();
  });

  it("keeps a renewal's start across a restart through the Issuing condition in status", () => {
    const clock = new IssuanceClock();
    clock.observe(resource({ serialNumber: "01", conditions: [issuing(at(-50))] }), at(0));
    expect(clock.observe(resource({ serialNumber: "02" }), at(10))).toBe(60);
  });
});

/** One sample's value from the registry's text exposition, or undefined when absent. */
async function sample(metrics: OperatorMetrics, series: string): Promise<number | undefined> {
  const text = await metrics.registry.metrics();
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe("OperatorMetrics", () => {
  it("observes the issuance a pass completed in the latency histogram", async () => {
    const metrics = new OperatorMetrics();
    const name = "dnsimple_cert_operator_certificate_issuance_duration_seconds";
    metrics.observeCertificate(resource({}), at(1));
    metrics.observeCertificate(resource({ serialNumber: "01" }), at(45));
    expect(await sample(metrics, `${name}_count`)).toBe(1);
    expect(await sample(metrics, `${name}_sum`)).toBe(45);
    expect(await sample(metrics, `${name}_bucket{le="30"}`)).toBe(0);
    expect(await sample(metrics, `${name}_bucket{le="60"}`)).toBe(1);
  });

  it("serves failed attempts in a row per certificate, 0 after a success, gone on delete", async () => {
    const metrics = new OperatorMetrics();
    const series = 'dnsimple_cert_operator_certificate_failed_attempts{name="www",namespace="web"}';
    metrics.observeCertificate(resource({ failedAttempts: 3 }));
    expect(await sample(metrics, series)).toBe(3);
    metrics.observeCertificate(resource({ serialNumber: "01" }));
    expect(await sample(metrics, series)).toBe(0);
    metrics.forgetCertificate("web", "www");
    expect(await sample(metrics, series)).toBeUndefined();
  });

  it("serves a token's remaining budget with its limit and reset, and forgets them together", async () => {
    const metrics = new OperatorMetrics();
    const resetAt = at(3600);
    metrics.observeRateLimit({
      tokenFingerprint: "abc123",
      limit: 2400,
      remaining: 90,
      resetAt,
      windowMs: 3_600_000,
      windowMeasured: true,
    });
    const labels = '{token_fingerprint="abc123"}';
    const prefix = "dnsimple_cert_operator_dnsimple_rate_limit";
    expect(await sample(metrics, `${prefix}_remaining${labels}`)).toBe(90);
    expect(await sample(metrics, `${prefix}_limit${labels}`)).toBe(2400);
    expect(await sample(metrics, `${prefix}_reset_timestamp_seconds${labels}`)).toBe(
      resetAt.getTime() / 1000,
    );
    metrics.forgetToken("abc123");
    for (const name of ["remaining", "limit", "reset_timestamp_seconds"]) {
      expect(await sample(metrics, `${prefix}_${name}${labels}`)).toBeUndefined();
    }
  });
});
