// syncPlan by table: what a source wants (a spec per Secret, or "hold") against the namespace's
// DnsimpleCertificates, and the steps that make them match. Ownership is the controller owner
// reference's uid, never the generated-by label, so each forged or partial ownership gets a row.
// The steps are matched partially (toMatchObject): only the fields a row names, but every step,
// in order. No I/O.
import type { V1OwnerReference } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { CLUSTER_ISSUER_KIND } from "../../../src/api/issuers.ts";
import type { DnsimpleCertificate, DnsimpleCertificateSpec } from "../../../src/api/v1alpha1.ts";
import {
  GENERATED_BY_LABEL,
  generatedSpec,
  INFERRED_DOMAIN_ANNOTATION,
  isGeneratedBy,
  type SourceRef,
  sourceKindOf,
} from "../../../src/sources/generated.ts";
import {
  type SyncStep,
  syncPlan,
  type Wanted,
  type WantedAnnotations,
} from "../../../src/sources/sync-plan.ts";

/** Ingress `web/shop`, the source of every row. */
const source: SourceRef = {
  apiVersion: "networking.k8s.io/v1",
  kind: "Ingress",
  name: "shop",
  namespace: "web",
  uid: "ing-shop",
};

const ownReference: V1OwnerReference = {
  apiVersion: "networking.k8s.io/v1",
  kind: "Ingress",
  name: "shop",
  uid: "ing-shop",
  controller: true,
};

/** What the source wants for Secret `secretName`: www.example.com by default. */
function spec(
  secretName: string,
  overrides: Partial<DnsimpleCertificateSpec> = {},
): DnsimpleCertificateSpec {
  return {
    ...generatedSpec(
      secretName,
      { domain: "example.com", name: "www", alternateNames: [] },
      {
        issuerRef: { kind: CLUSTER_ISSUER_KIND, name: "dnsimple" },
        signatureAlgorithm: "ECDSA",
        autoRenew: false,
        secretDeletionPolicy: "Retain",
      },
    ),
    ...overrides,
  };
}

/**
 * A DnsimpleCertificate as the API server returns it: its own key order, the CRD's defaults
 * spelled out, uid, generation, resourceVersion, a finalizer and a status.
 */
function stored(
  name: string,
  ownerReferences: V1OwnerReference[] | undefined,
  specOverrides: Partial<DnsimpleCertificateSpec> = {},
  metadata: Partial<DnsimpleCertificate["metadata"]> = {},
): DnsimpleCertificate {
  return {
    apiVersion: "dnsimple-cert-operator.dev/v1alpha1",
    kind: "DnsimpleCertificate",
    metadata: {
      name,
      namespace: "web",
      uid: `uid-${name}`,
      generation: 3,
      resourceVersion: "4711",
      finalizers: ["dnsimple-cert-operator.dev/secret"],
      creationTimestamp: new Date("2026-11-01T00:00:00Z"),
      labels: { [GENERATED_BY_LABEL]: "Ingress" },
      ...(ownerReferences ? { ownerReferences } : {}),
      ...metadata,
    },
    spec: {
      secretDeletionPolicy: "Retain",
      secretName: name,
      issuerRef: { name: "dnsimple", kind: CLUSTER_ISSUER_KIND },
      autoRenew: false,
      signatureAlgorithm: "ECDSA",
      name: "www",
      domain: "example.com",
      ...specOverrides,
    },
    status: { certificateId: 10, state: "issued", observedGeneration: 3 },
  };
}

/** Made by this source (its controller reference). */
const own = (
  name: string,
  specOverrides: Partial<DnsimpleCertificateSpec> = {},
  metadata: Partial<DnsimpleCertificate["metadata"]> = {},
) => stored(name, [ownReference], specOverrides, metadata);

/** Made by hand: no owner reference, no label. */
const handMade = (name: string) => stored(name, undefined, {}, { labels: {} });

const wanted = (...pairs: [string, DnsimpleCertificateSpec | "hold"][]): Wanted => new Map(pairs);
const want = (name: string, overrides: Partial<DnsimpleCertificateSpec> = {}) =>
  [name, spec(name, overrides)] as [string, DnsimpleCertificateSpec];

