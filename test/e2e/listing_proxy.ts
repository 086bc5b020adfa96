/**
 * A proxy on 127.0.0.1 in front of the local S3 server that answers ListObjectsV2 itself, the way
 * S3 does — keys in byte order (`997-old/x.xml` before `997/…`, which s3rver lists the other way
 * round), continuation tokens, start-after, KeyCount, the token near the top of the page — over the
 * server's keys plus keys the test injects, and breaks listing pages on request: resets, bodies cut
 * after a `</Contents>` with and without Content-Length, no closing tag, IsTruncated without a
 * token, a wrong KeyCount, a token given again. Everything else is passed to the server untouched.
 */
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from "node:http";

/** What to do to one listing page. */
export type ListingFault =
  /** Send part of the page, then reset the connection. */
  | { readonly kind: "reset" }
  /** End the page just after a `</Contents>`: with the whole page's Content-Length (then the connection is destroyed), or with none (a clean close). */
  | { readonly kind: "cut"; readonly contentLength: boolean }
  /** The whole page without its closing `</ListBucketResult>`. */
  | { readonly kind: "no-close" }
  /** `IsTruncated` true and no `NextContinuationToken`. */
  | { readonly kind: "truncated-without-token" }
  /** `KeyCount` one more than the keys sent. */
  | { readonly kind: "key-count" }
  /** A `NextContinuationToken` that leads back to this same page: the request's own (a page asked for without a token is left whole). */
  | { readonly kind: "repeat-token" }
  /** This status and an S3 error body. */
  | { readonly kind: "status"; readonly status: number; readonly code: string };

/** A listing request as the proxy answers it. */
export interface ListingRequest {
  readonly bucket: string;
  readonly prefix: string;
  /** The keys the page holds when whole. */
  readonly keys: readonly string[];
  /** The request's identity (bucket, prefix, start-after or token, max-keys): the same for a retry. */
  readonly id: string;
}

export interface ListingProxy {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** Listing pages answered, and how many of them were broken. */
  readonly counts: { pages: number; faults: number };
  /** Sets the rule that picks a fault for each listing page (undefined: whole pages). */
  setFaults(rule: ((request: ListingRequest) => ListingFault | undefined) | undefined): void;
  /** Adds keys (empty objects) that only listings show. */
  inject(bucket: string, keys: readonly string[]): void;
  /** Forgets injected keys and the server's keys read so far (after the test changed the store). */
  reset(): void;
  close(): Promise<void>;
}

interface Listed {
  readonly key: string;
  readonly xml: string;
}

const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
const escapeXml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const token = (after: string) => Buffer.from(`k${after}`).toString("base64url");
const fromToken = (value: string) => Buffer.from(value, "base64url").toString().slice(1);

