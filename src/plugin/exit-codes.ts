// The exit codes of `kubectl dnscert`, for scripts, and the errors that lead to them. A command
// returns 0 or 1 itself (its verdict); the other codes come from an error thrown anywhere below
// the command line (cli.ts maps them), so a command never has to pick a code for a failure.
import { KubeApiError } from "../kube/errors.ts";

/** What the process exits with. docs/plugin.md and `--help` list the same table. */
export const EXIT = {
  /** The resource is Ready, the renewal was asked for, the Secret verifies, the check passed. */
  ok: 0,
  /** Not Ready, a Secret that does not verify, or a check that found something wrong. */
  notOk: 1,
  /** The command line is wrong (unknown flag, missing name, NAME together with -l). */
  usage: 2,
  /** The named object (or the namespace's resources for -l/--all) does not exist. */
  notFound: 3,
  /** The cluster could not be asked: kubeconfig, connection, permission or another API error. */
  apiError: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The command line cannot be run as given; the message says what to change. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** The object the user named is not there. */
export class NotFoundError extends Error {
  override name = "NotFoundError";
}

/** The kubeconfig cannot be used (no file, no such context). */
export class KubeconfigError extends Error {
  override name = "KubeconfigError";
}

/** The exit code an error thrown by a command stands for. */
export function exitCodeOf(error: unknown): ExitCode {
  if (error instanceof UsageError) return EXIT.usage;
  if (error instanceof NotFoundError) return EXIT.notFound;
  if (error instanceof KubeApiError && error.notFound) return EXIT.notFound;
  return EXIT.apiError;
}
