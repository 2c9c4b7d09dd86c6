// The Event recorder against a real API server: a repeat within the window bumps the count
// of one Event (as client-go's recorder does), a different message is a new Event, and
// neither holds a token or key.
import { CoreV1Api } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { EventRecorder } from "../../src/kube/events.ts";
import { adminKubeConfig, useNamespace, waitFor } from "./support/kube.ts";

const ns = useNamespace("events");
const core = () => adminKubeConfig().makeApiClient(CoreV1Api);

function target(name: string) {
  return {
    apiVersion: "dnsimple-cert-operator.dev/v1alpha1",
    kind: "DnsimpleCertificate",
    metadata: { name, namespace: ns.name, uid: `uid-${name}` },
  };
}

async function eventsOf(name: string) {
  const list = await core().listNamespacedEvent({
    namespace: ns.name,
    fieldSelector: `involvedObject.name=${name}`,
  });
  return list.items;
}

describe("EventRecorder", () => {
  it("aggregates a repeated Event into one with a count; a new message is a new Event", async () => {
    const errors: unknown[] = [];
    const recorder = new EventRecorder(core(), (err) => errors.push(err));
    for (let i = 0; i < 3; i++) {
      await recorder.record(target("www"), "Warning", "RateLimited", "DNSimple said wait");
    }
    await recorder.record(target("www"), "Warning", "RateLimited", "DNSimple said wait longer");
    await recorder.record(target("api"), "Warning", "RateLimited", "DNSimple said wait");

    const www = await waitFor("two Events for www", async () => {
      const items = await eventsOf("www");
      return items.length === 2 ? items : undefined;
    });
    const byMessage = Object.fromEntries(www.map((e) => [e.message, e.count]));
    expect(byMessage).toEqual({ "DNSimple said wait": 3, "DNSimple said wait longer": 1 });
    expect((await eventsOf("api")).map((e) => e.count)).toEqual([1]);
    expect(errors).toEqual([]);
  });

  it("scrubs a token or key out of the message", async () => {
    const recorder = new EventRecorder(core(), () => {});
    const key = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBa\n-----END EC PRIVATE KEY-----";
    await recorder.record(target("leaky"), "Warning", "Oops", `got ${key} back`);
    const [event] = await waitFor("the Event", async () => {
      const items = await eventsOf("leaky");
      return items.length === 1 ? items : undefined;
    });
    expect(event?.message).not.toContain("MHcCAQEEIBa");
  });
});