function contentsOf(key: string, size: number, etag: string, lastModified: string): string {
  return `<Contents><Key>${escapeXml(key)}</Key><LastModified>${lastModified}</LastModified><ETag>&quot;${etag}&quot;</ETag><Size>${size}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
}

/** Every key of a bucket on the server, read page after page (unsigned: the server allows it). */
async function upstreamKeys(upstream: URL, bucket: string): Promise<Listed[]> {
  const listed: Listed[] = [];
  let next: string | undefined;
  do {
    const query = new URLSearchParams({
      "list-type": "2",
      "max-keys": "1000",
      ...(next ? { "continuation-token": next } : {}),
    });
    const xml = await new Promise<string>((resolve, reject) => {
      const out = request(
        { host: upstream.hostname, port: upstream.port, path: `/${bucket}?${query}`, method: "GET" },
        (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("end", () =>
            response.statusCode === 200
              ? resolve(Buffer.concat(chunks).toString())
              : reject(new Error(`upstream listing ${response.statusCode}`)),
          );
          response.on("error", reject);
        },
      );
      out.on("error", reject);
      out.end();
    });
    for (const match of xml.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g)) {
      const body = match[1]!;
      const key = /<Key>([\s\S]*?)<\/Key>/
        .exec(body)![1]!
        .replace(/&lt;/g, "<")
        .replace(/&gt;/g, ">")
        .replace(/&quot;/g, '"')
        .replace(/&amp;/g, "&");
      const size = Number(/<Size>(\d+)<\/Size>/.exec(body)?.[1] ?? 0);
      const etag = (/<ETag>([\s\S]*?)<\/ETag>/.exec(body)?.[1] ?? "").replace(/&quot;|"/g, "");
      const lastModified = /<LastModified>([^<]+)<\/LastModified>/.exec(body)?.[1] ?? new Date(0).toISOString();
      listed.push({ key, xml: contentsOf(key, size, etag, lastModified) });
    }
    next = /<IsTruncated>true<\/IsTruncated>/.test(xml)
      ? /<NextContinuationToken>([^<]+)<\/NextContinuationToken>/.exec(xml)?.[1]
      : undefined;
  } while (next);
  return listed;
}

/** Starts a proxy to `target` (`http://127.0.0.1:port`). */
export function startListingProxy(target: string): Promise<ListingProxy> {
  const upstream = new URL(target);
  const counts = { pages: 0, faults: 0 };
  let rule: ((request: ListingRequest) => ListingFault | undefined) | undefined;
  const injected = new Map<string, Listed[]>();
  const cache = new Map<string, Promise<Listed[]>>();

  const keysOf = (bucket: string): Promise<Listed[]> => {
    let keys = cache.get(bucket);
    if (!keys) {
      keys = upstreamKeys(upstream, bucket).then((listed) =>
        [...listed, ...(injected.get(bucket) ?? [])].sort((a, b) => byteOrder(a.key, b.key)),
      );
      cache.set(bucket, keys);
    }
    return keys;
  };

  const pass = (req: IncomingMessage, res: ServerResponse) => {
    const out = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (response) => {
        res.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(res);
      },
    );
    out.on("error", () => res.destroy());
    req.pipe(out);
  };

  const list = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    req.resume();
    const bucket = url.pathname.replace(/^\/|\/$/g, "");
    const prefix = url.searchParams.get("prefix") ?? "";
    const startAfter = url.searchParams.get("start-after") ?? "";
    const continuation = url.searchParams.get("continuation-token");
    const maxKeys = Math.min(1000, Number(url.searchParams.get("max-keys") ?? 1000));
    const after = continuation !== null ? fromToken(continuation) : startAfter;
    const all = await keysOf(bucket);
    const matching = all.filter((listed) => listed.key.startsWith(prefix) && byteOrder(listed.key, after) > 0);
    const page = matching.slice(0, maxKeys);
    const truncated = matching.length > page.length;
    const id = `${bucket}?prefix=${prefix}&after=${after}&max=${maxKeys}`;
    let fault = rule?.({ bucket, prefix, keys: page.map((p) => p.key), id });
    if (fault?.kind === "repeat-token" && continuation === null) fault = undefined;
    counts.pages++;
    if (fault) counts.faults++;
    if (fault?.kind === "status") {
      res.writeHead(fault.status, { "content-type": "application/xml" });
      res.end(
        `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${fault.code}</Code><Message>Injected by the listing proxy</Message></Error>`,
      );
      return;
    }
    let next = truncated ? token(page.at(-1)!.key) : undefined;
    let isTruncated = truncated;
    if (fault?.kind === "truncated-without-token") {
      isTruncated = true;
      next = undefined;
    } else if (fault?.kind === "repeat-token") {
      isTruncated = true;
      next = continuation!;
    }
    const keyCount = page.length + (fault?.kind === "key-count" ? 1 : 0);
    const head =
      `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
      `<Name>${escapeXml(bucket)}</Name><Prefix>${escapeXml(prefix)}</Prefix>` +
      (continuation !== null
        ? `<ContinuationToken>${continuation}</ContinuationToken>`
        : startAfter
          ? `<StartAfter>${escapeXml(startAfter)}</StartAfter>`
          : "") +
      (next ? `<NextContinuationToken>${next}</NextContinuationToken>` : "") +
      `<KeyCount>${keyCount}</KeyCount><MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${isTruncated}</IsTruncated>`;
    const body = `${head}${page.map((p) => p.xml).join("")}${fault?.kind === "no-close" ? "" : "</ListBucketResult>"}`;
    if (fault?.kind === "cut" || fault?.kind === "reset") {
      // Just after the middle </Contents> (or before the closing tag of a page without keys).
      const ends = [...body.matchAll(/<\/Contents>/g)].map((m) => m.index! + "</Contents>".length);
      const at = ends.length > 0 ? ends[Math.floor((ends.length - 1) / 2)]! : body.lastIndexOf("</ListBucketResult>");
      const part = body.slice(0, at);
      if (fault.kind === "cut" && !fault.contentLength) {
        // A response whose end is the connection's: no Content-Length, no chunks.
        const socket = req.socket;
        res.detachSocket(socket);
        socket.end(`HTTP/1.1 200 OK\r\ncontent-type: application/xml\r\nconnection: close\r\n\r\n${part}`);
        return;
      }
      res.writeHead(200, { "content-type": "application/xml", "content-length": Buffer.byteLength(body) });
      res.write(part);
      setTimeout(
        () =>
          fault.kind === "reset" ? (res.socket?.resetAndDestroy?.() ?? res.socket?.destroy()) : res.socket?.destroy(),
        10,
      );
      return;
    }
    res.writeHead(200, { "content-type": "application/xml", "content-length": Buffer.byteLength(body) });
    res.end(body);
  };

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://proxy");
    const isListing =
      req.method === "GET" && url.searchParams.get("list-type") === "2" && /^\/[^/]+\/?$/.test(url.pathname);
    if (!isListing) return pass(req, res);
    list(req, res, url).catch(() => res.destroy());
  });

  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      resolve({
        endpoint: `http://127.0.0.1:${port}`,
        counts,
        setFaults: (next) => {
          rule = next;
        },
        inject: (bucket, keys) => {
          const listed = injected.get(bucket) ?? [];
          for (const key of keys)
            listed.push({
              key,
              xml: contentsOf(key, 0, "d41d8cd98f00b204e9800998ecf8427e", "2026-01-01T00:00:00.000Z"),
            });
          injected.set(bucket, listed);
          cache.delete(bucket);
        },
        reset: () => {
          injected.clear();
          cache.clear();
        },
        close: () =>
          new Promise((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    }),
  );
}
