#!/usr/bin/env node
// `kubectl dnscert`: the kubectl plugin of dnsimple-cert-operator (docs/plugin.md). kubectl runs
// any `kubectl-dnscert` on PATH for `kubectl dnscert ...`, with the arguments as typed.
//
// Reading order: this file (checks the Node, then runs cli.ts), cli.ts (dispatch and exit codes),
// flags.ts and kubeconfig.ts (the command line, the cluster), cluster.ts (every API call), then a
// command each: status.ts, renew.ts, inspect-secret.ts, check.ts. Each command reads in its own
// file and judges in a pure *-report.ts (JSON shape) with a *-text.ts (human form); output.ts
// and events.ts are shared formatting; exit-codes.ts and help.ts are the contract with scripts.
import { ensureNode } from "./node-runtime.ts";

ensureNode(import.meta.url);
// Loaded only now: on an older Node, ensureNode has handed over before this import runs.
const { main } = await import("./cli.ts");
const code = await main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
});
// Exit at once: the API client's pooled connections would keep the process alive for a while.
// (stdout and stderr are synchronous for files and pipes on Linux, so nothing is cut off.)
process.exit(code);