/** A partial step: only the fields named are compared. */
type StepMatch = Record<string, unknown>;

const created = (name: string, specOverrides: Partial<DnsimpleCertificateSpec> = {}) => ({
  kind: "create",
  resource: {
    apiVersion: "dnsimple-cert-operator.dev/v1alpha1",
    kind: "DnsimpleCertificate",
    metadata: {
      name,
      namespace: "web",
      labels: { [GENERATED_BY_LABEL]: "Ingress" },
      ownerReferences: [ownReference],
    },
    spec: spec(name, specOverrides),
  },
});
const updated = (name: string, changed: string[], extra: StepMatch = {}) => ({
  kind: "update",
  changed,
  resource: { metadata: { name, uid: `uid-${name}`, resourceVersion: "4711" }, ...extra },
});
const deleted = (name: string) => ({ kind: "delete", resource: { metadata: { name } } });
const notOwned = (name: string, controller: string | undefined) => ({
  kind: "notOwned",
  name,
  controller,
});

const rows: [string, Wanted, DnsimpleCertificate[], StepMatch[]][] = [
  // Create.
  [
    "a wanted Secret without a resource: create it",
    wanted(want("www-tls")),
    [],
    [created("www-tls")],
  ],
  [
    "two wanted, one there: create the other",
    wanted(want("www-tls"), want("api-tls", { name: "api" })),
    [own("www-tls")],
    [created("api-tls", { name: "api" })],
  ],
  [
    "a resource of the name in another source's hands does not stop the others being created",
    wanted(want("www-tls"), want("api-tls", { name: "api" })),
    [handMade("www-tls")],
    [notOwned("www-tls", undefined), created("api-tls", { name: "api" })],
  ],
  // Nothing to do.
  [
    "the resource as wanted, with the API server's defaults, status and finalizer: nothing",
    wanted(want("www-tls")),
    [own("www-tls")],
    [],
  ],
  [
    "as wanted with alternate names and every optional field: nothing",
    wanted(
      want("api-tls", {
        name: "api",
        alternateNames: ["docs.example.com"],
        renewBefore: "720h",
        secretTemplate: { labels: { team: "web" } },
        secretDeletionPolicy: "Delete",
        autoRenew: true,
        signatureAlgorithm: "RSA",
      }),
    ),
    [
      own("api-tls", {
        name: "api",
        alternateNames: ["docs.example.com"],
        renewBefore: "720h",
        secretTemplate: { labels: { team: "web" } },
        secretDeletionPolicy: "Delete",
        autoRenew: true,
        signatureAlgorithm: "RSA",
      }),
    ],
    [],
  ],
  [
    "other labels and a further, non-controller owner reference beside it: nothing",
    wanted(want("www-tls")),
    [
      own(
        "www-tls",
        {},
        {
          labels: { [GENERATED_BY_LABEL]: "Ingress", team: "web" },
          ownerReferences: [
            { apiVersion: "v1", kind: "ConfigMap", name: "keep", uid: "cm-1" },
            ownReference,
          ],
        },
      ),
    ],
    [],
  ],
  // Put back.
  [
    "a hand edit of autoRenew and the deletion policy: put back, both fields named",
    wanted(want("www-tls")),
    [own("www-tls", { autoRenew: true, secretDeletionPolicy: "Delete" })],
    [
      updated("www-tls", ["spec.autoRenew", "spec.secretDeletionPolicy"], {
        spec: spec("www-tls"),
        status: { certificateId: 10 },
      }),
    ],
  ],
  [
    "an alternate name added by hand: put back",
    wanted(want("www-tls")),
    [own("www-tls", { alternateNames: ["extra.example.com"] })],
    [updated("www-tls", ["spec.alternateNames"], { spec: spec("www-tls") })],
  ],
  [
    "a credentialsRef added by hand: removed",
    wanted(want("www-tls")),
    [own("www-tls", { credentialsRef: { name: "my-token" } })],
    [updated("www-tls", ["spec.credentialsRef"], { spec: spec("www-tls") })],
  ],
  [
    "the domain changed by hand to a numeric id: put back",
    wanted(want("www-tls")),
    [own("www-tls", { domain: "12345" })],
    [updated("www-tls", ["spec.domain"], { spec: spec("www-tls") })],
  ],
  [
    "the issuer changed by hand: put back",
    wanted(want("www-tls")),
    [own("www-tls", { issuerRef: { kind: "DnsimpleIssuer", name: "mine" } })],
    [updated("www-tls", ["spec.issuerRef"], { spec: spec("www-tls") })],
  ],
  [
    "the generated-by label removed: put back, other labels kept",
    wanted(want("www-tls")),
    [own("www-tls", {}, { labels: { team: "web" } })],
    [
      updated("www-tls", [`metadata.labels.${GENERATED_BY_LABEL}`], {
        metadata: { labels: { team: "web", [GENERATED_BY_LABEL]: "Ingress" } },
      }),
    ],
  ],
  [
    "a host added on the source: the alternate names follow",
    wanted(want("api-tls", { name: "api", alternateNames: ["docs.example.com"] })),
    [own("api-tls", { name: "api" })],
    [
      updated("api-tls", ["spec.alternateNames"], {
        spec: spec("api-tls", { name: "api", alternateNames: ["docs.example.com"] }),
      }),
    ],
  ],
  [
    "the first host replaced on the source: name and alternate names follow",
    wanted(want("api-tls", { name: "blog", alternateNames: ["docs.example.com"] })),
    [own("api-tls", { name: "api" })],
    [updated("api-tls", ["spec.alternateNames", "spec.name"])],
  ],
  // A reordering of hosts.
  [
    "the hosts reordered, the same DNS names: nothing (the resource's order kept)",
    wanted(want("api-tls", { name: "api", alternateNames: ["docs.example.com"] })),
    [own("api-tls", { name: "docs", alternateNames: ["api.example.com"] })],
    [],
  ],
  [
    "alternate names reordered: nothing",
    wanted(
      want("api-tls", { name: "api", alternateNames: ["docs.example.com", "blog.example.com"] }),
    ),
    [own("api-tls", { name: "api", alternateNames: ["blog.example.com", "docs.example.com"] })],
    [],
  ],
  [
    "reordered and autoRenew edited by hand: autoRenew put back, the resource's name order kept",
    wanted(want("api-tls", { name: "api", alternateNames: ["docs.example.com"] })),
    [own("api-tls", { name: "docs", alternateNames: ["api.example.com"], autoRenew: true })],
    [
      updated("api-tls", ["spec.autoRenew"], {
        spec: spec("api-tls", { name: "docs", alternateNames: ["api.example.com"] }),
      }),
    ],
  ],
  // Not this source's.
  [
    "a resource of the name without owner reference: not owned, no controller",
    wanted(want("www-tls")),
    [handMade("www-tls")],
    [notOwned("www-tls", undefined)],
  ],
  [
    "a resource controlled by another Ingress: not owned, that Ingress named",
    wanted(want("www-tls")),
    [stored("www-tls", [{ ...ownReference, name: "blog", uid: "ing-blog" }])],
    [notOwned("www-tls", "Ingress blog")],
  ],
  [
    "a resource controlled by a Gateway: not owned, the Gateway named",
    wanted(want("www-tls")),
    [
      stored("www-tls", [
        {
          apiVersion: "gateway.networking.k8s.io/v1",
          kind: "Gateway",
          name: "edge",
          uid: "gw-edge",
          controller: true,
        },
      ]),
    ],
    [notOwned("www-tls", "Gateway edge")],
  ],
  [
    "the generated-by label forged on a hand-made resource: still not owned",
    wanted(want("www-tls")),
    [stored("www-tls", undefined, { autoRenew: true })],
    [notOwned("www-tls", undefined)],
  ],
  [
    "an owner reference with this source's uid but controller false: not owned",
    wanted(want("www-tls")),
    [stored("www-tls", [{ ...ownReference, controller: false }], { autoRenew: true })],
    [notOwned("www-tls", undefined)],
  ],
  [
    "an owner reference with this source's uid, controller unset: not owned",
    wanted(want("www-tls")),
    [stored("www-tls", [{ ...ownReference, controller: undefined }])],
    [notOwned("www-tls", undefined)],
  ],
  [
    "a controller with this source's uid but another kind: not owned",
    wanted(want("www-tls")),
    [stored("www-tls", [{ ...ownReference, kind: "Gateway" }])],
    [notOwned("www-tls", "Gateway shop")],
  ],
  // Delete.
  [
    "a controlled resource no longer wanted: delete",
    wanted(want("www-tls")),
    [own("www-tls"), own("old-tls")],
    [deleted("old-tls")],
  ],
  [
    "nothing wanted (the annotation went): delete every controlled resource",
    wanted(),
    [own("www-tls"), own("api-tls")],
    [deleted("www-tls"), deleted("api-tls")],
  ],
  [
    "a controlled resource being deleted already: no second delete",
    wanted(),
    [own("old-tls", {}, { deletionTimestamp: new Date("2026-11-30T00:00:00Z") })],
    [],
  ],
  [
    "not wanted and not controlled (hand-made, forged label, controller false): left alone",
    wanted(),
    [
      handMade("hand-tls"),
      stored("forged-tls", undefined),
      stored("weak-tls", [{ ...ownReference, controller: false }]),
      stored("blog-tls", [{ ...ownReference, name: "blog", uid: "ing-blog" }]),
    ],
    [],
  ],
  [
    "steps in the order wanted lists the Secrets, deletions last",
    wanted(want("b-tls"), want("a-tls", { autoRenew: true }), want("c-tls")),
    [own("old-tls"), own("a-tls"), handMade("c-tls")],
    [
      created("b-tls"),
      updated("a-tls", ["spec.autoRenew"]),
      notOwned("c-tls", undefined),
      deleted("old-tls"),
    ],
  ],
  // Hold.
  [
    "hold: a controlled resource that differs is neither updated nor deleted",
    wanted(["www-tls", "hold"]),
    [own("www-tls", { autoRenew: true, alternateNames: ["x.example.com"] })],
    [],
  ],
  ["hold: no resource yet, none created", wanted(["www-tls", "hold"]), [], []],
  [
    "hold: a resource not owned is not even reported",
    wanted(["www-tls", "hold"]),
    [handMade("www-tls")],
    [],
  ],
  [
    "hold for one Secret, the other still synced",
    wanted(["www-tls", "hold"], want("api-tls", { name: "api" })),
    [own("www-tls", { autoRenew: true }), own("api-tls", { name: "api", autoRenew: true })],
    [updated("api-tls", ["spec.autoRenew"])],
  ],
];

