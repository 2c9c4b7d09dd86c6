// The command line: each command with the flags kubectl users type (in any order and form),
// and every wrong one a usage error (exit 2) with a message that says what to change.
import { describe, expect, it } from "vitest";
import { UsageError } from "../../../src/plugin/exit-codes.ts";
import { parseInvocation } from "../../../src/plugin/flags.ts";

describe("parseInvocation", () => {
  it.each<[string, object]>([
    ["status www", { command: { name: "status", resource: "www" } }],
    [
      "status www -n web -o json",
      { command: { name: "status", resource: "www" }, flags: { namespace: "web", output: "json" } },
    ],
    ["-nweb status www", { command: { name: "status" }, flags: { namespace: "web" } }],
    ["status www --namespace=web", { flags: { namespace: "web", output: "text" } }],
    [
      "status www --kubeconfig /k --context admin",
      { flags: { kubeconfig: "/k", context: "admin", allNamespaces: false } },
    ],
    ["renew www", { command: { name: "renew", target: { kind: "name", name: "www" } } }],
    [
      "renew -l app=web -A",
      {
        command: { name: "renew", target: { kind: "selector", selector: "app=web" } },
        flags: { allNamespaces: true },
      },
    ],
    ["renew --all", { command: { name: "renew", target: { kind: "all" } } }],
    ["inspect secret www-tls", { command: { name: "inspect", secret: "www-tls" } }],
    ["check", { command: { name: "check" } }],
    [
      "check -A --operator-namespace ops",
      { command: { name: "check", operatorNamespace: "ops" }, flags: { allNamespaces: true } },
    ],
    ["version", { command: { name: "version" } }],
    ["--help", { command: { name: "help" } }],
    ["status --help", { command: { name: "help", topic: "status" } }],
    ["help renew", { command: { name: "help", topic: "renew" } }],
    ["inspect secret -h", { command: { name: "help", topic: "inspect" } }],
  ])("%s", (line, expected) => {
    expect(parseInvocation(line.split(" "))).toMatchObject(expected);
  });

  it.each<[string, RegExp]>([
    ["", /no command/],
    ["frobnicate", /unknown command "frobnicate"/],
    ["status", /a name is required/],
    ["status a b", /one name only/],
    ["status www -A", /status does not take --all-namespaces/],
    ["status www -l a=b", /status does not take --selector/],
    ["status www -o yaml", /only one is json/],
    ["status www --bogus", /^Unknown option '--bogus'$/],
    ["renew", /renew what\?/],
    ["renew www -l app=web", /not a name together with them/],
    ["renew www --all", /not a name together with them/],
    ["renew www -A", /-A goes with -l or --all/],
    ["renew -l app=web --all", /not both/],
    ["renew -l ", /-l needs a label selector/],
    ["inspect", /inspect what\?/],
    ["inspect pod x", /cannot inspect "pod"/],
    ["inspect secret", /a name is required/],
    ["check extra", /check takes no arguments/],
    ["check --all", /check does not take --all/],
  ])("%j is a usage error: %s", (line, message) => {
    const argv = line === "" ? [] : line.split(" ");
    expect(() => parseInvocation(argv)).toThrow(UsageError);
    expect(() => parseInvocation(argv)).toThrow(message);
  });
});
