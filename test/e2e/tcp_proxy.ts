/** A TCP proxy on 127.0.0.1 in front of the local S3 server that counts what the server sends. */
import { connect, createServer, type Socket } from "node:net";

export interface CountingProxy {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** Bytes from the server to the client so far. */
  bytesDown(): number;
  connections(): number;
  close(): Promise<void>;
}

/** Options for {@linkcode startCountingProxy}. */
export interface ProxyOptions {
  /**
   * Pace the server's bytes like a network link. On loopback the kernel's socket buffers alone hold
   * several MB, so without pacing a reader that stops early is still sent megabytes it never asked for.
   */
  readonly bytesPerSecond?: number;
}

/** Starts a proxy to `target` (`http://127.0.0.1:port`). */
export function startCountingProxy(target: string, options: ProxyOptions = {}): Promise<CountingProxy> {
  const { hostname, port } = new URL(target);
  let down = 0;
  let connections = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    connections++;
    const upstream = connect(Number(port), hostname);
    sockets.add(client).add(upstream);
    client.pipe(upstream);
    upstream.on("data", (chunk: Buffer) => {
      down += chunk.length;
      const flushed = client.write(chunk);
      if (options.bytesPerSecond) {
        upstream.pause();
        setTimeout(
          () => (flushed ? upstream.resume() : client.once("drain", () => upstream.resume())),
          (chunk.length / options.bytesPerSecond) * 1000,
        );
      } else if (!flushed) {
        upstream.pause();
        client.once("drain", () => upstream.resume());
      }
    });
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on("error", close).on("close", close);
    upstream.on("error", close).on("close", close);
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const address = server.address() as { port: number };
      resolve({
        endpoint: `http://127.0.0.1:${address.port}`,
        bytesDown: () => down,
        connections: () => connections,
        close: () =>
          new Promise((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    }),
  );
}