describe("syncPlan", () => {
  it.each(rows)("%s", (_why, wantedSpecs, existing, expected) => {
    expect(syncPlan(source, wantedSpecs, existing)).toMatchObject(expected);
  });
});

describe("syncPlan: what an update writes", () => {
  function onlyUpdate(steps: SyncStep[]): Extract<SyncStep, { kind: "update" }> {
    const [step, ...rest] = steps;
    if (step?.kind !== "update" || rest.length > 0) {
      throw new Error(`expected one update, got ${JSON.stringify(steps)}`);
    }
    return step;
  }

  it("writes the whole wanted spec, with nothing of the hand edit left", () => {
    const current = own("www-tls", { autoRenew: true, certificateId: 99, renewBefore: "1h" });
    const step = onlyUpdate(syncPlan(source, wanted(want("www-tls")), [current]));
    expect(step.resource.spec).toStrictEqual(spec("www-tls"));
    expect(step.changed).toStrictEqual([
      "spec.autoRenew",
      "spec.certificateId",
      "spec.renewBefore",
    ]);
  });

  it("keeps one controller reference, replacing a stale one of the same uid", () => {
    const stale = { ...ownReference, name: "shop-old-name" };
    const other = { apiVersion: "v1", kind: "ConfigMap", name: "keep", uid: "cm-1" };
    const current = own("www-tls", { autoRenew: true }, { ownerReferences: [other, stale] });
    const step = onlyUpdate(syncPlan(source, wanted(want("www-tls")), [current]));
    expect(step.resource.metadata.ownerReferences).toStrictEqual([other, ownReference]);
  });

  it("leaves the resource given unchanged", () => {
    const current = own("www-tls", { autoRenew: true });
    const before = structuredClone(current);
    syncPlan(source, wanted(want("www-tls")), [current]);
    expect(current).toStrictEqual(before);
  });
});

