// The process's runnables, started and stopped in order, as controller-runtime's manager does
// (pkg/manager/runnable_group.go):
//   servers   health, metrics, webhook: up first, so probes answer while the caches fill
//   caches    every replica keeps them warm, so a standby takes over at once
//   election  when on: the workers start once this replica leads
//   workers   the reconcilers; they write, so only the leader runs them
// and stopped in reverse: the workers first (nothing more is written), then the Lease is let go
// (the successor must not start while this one still writes), the caches, the servers. Losing
// the Lease is a stop signal: the workers stop and the manager says so (onLostLeadership; by
// default the process exits and Kubernetes starts a clean one), nothing is retried.
import type { Logger } from "../observability/logger.ts";
import type { Runnable } from "./runnable.ts";

/** Leader election as the manager drives it. */
export interface Election {
  /** Campaigns; calls `leading` when this replica becomes the leader, `lost` when it stops. */
  start(callbacks: { leading: () => void; lost: () => void }): void;
  /** Gives the Lease up (if held) and stops campaigning. */
  stop(): Promise<void>;
}

/** The runnables, in their groups, and the election that gates the workers. */
export interface ManagerOptions {
  log: Logger;
  /** Started first, stopped last: health, metrics, webhook. */
  servers: Runnable[];
  /** Started after the servers, on every replica. */
  caches: Runnable[];
  /** Started once this replica leads (at once without an election); stopped first. */
  workers: Runnable[];
  /** Leader election; without it, every replica runs the workers. */
  election?: Election;
  /** Told after the workers stopped because the Lease was lost. */
  onLostLeadership: () => void;
}

/** Starts and stops the process's runnables in order, as controller-runtime's manager. */
export class Manager {
  readonly #options: ManagerOptions;
  #workersRunning = false;
  #stopping = false;
  /** Once lost, never led again by this process: a fresh one takes over cleanly. */
  #lost = false;

  constructor(options: ManagerOptions) {
    this.#options = options;
  }

  /** Whether stop() was called (readiness says so). */
  get stopping(): boolean {
    return this.#stopping;
  }

  /** Starts the servers and caches, then the workers (once leading, with an election). */
  async start(): Promise<void> {
    const { servers, caches, election } = this.#options;
    for (const runnable of [...servers, ...caches]) await this.#start(runnable);
    if (!election) return this.#startWorkers();
    election.start({
      leading: () => void this.#startWorkers(),
      lost: () => void this.#leadershipLost(),
    });
  }

  /** Stops in reverse: the workers, the Lease, the caches, the servers. */
  async stop(): Promise<void> {
    this.#stopping = true;
    const { servers, caches, election } = this.#options;
    await this.#stopWorkers();
    await election?.stop();
    for (const runnable of [...servers, ...caches].reverse()) await runnable.stop();
  }

  async #start(runnable: Runnable): Promise<void> {
    await runnable.start();
    this.#options.log.debug({ runnable: runnable.name }, "started");
  }

  async #startWorkers(): Promise<void> {
    if (this.#stopping || this.#lost || this.#workersRunning) return;
    this.#workersRunning = true;
    for (const runnable of this.#options.workers) await this.#start(runnable);
  }

  async #stopWorkers(): Promise<void> {
    if (!this.#workersRunning) return;
    this.#workersRunning = false;
    for (const runnable of [...this.#options.workers].reverse()) await runnable.stop();
  }

  async #leadershipLost(): Promise<void> {
    this.#lost = true;
    this.#options.log.info("the workers stop: this replica no longer leads");
    await this.#stopWorkers();
    this.#options.onLostLeadership();
  }
}
