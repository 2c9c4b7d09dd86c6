// Reading DNSimple webhook events (never trusted, only whom to make look) and dropping the
// redelivered ones by request_identifier, with bounded memory.
import { describe, expect, it } from "vitest";
import { readEvent, SeenRequests } from "../../../src/webhook/events.ts";

describe("readEvent", () => {
  it.each<[string, unknown, ReturnType<typeof readEvent>]>([
    [
      "a certificate.issue event",
      {
        name: "certificate.issue",
        request_identifier: "a1",
        data: { certificate: { id: 7, common_name: "www.example.com" } },
      },
      {
        name: "certificate.issue",
        requestIdentifier: "a1",
        certificateId: 7,
        commonName: "www.example.com",
      },
    ],
    [
      "without a request identifier or a common name",
      { name: "certificate.reissue", data: { certificate: { id: 8 } } },
      { name: "certificate.reissue", certificateId: 8 },
    ],
    ["another kind of event", { name: "domain.create", data: {} }, { name: "domain.create" }],
    ["a certificate event without an id", { name: "certificate.issue", data: {} }, undefined],
    [
      "a certificate event with a bad id",
      { name: "certificate.issue", data: { certificate: { id: "7" } } },
      undefined,
    ],
    ["no name", { data: {} }, undefined],
    ["not an object", "certificate.issue", undefined],
  ])("%s", (_what, payload, event) => {
    expect(readEvent(payload)).toEqual(event);
  });
});

describe("SeenRequests", () => {
  it("says first time once per identifier", () => {
    const seen = new SeenRequests();
    expect(seen.firstTime("a")).toBe(true);
    expect(seen.firstTime("b")).toBe(true);
    expect(seen.firstTime("a")).toBe(false);
    expect(seen.firstTime("b")).toBe(false);
  });

  it("forgets the oldest beyond its capacity, and only those", () => {
    const seen = new SeenRequests(3);
    for (const id of ["a", "b", "c", "d"]) expect(seen.firstTime(id)).toBe(true);
    expect(seen.firstTime("d")).toBe(false);
    expect(seen.firstTime("c")).toBe(false);
    expect(seen.firstTime("a")).toBe(true);
  });
});
