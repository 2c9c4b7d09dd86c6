// restart: a fresh operator over N resources that are all Ready (the burst's). How long until
// it has confirmed every one (its debug line `"action":"ready"` per resource), against a target
// of 10 s, and what the restart cost: DNSimple calls, Kubernetes writes (kube-apiserver's own
// counters; the target is none), Secrets and statuses rewritten (resourceVersions before and
// after).
import { requestSnapshot, requestsBetween, tallyRequests } from "../support/apiserver-requests.ts";
import { changed } from "../support/kubernetes.ts";
import { OperatorProcess } from "../support/operator-process.ts";
import { progress, sleep, waitFor } from "../support/progress.ts";
import { operatorFigures, type Scenario } from "../support/scenarios.ts";
import { summarizeCalls, waitQuiet } from "../support/simulator-view.ts";
import { seconds } from "../support/statistics.ts";
import { ensureFleet } from "./burst.ts";

/** Every resource confirmed within this many seconds of the process's start. */
export const RESTART_TARGET_SECONDS = 10;

export const restart: Scenario = {
  name: "restart",
  async run(ctx) {
    const fleet = await ensureFleet(ctx);
    const { namespace, simulator, names } = fleet;
    await waitQuiet(simulator, 2_000, 30_000);
    const before = await ctx.kube.resourceVersions(namespace);
    simulator.resetCalls();
    const keys = names.map((name) => `${namespace}/${name}`);
    const requestsBefore = await requestSnapshot(ctx.kube);
    const operator = await OperatorProcess.start({
      kubeconfig: ctx.kubeconfig,
      simulator,
      namespace,
      label: "restart",
    });
    const { spawnedAt } = operator;
    const runningAt = operator.runningAt ?? spawnedAt;
    let confirmedAt: number | undefined;
    try {
      confirmedAt = await waitFor(
        "every resource confirmed",
        () =>
          keys.every((k) => operator.readyAt.has(k))
            ? Math.max(...keys.map((k) => operator.readyAt.get(k) ?? 0))
            : undefined,
        // Far past the target, so a slow restart is measured rather than cut off.
        ctx.quick ? 60_000 : 600_000,
        50,
      );
    } catch {
      progress(`restart: ${operator.readyAt.size}/${keys.length} confirmed before the timeout`);
    }
    // Late writes or calls would show within a few seconds.
    await sleep(5_000);
    const requests = tallyRequests(
      requestsBetween(requestsBefore, await requestSnapshot(ctx.kube)),
    );
    const after = await ctx.kube.resourceVersions(namespace);
    const calls = summarizeCalls(simulator.calls());
    const confirmedTimes = keys
      .map((k) => operator.readyAt.get(k))
      .filter((t): t is number => t !== undefined);
    const secondsToAllConfirmed =
      confirmedAt !== undefined ? seconds(confirmedAt - spawnedAt) : null;
    const figures = {
      resources: names.length,
      confirmed: confirmedTimes.length,
      secondsToRunning: seconds(runningAt - spawnedAt),
      secondsToFirstConfirmed:
        confirmedTimes.length > 0 ? seconds(Math.min(...confirmedTimes) - spawnedAt) : null,
      secondsToAllConfirmed,
      targetSeconds: RESTART_TARGET_SECONDS,
      allConfirmedWithinTarget:
        secondsToAllConfirmed !== null && secondsToAllConfirmed <= RESTART_TARGET_SECONDS,
      secondsFromRunningToAllConfirmed:
        confirmedAt !== undefined ? seconds(confirmedAt - runningAt) : null,
      dnsimpleCalls: calls.total,
      dnsimpleCallsByOperation: calls.byOperation,
      secretsRewritten: changed(before.secrets, after.secrets),
      statusesRewritten: changed(before.certificates, after.certificates),
      kubernetesWritesTotal: requests.totalWrites,
      targetKubernetesWrites: 0,
      kubernetesWrites: requests.writes,
      ...(Object.keys(requests.failedWrites).length > 0
        ? { kubernetesWritesFailed: requests.failedWrites }
        : {}),
      controlPlaneWrites: requests.controlPlaneWrites,
      kubernetesReads: requests.reads,
      ...(await operatorFigures(operator)),
    };
    await operator.stop();
    return figures;
  },
};
