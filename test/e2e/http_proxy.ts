/**
 * An HTTP proxy on 127.0.0.1 in front of the local S3 server that counts requests and injects
 * faults, driven per test: error statuses, connection resets mid-body, bodies cut short under a full
 * Content-Length, flipped bytes, stalls, and slow trickling.
 */
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  request,
  type Server,
  type ServerResponse,
} from "node:http";

/** What to do to one request. */
export type Fault =
  /** Answer with this status and an S3 error body instead of forwarding. */
  | { readonly kind: "status"; readonly status: number; readonly code: string; readonly region?: string }
  /** Forward, then destroy the connection after part of the body. */
  | { readonly kind: "reset" }
  /** Forward headers with the full Content-Length, send half the body, end the connection. */
  | { readonly kind: "truncate" }
  /** Forward with one byte of the body changed. */
  | { readonly kind: "corrupt" }
  /** Wait this long before answering. */
  | { readonly kind: "stall"; readonly ms: number }
  /** Forward the body in small pieces with pauses. */
  | { readonly kind: "trickle"; readonly bytesPerTick: number; readonly tickMs: number }
  /** Forward the body as is under headers changed by `edit` (drop Content-Length: a chunked body). */
  | { readonly kind: "headers"; readonly edit: (headers: IncomingHttpHeaders) => IncomingHttpHeaders };

/** A request as the proxy saw it. */
export interface SeenRequest {
  readonly method: string;
  /** Path and query. */
  readonly url: string;
  /** Status sent back (the fault's, or the server's). */
  status: number;
  readonly fault?: Fault["kind"];
  /** The request's headers, as the client sent them. */
  readonly headers: IncomingHttpHeaders;
}

export interface FaultProxy {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly requests: SeenRequest[];
  /** Sets the rule that picks a fault for each request (undefined: forward as is). */
  setFaults(rule: ((request: IncomingMessage, index: number) => Fault | undefined) | undefined): void;
  /** Object GETs (not listings) seen so far, optionally only those answered with `status`. */
  objectGets(status?: number): SeenRequest[];
  close(): Promise<void>;
}

const isListing = (url: string) => url.includes("list-type=") || /^\/[^/?]+\/?(\?|$)/.test(url);

/** Starts a proxy to `target` (`http://127.0.0.1:port`). */
export function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  const requests: SeenRequest[] = [];
  let rule: ((request: IncomingMessage, index: number) => Fault | undefined) | undefined;

  const forward = (req: IncomingMessage, res: ServerResponse, seen: SeenRequest, fault: Fault | undefined) => {
    const out = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (response) => {
        seen.status = response.statusCode ?? 0;
        if (fault?.kind === "headers" && response.statusCode === 200) {
          res.writeHead(200, fault.edit({ ...response.headers }));
          response.pipe(res);
          return;
        }
        res.writeHead(response.statusCode ?? 502, response.headers);
        if (!fault || response.statusCode !== 200) {
          response.pipe(res);
          return;
        }
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => {
          const body = Buffer.concat(chunks);
          if (fault.kind === "corrupt") {
            if (body.length > 0) body[Math.floor(body.length / 2)]! ^= 0x20;
            res.end(body);
          } else if (fault.kind === "truncate") {
            res.write(body.subarray(0, Math.floor(body.length / 2)));
            setTimeout(() => res.socket?.destroy(), 10);
          } else if (fault.kind === "reset") {
            res.write(body.subarray(0, Math.floor(body.length / 3)));
            setTimeout(() => res.socket?.resetAndDestroy?.() ?? res.socket?.destroy(), 10);
          } else if (fault.kind === "trickle") {
            let offset = 0;
            const tick = () => {
              if (res.destroyed) return;
              if (offset >= body.length) return void res.end();
              res.write(body.subarray(offset, offset + fault.bytesPerTick));
              offset += fault.bytesPerTick;
              setTimeout(tick, fault.tickMs);
            };
            tick();
          } else {
            res.end(body);
          }
        });
      },
    );
    out.on("error", () => res.destroy());
    req.pipe(out);
  };

  const server: Server = createServer((req, res) => {
    const index = requests.length;
    const fault = rule?.(req, index);
    const seen: SeenRequest = {
      method: req.method ?? "",
      url: req.url ?? "",
      status: 0,
      ...(fault ? { fault: fault.kind } : {}),
      headers: req.headers,
    };
    requests.push(seen);
    if (fault?.kind === "status") {
      seen.status = fault.status;
      req.resume();
      // A region error names the bucket's region, as S3 does (a header and <Region>).
      res.writeHead(fault.status, {
        "content-type": "application/xml",
        ...(fault.region ? { "x-amz-bucket-region": fault.region } : {}),
      });
      const region = fault.region ? `<Region>${fault.region}</Region>` : "";
      res.end(
        `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${fault.code}</Code><Message>Injected by the test proxy</Message>${region}</Error>`,
      );
      return;
    }
    if (fault?.kind === "stall") {
      setTimeout(() => forward(req, res, seen, undefined), fault.ms);
      return;
    }
    forward(req, res, seen, fault);
  });

  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      resolve({
        endpoint: `http://127.0.0.1:${port}`,
        requests,
        setFaults: (next) => {
          rule = next;
        },
        objectGets: (status) =>
          requests.filter(
            (r) => r.method === "GET" && !isListing(r.url) && (status === undefined || r.status === status),
          ),
        close: () =>
          new Promise((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    }),
  );
}
