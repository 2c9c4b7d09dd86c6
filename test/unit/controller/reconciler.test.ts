// Whole passes of the reconciler by table, as cert-manager's trigger_controller_test: each row
// sets a situation up (the resource, what DNSimple holds, the Secret), runs reconcile(key), and
// names what the pass must have done: the Events in order, how many status and Secret writes
// and purchases, and the Ready condition it leaves. Kubernetes is the recording cluster
// (recording-cluster.ts); DNSimple is the project's simulator, in process.

import type { V1Secret } from "@kubernetes/client-node";
import { afterEach, describe, expect, it } from "vitest";
import {
  type DnsimpleCertificate,
  type DnsimpleCertificateStatus,
  TAKEOVER_ANNOTATION,
} from "../../../src/api/v1alpha1.ts";
import { DomainCertificates } from "../../../src/controller/domain-certificates.ts";
import type { ResolvedCredentials } from "../../../src/controller/ports.ts";
import { keyOf, Reconciler, splitKey, statusChanged } from "../../../src/controller/reconciler.ts";
import type { DnsimpleClient } from "../../../src/dnsimple/client.ts";
import { createLogger } from "../../../src/observability/logger.ts";
import type { Simulator, SimulatorOptions } from "../../../src/simulator/simulator.ts";
import { waitInProcess } from "../../support/wait-for.ts";
import { startTestSimulator, TOKEN, testClient } from "../dnsimple/helpers.ts";
import { resource } from "./fixtures.ts";
import { RecordingCluster } from "./recording-cluster.ts";

const ACCOUNT = 1010;

interface Bed {
  simulator: Simulator;
  cluster: RecordingCluster;
  reconciler: Reconciler;
  client: DnsimpleClient;
  key: string;
  /** Runs one pass of the resource. */
  pass: () => Promise<{ requeueAfterMs?: number }>;
  /** Runs passes until Ready=True (the simulator issues within its delay). */
  untilReady: () => Promise<void>;
}

const beds: Bed[] = [];
afterEach(async () => {
  for (const bed of beds.splice(0)) await bed.simulator.close();
});

async function bedFor(
  spec: Partial<DnsimpleCertificate["spec"]> = {},
  simulator: Partial<SimulatorOptions> = {},
  token = TOKEN,
): Promise<Bed> {
  const sim = await startTestSimulator({ issueDelayMs: 0, ...simulator });
  const client = testClient(sim.url, { token });
  const cluster = new RecordingCluster();
  const credentials = async (): Promise<ResolvedCredentials> => ({
    kind: "ok",
    accountId: String(ACCOUNT),
    client,
  });
  const reconciler = new Reconciler({
    ports: {
      ...cluster.ports(),
      credentials: { resolve: credentials },
      domainCertificates: new DomainCertificates(60_000),
    },
    log: createLogger("silent"),
    pollIntervalMs: 1000,
    resyncIntervalMs: 600_000,
  });
  const created = cluster.create(resource(spec));
  const key = keyOf(created.metadata.namespace, created.metadata.name);
  const pass = () => reconciler.reconcile(key);
  const untilReady = async () => {
    for (let i = 0; i < 10 && readyOf(cluster, key)?.status !== "True"; i++) {
      await pass();
      // The next pass after DNSimple answered, not a race with its issuance (CI under load).
      await waitInProcess("DNSimple to finish issuing", () =>
        sim.certificates().some((c) => c.state === "requesting") ? undefined : true,
      );
    }
    expect(readyOf(cluster, key)?.status).toBe("True");
  };
  const bed = { simulator: sim, cluster, reconciler, client, key, pass, untilReady };
  beds.push(bed);
  return bed;
}

function readyOf(cluster: RecordingCluster, key: string) {
  const { namespace, name } = splitKey(key);
  return cluster.get(namespace, name)?.status?.conditions?.find((c) => c.type === "Ready");
}

interface Want {
  /** The Events of the pass, by reason, in order. */
  events: string[];
  statusWrites: number;
  secretWrites: number;
  /** Certificates bought from DNSimple in the pass. */
  purchases: number;
  ready: { status: "True" | "False"; reason: string };
  /** Calls to DNSimple in the pass. */
  calls: number;
}

