// Ingresses as sources (issue 13): an Ingress annotated with an issuer gets a
// DnsimpleCertificate per tls entry, kept in sync both ways, on the real control plane and the
// simulator. Each sync rule has a test here: create per entry, domain inference (longest
// match), host changes and what they buy, hand edits and hand deletions put back, a
// hand-made resource of the same name left alone, unserviceable hosts refused without a call,
// an entry or the annotation removed, the Ingress deleted, and a restart over all of it.
import { NetworkingV1Api, type V1Ingress, type V1IngressTLS } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLUSTER_ISSUER_PLURAL } from "../../src/api/issuers.ts";
import { type DnsimpleCertificate, GROUP, PLURAL, VERSION } from "../../src/api/v1alpha1.ts";
import { GENERATED_BY_LABEL } from "../../src/sources/generated.ts";
import { verifySecret } from "../support/tls-secret.ts";
import { adminKubeConfig, objects, useNamespace, waitFor } from "./support/kube.ts";
import {
  applyClusterIssuer,
  createCertificate,
  eventsFor,
  getCertificate,
  getSecret,
  type RunningOperator,
  startOperator,
  testIssuerName,
  waitForReady,
} from "./support/operator.ts";
import { purchasesOf, useSimulator } from "./support/simulator.ts";

const ns = useNamespace("ingress");
const TOKEN = "ingress-source-token-31c9";
const ACCOUNT = 4411;
const env = useSimulator({
  token: TOKEN,
  accountId: ACCOUNT,
  domains: ["example.com", "shop.example.com", "other.org"],
  issueDelayMs: 50,
});

let operator: RunningOperator;
const networking = () => adminKubeConfig().makeApiClient(NetworkingV1Api);
const issuer = () => testIssuerName(ns.name);

const start = () =>
  startOperator(ns.name, env.simulator, [
    `--dnsimple-token=${TOKEN}`,
    `--dnsimple-account-id=${ACCOUNT}`,
  ]);

beforeAll(async () => {
  operator = await start();
});

afterAll(async () => {
  await operator?.stop();
});

function ingress(
  name: string,
  tls: V1IngressTLS[],
  annotations: Record<string, string> = { [`${GROUP}/cluster-issuer`]: issuer() },
): V1Ingress {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: { name, namespace: ns.name, annotations },
    spec: {
      tls,
      rules: (tls[0]?.hosts ?? []).map((host) => ({
        host: host.replace(/^\*\./, "any."),
        http: {
          paths: [
            {
              path: "/",
              pathType: "Prefix",
              backend: { service: { name: "web", port: { number: 80 } } },
            },
          ],
        },
      })),
    },
  };
}

async function createIngress(body: V1Ingress): Promise<V1Ingress> {
  return networking().createNamespacedIngress({ namespace: ns.name, body });
}

/** Replaces the Ingress's tls and annotations (read, change, replace). */
async function changeIngress(name: string, change: (i: V1Ingress) => void): Promise<void> {
  const current = await networking().readNamespacedIngress({ name, namespace: ns.name });
  change(current);
  await networking().replaceNamespacedIngress({ name, namespace: ns.name, body: current });
}

async function findCertificate(name: string): Promise<DnsimpleCertificate | undefined> {
  return getCertificate(ns.name, name).catch(() => undefined);
}

async function waitForGone(name: string): Promise<void> {
  await waitFor(`DnsimpleCertificate ${name} deleted`, async () =>
    (await findCertificate(name)) ? undefined : true,
  );
}

/** Waits for an Event of `reason` on the Ingress whose message contains `text`. */
async function ingressEvent(name: string, reason: string, text = ""): Promise<string> {
  return waitFor(`${reason} Event on Ingress ${name}${text ? ` about ${text}` : ""}`, async () => {
    const events = await eventsFor(ns.name, name);
    const event = events.find(
      (e) =>
        e.involvedObject.kind === "Ingress" &&
        e.reason === reason &&
        (e.message ?? "").includes(text),
    );
    return event?.message;
  });
}

