// A plain TCP proxy for fault tests: a client that talks to a server through it can be cut off
// (every open connection reset, every new one reset at once, like a server or load balancer that
// went away) and let through again. It only moves bytes, so TLS runs end to end between the
// client and the server (the server's certificate must be valid for 127.0.0.1).
import { connect, createServer, type Server, type Socket } from "node:net";

export interface TcpProxy {
  /** The port the proxy listens on, on 127.0.0.1. */
  readonly port: number;
  /** Connections accepted and forwarded so far. */
  readonly forwarded: number;
  /** Connections reset because they arrived while cut. */
  readonly refused: number;
  /** Resets every open connection, and every new one until restore(). */
  cut(): void;
  /** Forwards new connections again. */
  restore(): void;
  /** Open connections stop moving bytes but stay open (a black-holed path); new ones work. */
  blackhole(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const open = new Set<Socket>();
  const pairs: [Socket, Socket][] = [];
  let isCut = false;
  let forwarded = 0;
  let refused = 0;
  const track = (socket: Socket) => {
    open.add(socket);
    socket.on("close", () => open.delete(socket));
    // A reset is the point of this proxy: its errors are expected, never unhandled.
    socket.on("error", () => socket.destroy());
  };

  const server: Server = createServer((client) => {
    if (isCut) {
      refused += 1;
      client.on("error", () => {});
      client.resetAndDestroy();
      return;
    }
    forwarded += 1;
    const upstream = connect(target.port, target.host);
    track(client);
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    pairs.push([client, upstream]);
    // One side gone: the other goes too (a half-open pair would hide the failure).
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;

  return {
    port,
    get forwarded() {
      return forwarded;
    },
    get refused() {
      return refused;
    },
    cut() {
      isCut = true;
      for (const socket of open) socket.resetAndDestroy();
    },
    restore() {
      isCut = false;
    },
    blackhole() {
      for (const [client, upstream] of pairs.splice(0)) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.pause();
        upstream.pause();
      }
    },
    async close() {
      isCut = true;
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