interface Row {
  name: string;
  /** Prepares the situation; what it records is forgotten before the pass. */
  given: () => Promise<Bed>;
  want: Want;
}

/** A bed after its first pass, once DNSimple has issued what that pass ordered. */
async function issuedSinceLastPass(bed: Bed): Promise<Bed> {
  await bed.pass();
  await waitInProcess("DNSimple to issue", () =>
    bed.simulator.certificates().every((c) => c.state === "issued") ? true : undefined,
  );
  return bed;
}

/** A bed whose resource is Ready, changed by `change`. */
async function readyThen(change: (bed: Bed, current: DnsimpleCertificate) => void): Promise<Bed> {
  const bed = await bedFor();
  await bed.untilReady();
  const current = bed.cluster.get("web", "www");
  if (!current) throw new Error("no resource");
  change(bed, current);
  return bed;
}

const renewAtNow = (bed: Bed, current: DnsimpleCertificate) => {
  const annotations = { "dnsimple-cert-operator.dev/renew-at": new Date().toISOString() };
  bed.cluster.resources.set(bed.key, {
    ...current,
    metadata: { ...current.metadata, annotations },
  });
};

/** A Secret someone else made under the resource's secretName (not the operator's label). */
function plantForeignSecret(bed: Bed, annotations: Record<string, string> = {}): V1Secret {
  const secret: V1Secret = {
    apiVersion: "v1",
    kind: "Secret",
    type: "kubernetes.io/tls",
    metadata: { name: "www-tls", namespace: "web", annotations },
    data: { "tls.crt": "c29tZW9uZSBlbHNlJ3M=", "tls.key": "bm90IG91cnM=" },
  };
  bed.cluster.secrets.set("web/www-tls", secret);
  return structuredClone(secret);
}

/** tls.crt as someone else wrote it: not a certificate. */
const GARBAGE = Buffer.from("not a certificate").toString("base64");

/** A Ready resource that now asks for an extra key: the next pass reads the Secret past the cache. */
const askForCombinedPem = (bed: Bed, current: DnsimpleCertificate) =>
  bed.cluster.resources.set(bed.key, {
    ...current,
    spec: { ...current.spec, additionalOutputFormats: [{ type: "CombinedPEM" }] },
  });

/** The Secret serves a certificate the operator checked, and status records that version. */
function expectServedAndRecorded(bed: Bed): void {
  const secret = bed.cluster.secrets.get("web/www-tls");
  const crt = Buffer.from(secret?.data?.["tls.crt"] ?? "", "base64").toString();
  expect(crt).toContain("BEGIN CERTIFICATE");
  expect(readyOf(bed.cluster, bed.key)?.status).toBe("True");
  const record = bed.cluster.get("web", "www")?.status?.verifiedSecret;
  expect(record?.resourceVersion).toBe(secret?.metadata?.resourceVersion);
}