/** The operator has judged `ingress` since log line `since` (it logs each pass at debug). */
async function synced(name: string, since: number): Promise<void> {
  await waitFor(`a pass over Ingress ${name}`, async () =>
    operator.logs
      .slice(since)
      .some((l) => l.includes('"msg":"source synced"') && l.includes(`Ingress ${ns.name}/${name}"`))
      ? true
      : undefined,
  );
}

/** The Secret verifies (leaf signed through the chain by the simulator's root, key matches, valid now), for exactly `names`. */
async function verifiedFor(secretName: string, names: string[]): Promise<void> {
  const secret = await getSecret(ns.name, secretName);
  const verified = verifySecret(secret?.data ?? {}, env.simulator.rootPem);
  expect(verified.dnsNames.sort()).toEqual([...names].sort());
}

const API_NAMES = ["api.example.com", "docs.example.com", "status.example.com"];

/** The names a spec asks for (the name under the domain, and the alternate names). */
function specNames(spec: DnsimpleCertificate["spec"]): string[] {
  return [`${spec.name}.${spec.domain}`, ...(spec.alternateNames ?? [])];
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return [...a].sort().join() === [...b].sort().join();
}

/**
 * The DNSimple calls since `since` but whoami: every operator on the shared control plane checks
 * every ClusterDnsimpleIssuer's token (other test files' too), the issuer controller's, not
 * the sources'.
 */
const sourceCalls = (since: number) =>
  env.simulator
    .calls()
    .slice(since)
    .filter((c) => c.operation !== "whoami");

const domainLists = () => env.simulator.calls().filter((c) => c.operation === "listDomains");

