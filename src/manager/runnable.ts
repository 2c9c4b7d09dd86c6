// What the manager starts and stops: a named piece of the process.
import type { Server } from "node:http";

/** A named piece of the process that the manager starts and stops. */
export interface Runnable {
  /** Its name in the manager's log. */
  readonly name: string;
  /** Resolves once it runs (a server listens, a cache has listed). */
  start(): Promise<void>;
  /** Resolves once it has stopped. */
  stop(): Promise<void>;
}

/** An HTTP server as a runnable; `port` is where it listens once started (for port 0). */
export class ServerRunnable implements Runnable {
  readonly name: string;
  readonly #listen: () => Promise<Server>;
  #server: Server | undefined;

  constructor(name: string, listen: () => Promise<Server>) {
    this.name = name;
    this.#listen = listen;
  }

  /** Starts listening. */
  async start(): Promise<void> {
    this.#server = await this.#listen();
  }

  /** The port it listens on; 0 before it started. */
  get port(): number {
    const address = this.#server?.address();
    return typeof address === "object" && address ? address.port : 0;
  }

  /** Closes the server; resolves at once when it never started. */
  stop(): Promise<void> {
    const server = this.#server;
    if (!server) return Promise.resolve();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