const rows: Row[] = [
  {
    name: "a new resource: intent, order, issue; then polled while DNSimple issues",
    given: () => bedFor(),
    want: {
      events: ["Ordered", "IssueRequested"],
      // The intent, the purchase, the final status.
      statusWrites: 3,
      secretWrites: 0,
      purchases: 1,
      ready: { status: "False", reason: "Issuing" },
      // The order and the issue.
      calls: 2,
    },
  },
  {
    name: "issued since the last pass: fetched, downloaded with its key, verified, written",
    given: async () => issuedSinceLastPass(await bedFor()),
    want: {
      events: ["Issued", "SecretWritten"],
      statusWrites: 1,
      secretWrites: 1,
      purchases: 0,
      ready: { status: "True", reason: "Ready" },
      calls: 3,
    },
  },
  {
    name: "Ready and nothing due: no DNSimple call, no write, no Event",
    given: () => readyThen(() => {}),
    want: {
      events: [],
      statusWrites: 0,
      secretWrites: 0,
      purchases: 0,
      ready: { status: "True", reason: "Ready" },
      calls: 0,
    },
  },
  {
    name: "the Secret was deleted: downloaded again and restored, nothing bought",
    given: () => readyThen((bed) => bed.cluster.secrets.clear()),
    want: {
      events: ["Downloaded", "SecretWritten"],
      // The status already says what the Secret holds again; only the record of its check
      // moves to the Secret's new version (verified-secret.ts), so a restart need not check it.
      statusWrites: 1,
      secretWrites: 1,
      purchases: 0,
      ready: { status: "True", reason: "Ready" },
      calls: 3,
    },
  },
  {
    name: "the template's labels changed: the metadata rewritten, nothing downloaded",
    given: () =>
      readyThen((bed, current) =>
        bed.cluster.resources.set(bed.key, {
          ...current,
          spec: { ...current.spec, secretTemplate: { labels: { team: "web" } } },
        }),
      ),
    want: {
      events: [],
      // The record of the Secret's check, moved to the version written (verified-secret.ts).
      statusWrites: 1,
      secretWrites: 1,
      purchases: 0,
      ready: { status: "True", reason: "Ready" },
      calls: 0,
    },
  },
  {
    name: "a Secret someone else made holds the name: SecretConflict, nothing bought or written",
    given: async () => {
      const bed = await bedFor();
      plantForeignSecret(bed);
      return bed;
    },
    want: {
      events: ["SecretConflict"],
      statusWrites: 1,
      secretWrites: 0,
      purchases: 0,
      ready: { status: "False", reason: "SecretConflict" },
      calls: 0,
    },
  },
  {
    name: "a Secret someone else made, handed over by its owner: ordered, then written",
    given: async () => {
      const bed = await bedFor();
      plantForeignSecret(bed, { [TAKEOVER_ANNOTATION]: "www" });
      return issuedSinceLastPass(bed);
    },
    want: {
      events: ["Issued", "SecretWritten"],
      statusWrites: 1,
      secretWrites: 1,
      purchases: 0,
      ready: { status: "True", reason: "Ready" },
      calls: 3,
    },
  },
  {
    name: "an order DNSimple refuses (alternate names on a personal plan): the intent goes, NotAllowed",
    given: () => bedFor({ alternateNames: ["docs.example.com"] }, { plan: "personal" }),
    want: {
      events: ["NotAllowed"],
      // The intent, its removal, the final status.
      statusWrites: 3,
      secretWrites: 0,
      purchases: 0,
      ready: { status: "False", reason: "NotAllowed" },
      calls: 1,
    },
  },
  {
    name: "a token DNSimple rejects: Unauthorized, nothing bought, the intent goes",
    given: () => bedFor({}, {}, "not-the-token"),
    want: {
      events: ["Unauthorized"],
      statusWrites: 3,
      secretWrites: 0,
      purchases: 0,
      ready: { status: "False", reason: "Unauthorized" },
      calls: 1,
    },
  },
  {
    name: "the API server refuses the Secret: SecretWriteFailed, nothing else lost",
    given: async () => {
      const bed = await issuedSinceLastPass(await bedFor());
      bed.cluster.refusedSecrets.add("www-tls");
      return bed;
    },
    want: {
      events: ["Issued", "SecretWriteFailed"],
      statusWrites: 1,
      secretWrites: 0,
      purchases: 0,
      ready: { status: "False", reason: "SecretWriteFailed" },
      calls: 3,
    },
  },
  {
    name: "an order whose answer was lost (intent in status, order in DNSimple): recovered, not bought again",
    given: async () => {
      const bed = await bedFor({}, { issueDelayMs: 60_000 });
      const startedAt = new Date().toISOString();
      await bed.client.orderLetsencrypt(ACCOUNT, "example.com", {
        name: "www",
        alternate_names: [],
        auto_renew: false,
        signature_algorithm: "ECDSA",
      });
      const current = bed.cluster.get("web", "www");
      if (!current) throw new Error("no resource");
      const pendingOrder = {
        startedAt,
        accountId: String(ACCOUNT),
        domain: "example.com",
        commonName: "www.example.com",
      };
      await bed.cluster.replaceStatus(current, { pendingOrder });
      return bed;
    },
    want: {
      events: ["OrderRecovered", "IssueRequested"],
      // The adoption, the final status.
      statusWrites: 2,
      secretWrites: 0,
      purchases: 0,
      ready: { status: "False", reason: "Issuing" },
      // The list, the issue.
      calls: 2,
    },
  },
  {
    name: "a renewal asked for (renew-at): a renewal ordered and issuing; the Secret keeps serving",
    given: () => readyThen(renewAtNow),
    want: {
      events: ["RenewalOrdered", "IssueRequested"],
      statusWrites: 3,
      secretWrites: 0,
      purchases: 1,
      ready: { status: "True", reason: "Ready" },
      calls: 2,
    },
  },
  {
    name: "the renewal issued: the Secret swapped to the new certificate",
    given: async () => issuedSinceLastPass(await readyThen(renewAtNow)),
    want: {
      events: ["Issued", "SecretWritten"],
      statusWrites: 1,
      secretWrites: 1,
      purchases: 0,
      ready: { status: "True", reason: "Ready" },
      calls: 3,
    },
  },
];

