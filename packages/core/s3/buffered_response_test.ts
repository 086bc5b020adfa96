import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Agent } from "undici";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { dispatchBuffered } from "./buffered_response.ts";

const BIG = Buffer.alloc(3 << 20, "ab");
let server: Server;
let origin: string;
const agent = new Agent({ connections: 4 });

beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.url === "/big") {
      response.writeHead(200, { "content-length": BIG.length, etag: '"e"' });
      response.end(BIG);
    } else if (request.url === "/chunked") {
      // No Content-Length: a chunked body, its size unknown until it ends.
      response.writeHead(200, { etag: '"e"' });
      response.end(BIG);
    } else if (request.url === "/denied") {
      response.writeHead(403, { "content-type": "application/xml" });
      response.end(`<Error><Code>AccessDenied</Code><Message>${"m".repeat(200_000)}</Message></Error>`);
    } else if (request.url === "/slow") {
      response.writeHead(200, { "content-length": 10 });
      response.write("hello");
      // the rest never comes
    } else {
      response.writeHead(404);
      response.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await agent.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe("dispatchBuffered()", () => {
  test("gathers a body of many chunks, with the status and lower-case headers", async () => {
    const response = await dispatchBuffered(agent, { origin, path: "/big", method: "GET" });
    expect(response.statusCode).toBe(200);
    expect(response.headers.etag).toBe('"e"');
    expect(response.body.equals(BIG)).toBe(true);
  });

  test("holds the body until beforeBody settles, and reads it whole after", async () => {
    let release!: () => void;
    const seen: number[] = [];
    let done = false;
    const pending = dispatchBuffered(
      agent,
      { origin, path: "/big", method: "GET" },
      {
        beforeBody: (status, headers) => {
          seen.push(status, Number(headers["content-length"]));
          return new Promise<void>((resolve) => (release = resolve));
        },
      },
    ).then((response) => {
      done = true;
      return response;
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(seen).toEqual([200, BIG.length]);
    expect(done).toBe(false);
    release();
    expect((await pending).body.equals(BIG)).toBe(true);
  });

  test("a rejected beforeBody ends the request with its error", async () => {
    const failing = dispatchBuffered(
      agent,
      { origin, path: "/big", method: "GET" },
      { beforeBody: () => Promise.reject(new Error("no room")) },
    );
    await expect(failing).rejects.toThrow("no room");
  });

  test("keeps only the start of an error's body, enough for its code and message", async () => {
    const response = await dispatchBuffered(agent, { origin, path: "/denied", method: "GET" });
    expect(response.statusCode).toBe(403);
    expect(response.body.toString().startsWith("<Error><Code>AccessDenied</Code>")).toBe(true);
    expect(response.body.length).toBeLessThan(150_000);
  });

  test("an aborted signal ends a request whose body stalls, and one not yet sent", async () => {
    const controller = new AbortController();
    const stalled = dispatchBuffered(agent, { origin, path: "/slow", method: "GET" }, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error("stop")), 100);
    await expect(stalled).rejects.toThrow("stop");
    await expect(
      dispatchBuffered(agent, { origin, path: "/big", method: "GET" }, { signal: controller.signal }),
    ).rejects.toThrow("stop");
  });

  test("an abort ends every request in flight on the signal, and none that finished", async () => {
    const controller = new AbortController();
    const { signal } = controller;
    const finished = await dispatchBuffered(agent, { origin, path: "/big", method: "GET" }, { signal });
    const stalled = [1, 2, 3].map(() => dispatchBuffered(agent, { origin, path: "/slow", method: "GET" }, { signal }));
    setTimeout(() => controller.abort(new Error("stop")), 100);
    for (const request of stalled) await expect(request).rejects.toThrow("stop");
    expect(finished.body.equals(BIG)).toBe(true);
  });

  test("a body without Content-Length: whileReading sees it grow and holds the rest while its promise is pending", async () => {
    const seen: number[] = [];
    let release: (() => void) | undefined;
    let done = false;
    const pending = dispatchBuffered(
      agent,
      { origin, path: "/chunked", method: "GET" },
      {
        whileReading: (received) => {
          seen.push(received);
          // Hold the body once, at its first piece.
          if (seen.length > 1) return undefined;
          return new Promise<void>((resolve) => (release = resolve));
        },
      },
    ).then((response) => {
      done = true;
      return response;
    });
    while (!release && !done) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(release, "whileReading was never called").toBeDefined();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(done).toBe(false);
    const heldAt = seen.at(-1)!;
    expect(heldAt).toBeLessThan(BIG.length);
    release!();
    const response = await pending;
    expect(response.body.equals(BIG)).toBe(true);
    expect(seen.at(-1)).toBe(BIG.length);
    expect(seen.every((n, i) => i === 0 || n > seen[i - 1]!)).toBe(true);
  });
});
