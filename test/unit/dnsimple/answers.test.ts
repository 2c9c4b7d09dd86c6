// Reading DNSimple's answers: the shapes the simulator cannot produce (a user token's
// whoami), error bodies of any form, and what a mismatch says.
import { describe, expect, it } from "vitest";
import {
  MalformedAnswerError,
  readCertificateBundle,
  readErrorAnswer,
  readWhoami,
} from "../../../src/dnsimple/answers.ts";

describe("readWhoami", () => {
  it("reads a user token's answer: a user and no account", () => {
    const user = {
      id: 1,
      email: "example-user@example.com",
      created_at: "2015-09-18T23:04:37Z",
      updated_at: "2016-06-09T20:03:39Z",
    };
    expect(readWhoami({ data: { user, account: null } })).toEqual({ user, account: null });
  });

  it("refuses an account without an id", () => {
    expect(() => readWhoami({ data: { user: null, account: { email: "a@b.c" } } })).toThrow(
      new MalformedAnswerError("data.account.id: expected an integer, got nothing"),
    );
  });
});

describe("readCertificateBundle", () => {
  it("keeps a null root and chain entries as they are", () => {
    const bundle = { server: "S\n", root: null, chain: ["I"] };
    expect(readCertificateBundle({ data: bundle })).toEqual(bundle);
  });

  it("names the chain entry of the wrong type", () => {
    expect(() => readCertificateBundle({ data: { server: "S", root: null, chain: [1] } })).toThrow(
      "data.chain[0]: expected a string, got a number",
    );
  });

  it("refuses an answer without data", () => {
    expect(() => readCertificateBundle([])).toThrow("answer: expected an object, got an array");
  });
});

describe("readErrorAnswer", () => {
  it("reads DNSimple's message and errors", () => {
    expect(
      readErrorAnswer({ message: "Validation failed", errors: { name: ["is invalid"] } }),
    ).toEqual({ message: "Validation failed", errors: { name: ["is invalid"] } });
  });

  it("makes do with whatever else came", () => {
    expect(readErrorAnswer(undefined)).toEqual({ message: undefined, errors: {} });
    expect(readErrorAnswer({ message: 5, errors: { base: "taken" } })).toEqual({
      message: undefined,
      errors: { base: ["taken"] },
    });
  });
});