describe("Reconciler, pass by pass", () => {
  it.each(rows)("$name", async ({ given, want }) => {
    const bed = await given();
    bed.cluster.resetRecords();
    bed.simulator.resetCalls();
    const purchasesBefore = bed.simulator.purchases().length;

    await bed.pass();

    expect(bed.cluster.events.map((e) => e.reason)).toEqual(want.events);
    expect(bed.cluster.statusWrites).toHaveLength(want.statusWrites);
    expect(bed.cluster.secretWrites).toHaveLength(want.secretWrites);
    expect(bed.simulator.purchases().length - purchasesBefore).toBe(want.purchases);
    expect(readyOf(bed.cluster, bed.key)).toMatchObject(want.ready);
    expect(bed.simulator.calls()).toHaveLength(want.calls);
  });

  it("leaves a Secret someone else made byte for byte, whatever it holds", async () => {
    const bed = await bedFor();
    const before = plantForeignSecret(bed);
    for (let i = 0; i < 3; i++) await bed.pass();
    expect(bed.cluster.secrets.get("web/www-tls")).toEqual(before);
    expect(bed.simulator.purchases()).toHaveLength(0);
  });

  it("a Secret made between the look and the write stays its maker's (create, not apply)", async () => {
    const bed = await issuedSinceLastPass(await bedFor());
    // The lookup finds the name free; someone takes it before the write.
    let before: V1Secret | undefined;
    bed.cluster.afterLookup = () => {
      before = plantForeignSecret(bed);
      bed.cluster.afterLookup = undefined;
    };
    bed.cluster.resetRecords();
    await bed.pass();
    expect(before).toBeDefined();
    expect(bed.cluster.events.at(-1)?.message).toContain("was created by someone else");
    expect(bed.cluster.events.map((e) => e.reason)).toEqual(["Issued", "SecretConflict"]);
    expect(bed.cluster.secrets.get("web/www-tls")).toEqual(before);
  });

  it("a lost order's waits do not grow the failure streak", async () => {
    const bed = await bedFor();
    const current = bed.cluster.get("web", "www");
    if (!current) throw new Error("no resource");
    const secondsAgo = new Date(Date.now() - 5_000).toISOString();
    await bed.cluster.replaceStatus(current, {
      // An order sent 5 s ago got no answer (one failed attempt); it is not in DNSimple's list.
      pendingOrder: { startedAt: secondsAgo, accountId: String(ACCOUNT), domain: "example.com" },
      failedAttempts: 1,
      lastFailureTime: secondsAgo,
    });
    for (let pass = 0; pass < 3; pass++) await bed.pass();
    const ready = readyOf(bed.cluster, bed.key);
    expect(ready).toMatchObject({ status: "False", reason: "OrderOutcomeUnknown" });
    expect(bed.cluster.get("web", "www")?.status?.failedAttempts).toBe(1);
    expect(bed.simulator.purchases()).toHaveLength(0);
  });

  it("a Secret changed past the cache while its extra keys are judged is judged afresh, not written back or recorded", async () => {
    const bed = await readyThen(askForCombinedPem);
    // checkOutputs reads the Secret past the cache: by then someone wrote other bytes.
    bed.cluster.beforeLookup = () => {
      bed.cluster.beforeLookup = undefined;
      bed.cluster.editSecret("web", "www-tls", { "tls.crt": GARBAGE });
    };
    bed.cluster.resetRecords();
    await bed.pass();
    expect(bed.cluster.secretWrites.map((w) => w.content["tls.crt"])).not.toContain(
      Buffer.from(GARBAGE, "base64").toString(),
    );
    expectServedAndRecorded(bed);
  });

  it("a Secret changed between its read and the apply over it is judged afresh (the apply's precondition)", async () => {
    const bed = await readyThen(askForCombinedPem);
    // Read at the version judged; written over before the apply.
    bed.cluster.afterLookup = () => {
      bed.cluster.afterLookup = undefined;
      bed.cluster.editSecret("web", "www-tls", { "tls.crt": GARBAGE });
    };
    bed.cluster.resetRecords();
    bed.simulator.resetCalls();
    await bed.pass();
    // The apply over the version read is refused, so the newer bytes are not overwritten with
    // the older: they are judged (broken), and the certificate downloaded again.
    const paths = bed.simulator.calls().map((c) => c.pathWithQuery);
    expect(paths.some((p) => p.endsWith("/download"))).toBe(true);
    expectServedAndRecorded(bed);
  });

  it("a bundle without a root takes another manager's ca.crt over empty before it is recorded", async () => {
    const bed = await bedFor({}, { includeRoot: false });
    bed.cluster.othersData.set("web/www-tls", {
      "ca.crt": Buffer.from("forged").toString("base64"),
    });
    await bed.untilReady();
    const secret = bed.cluster.secrets.get("web/www-tls");
    expect(secret?.data?.["ca.crt"]).toBe("");
    expect(bed.cluster.secretWrites.at(-1)?.content["ca.crt"]).toBe("");
    expectServedAndRecorded(bed);
  });

  it("never lets the token or the private key into status or Events", async () => {
    const bed = await bedFor();
    await bed.untilReady();
    const secret = bed.cluster.secrets.get("web/www-tls");
    const key = Buffer.from(secret?.data?.["tls.key"] ?? "", "base64").toString();
    expect(key).toContain("PRIVATE KEY");
    const said = JSON.stringify([bed.cluster.statusWrites, bed.cluster.events]);
    expect(said).not.toContain(TOKEN);
    expect(said).not.toContain(key.split("\n")[1]);
  });
});