describe("syncPlan: what the review found (deletion, stale owners, managed annotations)", () => {
  const inferred = { [INFERRED_DOMAIN_ANNOTATION]: "example.com" };
  const rows: [string, Wanted, DnsimpleCertificate[], StepMatch[], WantedAnnotations?][] = [
    [
      "controlled but without the generated-by label: not deleted when no longer wanted",
      wanted(),
      [own("www-tls", {}, { labels: {} })],
      [],
    ],
    [
      "controlled by an earlier Ingress of the same name (another uid): waited for, no warning",
      wanted(want("www-tls")),
      [stored("www-tls", [{ ...ownReference, uid: "ing-shop-before" }])],
      [],
    ],
    [
      "a wanted resource being deleted: waited for (its deletion re-queues the source)",
      wanted(want("www-tls", { name: "api" })),
      [own("www-tls", {}, { deletionTimestamp: new Date("2026-12-02T00:00:00Z") })],
      [],
    ],
    [
      "a domain found in the list: the new resource records it",
      wanted(want("www-tls")),
      [],
      [{ kind: "create", resource: { metadata: { annotations: inferred } } }],
      new Map([["www-tls", inferred]]),
    ],
    [
      "the record missing on an existing resource: put back",
      wanted(want("www-tls")),
      [own("www-tls")],
      [updated("www-tls", [`metadata.annotations.${INFERRED_DOMAIN_ANNOTATION}`])],
      new Map([["www-tls", inferred]]),
    ],
    [
      "the domain now from the annotation: the record goes, other annotations stay",
      wanted(want("www-tls")),
      [own("www-tls", {}, { annotations: { ...inferred, note: "keep" } })],
      [
        updated("www-tls", [`metadata.annotations.${INFERRED_DOMAIN_ANNOTATION}`], {
          metadata: { annotations: { note: "keep" } },
        }),
      ],
    ],
    [
      "recorded as wanted: nothing",
      wanted(want("www-tls")),
      [own("www-tls", {}, { annotations: inferred })],
      [],
      new Map([["www-tls", inferred]]),
    ],
  ];
  it.each(rows)("%s", (_why, wantedSpecs, existing, expected, annotations) => {
    const steps = syncPlan(source, wantedSpecs, existing, annotations);
    expect(steps).toHaveLength(expected.length);
    expect(steps).toMatchObject(expected);
  });
  it("removing the record leaves exactly the other annotations (a partial match would not tell)", () => {
    const [step] = syncPlan(source, wanted(want("www-tls")), [
      own("www-tls", {}, { annotations: { ...inferred, note: "keep" } }),
    ]);
    expect(step?.kind === "update" ? step.resource.metadata.annotations : "no update").toEqual({
      note: "keep",
    });
  });
});

describe("isGeneratedBy and sourceKindOf: an Ingress or Gateway of another API group is no source", () => {
  const rows: [string, V1OwnerReference, boolean][] = [
    ["networking.k8s.io Ingress", ownReference, true],
    [
      "a Knative Ingress",
      { ...ownReference, apiVersion: "networking.internal.knative.dev/v1alpha1" },
      false,
    ],
    [
      "an Istio Gateway",
      { ...ownReference, kind: "Gateway", apiVersion: "networking.istio.io/v1" },
      false,
    ],
    ["not the controller", { ...ownReference, controller: false }, false],
  ];
  it.each(rows)("%s", (_why, reference, expected) => {
    const resource = stored("www-tls", [reference]);
    expect(
      isGeneratedBy(resource, reference.kind === "Gateway" ? "Gateway" : "Ingress", "shop"),
    ).toBe(expected);
    expect(sourceKindOf(resource) !== undefined).toBe(expected);
  });
  it("without the generated-by label a resource is not the gone source's to delete", () => {
    expect(
      isGeneratedBy(stored("www-tls", [ownReference], {}, { labels: {} }), "Ingress", "shop"),
    ).toBe(false);
  });
});