describe("an annotated Ingress", () => {
  it("gets one DnsimpleCertificate per tls entry, both Ready, both Secrets verified", async () => {
    const listsBefore = domainLists().length;
    const created = await createIngress(
      ingress("shop", [
        { hosts: ["www.example.com", "example.com"], secretName: "www-tls" },
        { hosts: ["api.example.com", "docs.example.com"], secretName: "api-tls" },
      ]),
    );
    const www = await waitForReady(ns.name, "www-tls", "True");
    const api = await waitForReady(ns.name, "api-tls", "True");
    expect(www.spec).toMatchObject({
      domain: "example.com",
      name: "www",
      secretName: "www-tls",
      issuerRef: { kind: "ClusterDnsimpleIssuer", name: issuer() },
    });
    expect(www.spec.alternateNames).toBeUndefined();
    expect(api.spec).toMatchObject({
      domain: "example.com",
      name: "api",
      alternateNames: ["docs.example.com"],
    });
    for (const r of [www, api]) {
      expect(r.metadata.labels?.[GENERATED_BY_LABEL]).toBe("Ingress");
      expect(r.metadata.ownerReferences).toEqual([
        expect.objectContaining({
          kind: "Ingress",
          name: "shop",
          uid: created.metadata?.uid,
          controller: true,
        }),
      ]);
    }
    await verifiedFor("www-tls", ["example.com", "www.example.com"]);
    await verifiedFor("api-tls", ["api.example.com", "docs.example.com"]);
    expect(await ingressEvent("shop", "CreateCertificate", "www-tls")).toContain("example.com");
    await ingressEvent("shop", "CreateCertificate", "api-tls");
    // The domain came from the account's list: the entries' hosts share one suffix, one list.
    expect(domainLists().length - listsBefore).toBe(1);
    expect(domainLists().at(-1)?.pathWithQuery).toContain("name_like=example.com");
  });

  it("infers the longest matching DNSimple domain from the account's list", async () => {
    await createIngress(
      ingress("store", [{ hosts: ["cart.shop.example.com"], secretName: "cart-tls" }]),
    );
    const cart = await waitForReady(ns.name, "cart-tls", "True");
    expect(cart.spec).toMatchObject({ domain: "shop.example.com", name: "cart" });
    await verifiedFor("cart-tls", ["cart.shop.example.com"]);
  });

  it("follows host changes, and buys only when the names change", async () => {
    const bought = () => purchasesOf(env.simulator, "api").length;
    expect(bought()).toBe(1);
    await changeIngress("shop", (i) => {
      const tls = i.spec?.tls?.[1];
      if (tls) tls.hosts = ["api.example.com", "docs.example.com", "status.example.com"];
    });
    await ingressEvent("shop", "UpdateCertificate", "spec.alternateNames");
    await waitFor("api-tls Ready with status.example.com", async () => {
      const r = await getCertificate(ns.name, "api-tls");
      const ready = r.status?.conditions?.find((c) => c.type === "Ready")?.status === "True";
      return ready && r.status?.alternateNames?.includes("status.example.com") ? r : undefined;
    });
    await verifiedFor("api-tls", ["api.example.com", "docs.example.com", "status.example.com"]);
    expect(bought()).toBe(2);

    // The same names in another order: nothing to change, nothing bought.
    const before = (await getCertificate(ns.name, "api-tls")).metadata.resourceVersion;
    const since = operator.logs.length;
    await changeIngress("shop", (i) => {
      const tls = i.spec?.tls?.[1];
      if (tls) tls.hosts = ["status.example.com", "docs.example.com", "api.example.com"];
    });
    await synced("shop", since);
    expect((await getCertificate(ns.name, "api-tls")).metadata.resourceVersion).toBe(before);

    // An annotation that changes no name updates the resource and buys nothing.
    await changeIngress("shop", (i) => {
      i.metadata = {
        ...i.metadata,
        annotations: { ...i.metadata?.annotations, [`${GROUP}/renew-before`]: "240h" },
      };
    });
    await waitFor("api-tls renewBefore 240h", async () =>
      (await getCertificate(ns.name, "api-tls")).spec.renewBefore === "240h" ? true : undefined,
    );
    await waitForReady(ns.name, "api-tls", "True");
    expect(bought()).toBe(2);
    expect(purchasesOf(env.simulator, "www")).toHaveLength(1);
  });

  it("puts back a generated resource edited or deleted by hand", async () => {
    await objects().patchNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      plural: PLURAL,
      namespace: ns.name,
      name: "api-tls",
      body: [{ op: "replace", path: "/spec/alternateNames", value: ["evil.example.com"] }],
    });
    // Put back as the Ingress says: its hosts (in its order now, as the names changed).
    await waitFor("api-tls restored", async () =>
      sameSet(specNames((await getCertificate(ns.name, "api-tls")).spec), API_NAMES)
        ? true
        : undefined,
    );
    // The edit may have been acted on before it was put back (both controllers see it at
    // once); what counts is that the Secret ends with the Ingress's names.
    await waitFor("api-tls Ready with the Ingress's names", async () => {
      const r = await getCertificate(ns.name, "api-tls");
      const ready = r.status?.conditions?.find((c) => c.type === "Ready")?.status === "True";
      return ready && sameSet(r.status?.alternateNames ?? [], API_NAMES) ? r : undefined;
    });
    await verifiedFor("api-tls", API_NAMES);

    // A hand edit of an inferred domain is not trusted: the list says it again.
    await objects().patchNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      plural: PLURAL,
      namespace: ns.name,
      name: "cart-tls",
      body: [{ op: "replace", path: "/spec/domain", value: "example.com" }],
    });
    await waitFor("cart-tls's domain put back", async () => {
      const cart = await getCertificate(ns.name, "cart-tls");
      return cart.spec.domain === "shop.example.com" && cart.metadata.generation > 1
        ? cart
        : undefined;
    });
    await waitForReady(ns.name, "cart-tls", "True");

    const old = await getCertificate(ns.name, "www-tls");
    await objects().deleteNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      plural: PLURAL,
      namespace: ns.name,
      name: "www-tls",
    });
    const back = await waitFor("www-tls re-created", async () => {
      const r = await findCertificate("www-tls");
      return r && r.metadata.uid !== old.metadata.uid ? r : undefined;
    });
    expect(back.metadata.ownerReferences?.[0]?.name).toBe("shop");
    // Re-created, it adopts the certificate its retained Secret holds: nothing is bought.
    await waitForReady(ns.name, "www-tls", "True");
    expect(purchasesOf(env.simulator, "www")).toHaveLength(1);
  });

  it("never touches a resource of the same name made by hand", async () => {
    await createCertificate(ns.name, "mine-tls", {
      domain: "example.com",
      name: "mine",
      secretName: "mine-tls",
      issuerRef: { kind: "ClusterDnsimpleIssuer", name: issuer() },
    });
    const mine = await waitForReady(ns.name, "mine-tls", "True");
    await createIngress(
      ingress("takeover", [{ hosts: ["evil.example.com"], secretName: "mine-tls" }]),
    );
    const warning = await ingressEvent("takeover", "BadConfig", "mine-tls");
    expect(warning).toContain("left as it is");
    const after = await getCertificate(ns.name, "mine-tls");
    expect(after.metadata.resourceVersion).toBe(mine.metadata.resourceVersion);
    expect(after.spec.name).toBe("mine");
    expect(after.metadata.ownerReferences).toBeUndefined();
  });

  it("refuses hosts one DNSimple certificate cannot serve: a Warning, nothing created, no call", async () => {
    const callsBefore = env.simulator.calls().length;
    const domain = { [`${GROUP}/cluster-issuer`]: issuer(), [`${GROUP}/domain`]: "example.com" };
    await createIngress(
      ingress(
        "odd",
        [
          { hosts: ["*.example.com", "a.b.example.com"], secretName: "odd-wild-tls" },
          { hosts: ["www.example.com", "www.other.org"], secretName: "odd-two-tls" },
        ],
        domain,
      ),
    );
    expect(await ingressEvent("odd", "BadConfig", "odd-wild-tls")).toContain(
      "a.b.example.com is deeper",
    );
    expect(await ingressEvent("odd", "BadConfig", "odd-two-tls")).toContain(
      "www.other.org is not in the DNSimple domain example.com",
    );
    expect(await findCertificate("odd-wild-tls")).toBeUndefined();
    expect(await findCertificate("odd-two-tls")).toBeUndefined();
    expect(sourceCalls(callsBefore)).toEqual([]);

    // Without the domain annotation: the account's list shows the hosts span two domains.
    await createIngress(
      ingress("split", [{ hosts: ["www.example.com", "www.other.org"], secretName: "split-tls" }]),
    );
    // Hosts under different last two labels can be in no one domain: refused before any list.
    expect(await ingressEvent("split", "BadConfig", "split-tls")).toContain(
      "2 domains, example.com (www.example.com) and other.org (www.other.org)",
    );
    expect(sourceCalls(callsBefore)).toEqual([]);
    expect(await findCertificate("split-tls")).toBeUndefined();
    expect(env.simulator.purchases().filter((p) => p.domain === "other.org")).toEqual([]);
  });

  it("does not list an account's domains through an issuer that does not serve the namespace", async () => {
    const closed = `closed-${ns.name}`;
    await applyClusterIssuer(closed, {
      policy: { namespaceSelector: { matchLabels: { none: "x" } } },
    });
    const listsBefore = domainLists().length;
    await createIngress(
      ingress("foreign", [{ hosts: ["www.example.com"], secretName: "foreign-tls" }], {
        [`${GROUP}/cluster-issuer`]: closed,
      }),
    );
    expect(await ingressEvent("foreign", "BadConfig", "foreign-tls")).toContain(
      `does not serve namespace ${ns.name}`,
    );
    expect(domainLists().length).toBe(listsBefore);
    expect(await findCertificate("foreign-tls")).toBeUndefined();
    await networking().deleteNamespacedIngress({ name: "foreign", namespace: ns.name });
    await objects().deleteClusterCustomObject({
      group: GROUP,
      version: VERSION,
      plural: CLUSTER_ISSUER_PLURAL,
      name: closed,
    });
  });

  it("reports bad annotations and changes nothing", async () => {
    const before = await getCertificate(ns.name, "cart-tls");
    await changeIngress("store", (i) => {
      i.metadata = {
        ...i.metadata,
        annotations: { ...i.metadata?.annotations, [`${GROUP}/signature-algorithm`]: "DSA" },
      };
    });
    expect(await ingressEvent("store", "BadConfig", "signature-algorithm")).toContain(
      "ECDSA or RSA",
    );
    const after = await getCertificate(ns.name, "cart-tls");
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
  });

  it("restarts over all of it with no DNSimple call and nothing rewritten", async () => {
    await operator.stop();
    const names = ["www-tls", "api-tls", "cart-tls", "mine-tls"];
    const versions = async () =>
      Promise.all(
        names.flatMap((n) => [
          getCertificate(ns.name, n).then((r) => `${n}:${r.metadata.resourceVersion}`),
          getSecret(ns.name, n).then((s) => `${n}/secret:${s?.metadata?.resourceVersion}`),
        ]),
      );
    const before = await versions();
    const callsBefore = env.simulator.calls().length;
    operator = await start();
    for (const ing of ["shop", "store", "takeover", "odd", "split"]) await synced(ing, 0);
    await waitFor("every resource reconciled after the restart", async () =>
      names.every((n) =>
        operator.logs.some(
          (l) => l.includes(`"resource":"${ns.name}/${n}"`) && l.includes('"action"'),
        ),
      )
        ? true
        : undefined,
    );
    expect(await versions()).toEqual(before);
    // Every generated resource's domain is known from itself (the domain it recorded when it
    // found it in the list), and the refused entries need no list: no call from the sources, and
    // none from the reconciler. (whoami is the issuer controller's check of the issuers' tokens,
    // once per start, and of other test files' issuers too; see issue 15.)
    expect(sourceCalls(callsBefore)).toEqual([]);
  });

  it("deletes a resource whose tls entry was removed, and all of them with the annotation", async () => {
    await changeIngress("shop", (i) => {
      if (i.spec) i.spec.tls = i.spec.tls?.filter((t) => t.secretName !== "api-tls");
    });
    await waitForGone("api-tls");
    expect(await ingressEvent("shop", "DeleteCertificate", "api-tls")).toContain("Retain");
    // Retain: the Secret stays.
    expect(await getSecret(ns.name, "api-tls")).toBeDefined();
    expect(await findCertificate("www-tls")).toBeDefined();

    await changeIngress("shop", (i) => {
      const annotations = { ...i.metadata?.annotations };
      delete annotations[`${GROUP}/cluster-issuer`];
      i.metadata = { ...i.metadata, annotations };
    });
    await waitForGone("www-tls");
    await ingressEvent("shop", "DeleteCertificate", "www-tls");
  });

  it("makes nothing for an Ingress being deleted, even for a resource deleted by hand", async () => {
    await createIngress({
      ...ingress("leaving", [{ hosts: ["leaving.example.com"], secretName: "leaving-tls" }]),
      metadata: {
        name: "leaving",
        namespace: ns.name,
        annotations: { [`${GROUP}/cluster-issuer`]: issuer(), [`${GROUP}/domain`]: "example.com" },
        finalizers: ["example.com/hold"],
      },
    });
    await waitForReady(ns.name, "leaving-tls", "True");
    await networking().deleteNamespacedIngress({ name: "leaving", namespace: ns.name });
    const since = operator.logs.length;
    await objects().deleteNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      plural: PLURAL,
      namespace: ns.name,
      name: "leaving-tls",
    });
    await waitForGone("leaving-tls");
    await waitFor("the operator saw the resource go, with its Ingress being deleted", async () =>
      operator.logs
        .slice(since)
        .some(
          (l) =>
            l.includes('"msg":"source being deleted"') && l.includes(`Ingress ${ns.name}/leaving"`),
        )
        ? true
        : undefined,
    );
    expect(await findCertificate("leaving-tls")).toBeUndefined();
    expect(purchasesOf(env.simulator, "leaving")).toHaveLength(1);
    await networking().patchNamespacedIngress({
      name: "leaving",
      namespace: ns.name,
      body: [{ op: "remove", path: "/metadata/finalizers" }],
    });
  });

  it("loses its resources with the Ingress, and the hand-made one stays", async () => {
    await networking().deleteNamespacedIngress({ name: "store", namespace: ns.name });
    await waitForGone("cart-tls");
    const mine = await getCertificate(ns.name, "mine-tls");
    const since = operator.logs.length;
    await networking().deleteNamespacedIngress({ name: "takeover", namespace: ns.name });
    await waitFor("the operator saw Ingress takeover go", async () =>
      operator.logs
        .slice(since)
        .some(
          (l) => l.includes('"msg":"source gone"') && l.includes(`Ingress ${ns.name}/takeover"`),
        )
        ? true
        : undefined,
    );
    expect((await getCertificate(ns.name, "mine-tls")).metadata.resourceVersion).toBe(
      mine.metadata.resourceVersion,
    );
  });
});
