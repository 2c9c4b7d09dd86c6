// The issuers' Ready condition against a real API server and the DNSimple simulator: a token
// DNSimple accepts is Verified with its account; a missing Secret is CredentialsNotFound until
// it is created, then Verified within the resync; a refused token is Unauthorized, for a
// DnsimpleIssuer and a ClusterDnsimpleIssuer alike; an unchanged issuer is asked about again
// once its reverify interval passed, without a write; a restart asks nothing about an issuer verified with the token as it
// is; kubectl shows Ready. No token reaches a log line, a status or an Event.
//
// The cluster-scoped case uses a token no simulator accepts: every test file's operator sees
// every ClusterDnsimpleIssuer and checks it against its own simulator, so only a refusal is
// what they all agree on (see issuers/issuer-controller.ts).
import { randomBytes } from "node:crypto";
import { PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { afterAll, describe, expect, it } from "vitest";
import {
  CLUSTER_ISSUER_KIND,
  CLUSTER_ISSUER_PLURAL,
  type DnsimpleIssuer,
  ISSUER_KIND,
  ISSUER_PLURAL,
  type IssuerKind,
} from "../../src/api/issuers.ts";
import { GROUP, VERSION } from "../../src/api/v1alpha1.ts";
import { parseConfig } from "../../src/config.ts";
import { core, kubectl, objects, useNamespace, waitFor } from "./support/kube.ts";
import { createCredentials, useOperator } from "./support/operator.ts";

const ns = useNamespace("issuer-ready");
const TOKEN = "issuer-ready-token-5c2e91";
const ACCOUNT_ID = 3141;
const REFUSED_TOKEN = "issuer-ready-refused-token-0b7d44";
const suffix = randomBytes(4).toString("hex");
/** No simulator of any test file accepts it: every operator finds it Unauthorized. */
const NOBODYS_TOKEN = `issuer-ready-nobodys-token-${suffix}`;
const CLUSTER_ISSUER = `issuer-ready-${suffix}`;
/** Where every test file's operator reads ClusterDnsimpleIssuers' Secrets: none sets the flag. */
const CLUSTER_RESOURCE_NAMESPACE = parseConfig([], {}).clusterResourceNamespace;
const TOKENS = [TOKEN, REFUSED_TOKEN, NOBODYS_TOKEN];

const env = useOperator({
  namespace: ns,
  simulator: { token: TOKEN, accountId: ACCOUNT_ID, domains: ["example.com"], issueDelayMs: 100 },
  // Short, so a Secret created after its issuer is found within the test.
  // A reverify interval as short as the resync, so each resync past it asks whoami again.
  flags: ["--resync-interval=2s", "--issuer-reverify-interval=2s"],
});

afterAll(async () => {
  await objects()
    .deleteClusterCustomObject(clusterRef(CLUSTER_ISSUER))
    .catch(() => {});
  await core()
    .deleteNamespacedSecret({ namespace: CLUSTER_RESOURCE_NAMESPACE, name: CLUSTER_ISSUER })
    .catch(() => {});
});

function clusterRef(name: string) {
  return { group: GROUP, version: VERSION, plural: CLUSTER_ISSUER_PLURAL, name };
}

function namespacedRef(name: string) {
  return { group: GROUP, version: VERSION, plural: ISSUER_PLURAL, namespace: ns.name, name };
}

async function createIssuer(kind: IssuerKind, name: string, secretName: string): Promise<void> {
  const body = {
    apiVersion: `${GROUP}/${VERSION}`,
    kind,
    metadata: { name },
    spec: { credentialsRef: { name: secretName } },
  };
  if (kind === CLUSTER_ISSUER_KIND) {
    await objects().createClusterCustomObject({ ...clusterRef(name), body });
  } else {
    await objects().createNamespacedCustomObject({ ...namespacedRef(name), body });
  }
}

async function getIssuer(kind: IssuerKind, name: string): Promise<DnsimpleIssuer> {
  const found =
    kind === CLUSTER_ISSUER_KIND
      ? await objects().getClusterCustomObject(clusterRef(name))
      : await objects().getNamespacedCustomObject(namespacedRef(name));
  return found as DnsimpleIssuer;
}

function readyOf(issuer: DnsimpleIssuer) {
  return issuer.status?.conditions?.find((c) => c.type === "Ready");
}

/** Waits until the issuer's Ready has `status` and `reason`. */
function waitForIssuer(
  kind: IssuerKind,
  name: string,
  status: "True" | "False",
  reason: string,
  timeoutMs = 30_000,
): Promise<DnsimpleIssuer> {
  return waitFor(
    `${kind} ${name} Ready=${status} (${reason})`,
    async () => {
      const issuer = await getIssuer(kind, name);
      const ready = readyOf(issuer);
      return ready?.status === status && ready.reason === reason ? issuer : undefined;
    },
    timeoutMs,
  );
}

/** whoami calls the simulator answered 200: only its own token's. */
function acceptedWhoamis(): number {
  return env.simulator.calls().filter((c) => c.path === "/v2/whoami" && c.status === 200).length;
}

/** The rows of `kubectl get <plural>`, split into columns, by name. */
async function printedRows(args: string[]): Promise<Map<string, string[]>> {
  const { code, stdout, stderr } = await kubectl(["get", ...args]);
  expect(code, stderr).toBe(0);
  const rows = stdout
    .trim()
    .split("\n")
    .map((line) => line.trim().split(/\s+/));
  return new Map(rows.map((row) => [row[0] ?? "", row]));
}

describe("issuer Ready", () => {
  it("a token DNSimple accepts: Ready=True Verified, with the account", async () => {
    await createCredentials(ns.name, "good", { token: TOKEN });
    await createIssuer(ISSUER_KIND, "good", "good");
    const issuer = await waitForIssuer(ISSUER_KIND, "good", "True", "Verified");
    expect(issuer.status?.accountId).toBe(String(ACCOUNT_ID));
    // The account's plan, as whoami names it: the Ingress source reads what it may order.
    expect(issuer.status?.plan).toBe("dnsimple-professional");
    expect(issuer.status?.observedGeneration).toBe(issuer.metadata.generation);
    expect(readyOf(issuer)).toMatchObject({
      observedGeneration: issuer.metadata.generation,
      message: `token verified for DNSimple account ${ACCOUNT_ID}`,
    });
  });

  it("a missing Secret: CredentialsNotFound, then Verified within the resync once it exists", async () => {
    await createIssuer(ISSUER_KIND, "late", "late-secret");
    const failed = await waitForIssuer(ISSUER_KIND, "late", "False", "CredentialsNotFound");
    expect(readyOf(failed)?.message).toContain(`Secret ${ns.name}/late-secret`);
    expect(failed.status).not.toHaveProperty("accountId");
    // Token Secrets are not watched: the resync (2 s here) finds it.
    await createCredentials(ns.name, "late-secret", {
      token: TOKEN,
      accountId: String(ACCOUNT_ID),
    });
    const verified = await waitForIssuer(ISSUER_KIND, "late", "True", "Verified", 15_000);
    expect(verified.status?.accountId).toBe(String(ACCOUNT_ID));
    const became = new Date(readyOf(verified)?.lastTransitionTime ?? 0);
    expect(became.getTime()).toBeGreaterThan(
      new Date(readyOf(failed)?.lastTransitionTime ?? 0).getTime(),
    );
  });

  it("a token the simulator refuses: Ready=False Unauthorized", async () => {
    await createCredentials(ns.name, "refused", { token: REFUSED_TOKEN });
    await createIssuer(ISSUER_KIND, "refused", "refused");
    const issuer = await waitForIssuer(ISSUER_KIND, "refused", "False", "Unauthorized");
    expect(readyOf(issuer)?.message).toContain(`the token in Secret ${ns.name}/refused`);
    expect(issuer.status).not.toHaveProperty("accountId");
  });

  it("a ClusterDnsimpleIssuer whose token no DNSimple accepts: Ready=False Unauthorized", async () => {
    await createCredentials(CLUSTER_RESOURCE_NAMESPACE, CLUSTER_ISSUER, { token: NOBODYS_TOKEN });
    await createIssuer(CLUSTER_ISSUER_KIND, CLUSTER_ISSUER, CLUSTER_ISSUER);
    const issuer = await waitForIssuer(
      CLUSTER_ISSUER_KIND,
      CLUSTER_ISSUER,
      "False",
      "Unauthorized",
    );
    expect(readyOf(issuer)?.message).toContain(
      `the token in Secret ${CLUSTER_RESOURCE_NAMESPACE}/${CLUSTER_ISSUER}`,
    );
  });

  it("asks about an unchanged issuer again once the reverify interval passed, without writing its status", async () => {
    const before = await waitForIssuer(ISSUER_KIND, "good", "True", "Verified");
    // "good" and "late" are checked with the simulator's token: two more checks of each.
    const calls = acceptedWhoamis();
    await waitFor("two resyncs' checks", () => (acceptedWhoamis() >= calls + 4 ? true : undefined));
    const after = await getIssuer(ISSUER_KIND, "good");
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
  });

  /** The first operator process's lines, kept across the restart for the secrecy check. */
  const earlierLogs: string[] = [];

  it("a restart trusts a Verified issuer whose token did not change, and checks one whose did", async () => {
    const good = await waitForIssuer(ISSUER_KIND, "good", "True", "Verified");
    expect(good.status?.tokenVersion).toMatch(/^secret:[0-9a-f-]{36}\/\d+$/);
    const lateBefore = await waitForIssuer(ISSUER_KIND, "late", "True", "Verified");
    earlierLogs.push(...env.operator.logs);
    await env.stopOperator();
    // While the operator is down, "late"'s token Secret changes (any write counts).
    await core().patchNamespacedSecret(
      { namespace: ns.name, name: "late-secret", body: { metadata: { labels: { rotated: "1" } } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    env.simulator.resetCalls();
    await env.startOperator();
    const trusted = (name: string) =>
      env.operator.logs.some(
        (l) => l.includes(`"issuer":"DnsimpleIssuer/${ns.name}/${name}"`) && l.includes("trusted"),
      );
    // The first look at each issuer comes before its first resync (2 s): "good" is trusted, and
    // the one accepted whoami so far is "late"'s, whose Secret is not the one verified.
    await waitFor("good trusted and late checked", () =>
      trusted("good") && acceptedWhoamis() >= 1 ? true : undefined,
    );
    expect(trusted("late")).toBe(false);
    expect(acceptedWhoamis()).toBe(1);
    await waitFor("late verified with its new Secret", async () => {
      const late = await getIssuer(ISSUER_KIND, "late");
      return late.status?.tokenVersion !== lateBefore.status?.tokenVersion ? true : undefined;
    });
  });

  it("kubectl get shows Ready, the reason and the account", async () => {
    const rows = await printedRows(["dnsimpleissuers", "-n", ns.name]);
    expect(rows.get("NAME")?.slice(0, 4)).toEqual(["NAME", "READY", "REASON", "ACCOUNT"]);
    expect(rows.get("good")?.slice(1, 4)).toEqual(["True", "Verified", String(ACCOUNT_ID)]);
    expect(rows.get("refused")?.slice(1, 3)).toEqual(["False", "Unauthorized"]);
    const cluster = await printedRows(["clusterdnsimpleissuers", CLUSTER_ISSUER]);
    expect(cluster.get(CLUSTER_ISSUER)?.slice(1, 3)).toEqual(["False", "Unauthorized"]);
  });

  it("no token in the operator's logs, the issuers' status or Events", async () => {
    const statuses = await Promise.all(
      [
        getIssuer(ISSUER_KIND, "good"),
        getIssuer(ISSUER_KIND, "late"),
        getIssuer(ISSUER_KIND, "refused"),
        getIssuer(CLUSTER_ISSUER_KIND, CLUSTER_ISSUER),
      ].map(async (issuer) => JSON.stringify((await issuer).status)),
    );
    const events = await core().listNamespacedEvent({ namespace: ns.name });
    const logs = [...earlierLogs, ...env.operator.logs];
    // The logs are the real thing: the checks were logged.
    expect(logs.some((l) => l.includes(`"issuer":"DnsimpleIssuer/${ns.name}/refused"`))).toBe(true);
    for (const token of TOKENS) {
      for (const line of logs) expect(line).not.toContain(token);
      for (const status of statuses) expect(status).not.toContain(token);
      for (const event of events.items) expect(JSON.stringify(event)).not.toContain(token);
    }
  });
});