describe("statusChanged", () => {
  const record = (resourceVersion: string) => ({
    name: "www-tls",
    resourceVersion,
    validFrom: "2026-12-01T00:00:00.000Z",
    validUntil: "2027-03-01T00:00:00.000Z",
  });
  const facts: DnsimpleCertificateStatus = { serialNumber: "01", observedGeneration: 1 };
  it.each<[string, DnsimpleCertificateStatus, DnsimpleCertificateStatus, boolean]>([
    [
      "the same, keys in another order",
      { observedGeneration: 1, serialNumber: "01" },
      facts,
      false,
    ],
    ["a fact changed", { ...facts, serialNumber: "02" }, facts, true],
    // After an upgrade: written with the next change, not by every resource at once.
    [
      "only a first record of the Secret's check",
      { ...facts, verifiedSecret: record("7") },
      facts,
      false,
    ],
    [
      "a first record with a change",
      { ...facts, serialNumber: "02", verifiedSecret: record("7") },
      facts,
      true,
    ],
    [
      "the record moved to another version",
      { ...facts, verifiedSecret: record("8") },
      { ...facts, verifiedSecret: record("7") },
      true,
    ],
    ["the record dropped", facts, { ...facts, verifiedSecret: record("7") }, true],
    [
      "the record as written",
      { ...facts, verifiedSecret: record("7") },
      { ...facts, verifiedSecret: record("7") },
      false,
    ],
  ])("%s", (_what, next, written, changed) => {
    expect(statusChanged(next, written)).toBe(changed);
  });
});
