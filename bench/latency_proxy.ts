/**
 * A TCP proxy on 127.0.0.1 that adds round-trip time: a new connection waits one RTT before it is
 * connected, and every chunk waits half an RTT in each direction, so each request/response exchange
 * costs one RTT, as over a network.
 */
import { connect, createServer, type Socket } from "node:net";

export interface LatencyProxy {
  readonly endpoint: string;
  close(): Promise<void>;
}

export function startLatencyProxy(target: string, rttMs: number): Promise<LatencyProxy> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  const delayed = (from: Socket, to: Socket) => {
    from.on("data", (chunk: Buffer) => {
      from.pause();
      setTimeout(() => {
        if (!to.destroyed) to.write(chunk);
        from.resume();
      }, rttMs / 2);
    });
    from.on("end", () => setTimeout(() => to.end(), rttMs / 2));
  };
  const server = createServer((client) => {
    client.pause();
    sockets.add(client);
    setTimeout(() => {
      const upstream = connect(Number(port), hostname, () => {
        delayed(client, upstream);
        delayed(upstream, client);
        client.resume();
      });
      sockets.add(upstream);
      const close = () => {
        client.destroy();
        upstream.destroy();
      };
      upstream.on("error", close).on("close", close);
      client.on("error", close).on("close", close);
    }, rttMs);
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const { port: local } = server.address() as { port: number };
      resolve({
        endpoint: `http://127.0.0.1:${local}`,
        close: () =>
          new Promise((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    }),
  );
}
