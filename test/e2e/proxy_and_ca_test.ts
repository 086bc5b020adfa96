// HTTPS_PROXY/HTTP_PROXY and AWS_CA_BUNDLE hold on the SDK path (the hand-built GET path shares the
// same dispatcher and is tested with orcid-fetch).
import { execFileSync } from "node:child_process";
import { createServer, request as httpRequest, type Server } from "node:http";
import { connect } from "node:net";
import { join } from "node:path";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { createS3Access } from "@orcid-sync/core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { seedStore } from "../generator/dataset_files.ts";
import { buildDay } from "../generator/dataset_files.ts";
import { type LocalS3, startLocalS3 } from "../s3/server.ts";
import { scratch } from "./helpers.ts";

/** A forward proxy on 127.0.0.1 that counts what passes through it (CONNECT tunnels and plain requests). */
function startProxy(): Promise<{ url: string; count: () => number; close: () => Promise<void> }> {
  let count = 0;
  const server: Server = createServer((req, res) => {
    count++;
    const target = new URL(req.url!);
    const upstream = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method: req.method,
        headers: req.headers,
      },
      (response) => {
        res.writeHead(response.statusCode!, response.headers);
        response.pipe(res);
      },
    );
    req.pipe(upstream);
  });
  server.on("connect", (req, socket, head) => {
    count++;
    const [host, port] = req.url!.split(":");
    const upstream = connect(Number(port), host!, () => {
      socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.write(head);
      upstream.pipe(socket).pipe(upstream);
    });
    upstream.on("error", () => socket.destroy());
    socket.on("error", () => upstream.destroy());
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      resolve({
        url: `http://127.0.0.1:${port}`,
        count: () => count,
        close: () => new Promise((done) => server.close(() => done())),
      });
    }),
  );
}

const folder = scratch("orcid-sync-tls-");
let plain: LocalS3;
let tls: LocalS3;
let certificate: string;

beforeAll(async () => {
  const { dataset } = buildDay({ records: 20, seed: 3, now: new Date("2026-11-20T00:00:00Z"), day: 1 });
  await seedStore(join(folder.dir, "data"), dataset);
  certificate = join(folder.dir, "cert.pem");
  const key = join(folder.dir, "key.pem");
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "2",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
      "-keyout",
      key,
      "-out",
      certificate,
    ],
    { stdio: "ignore" },
  );
  plain = await startLocalS3({ directory: join(folder.dir, "data") });
  tls = await startLocalS3({ directory: join(folder.dir, "data"), tls: { key, cert: certificate } });
});

afterAll(async () => {
  await plain?.stop();
  await tls?.stop();
  folder.remove();
});

async function listOne(env: NodeJS.ProcessEnv): Promise<number> {
  const access = createS3Access({ env, connections: 2 });
  try {
    const page = await (await access.client("v3.0-summaries")).send(
      new ListObjectsV2Command({ Bucket: "v3.0-summaries", MaxKeys: 5 }),
    );
    return page.Contents?.length ?? 0;
  } finally {
    await access.close();
  }
}

describe("S3 access", () => {
  test("goes through HTTP_PROXY when it is set", async () => {
    const proxy = await startProxy();
    try {
      expect(await listOne({ ...plain.env, HTTP_PROXY: proxy.url })).toBe(5);
      expect(proxy.count()).toBeGreaterThan(0);
    } finally {
      await proxy.close();
    }
  });

  test("trusts the certificates of AWS_CA_BUNDLE, and only with it", async () => {
    const env = { ...tls.env };
    await expect(listOne(env)).rejects.toThrow();
    expect(await listOne({ ...env, AWS_CA_BUNDLE: certificate })).toBe(5);
  });

  test("reports an unreadable AWS_CA_BUNDLE clearly", () => {
    expect(() => createS3Access({ env: { ...tls.env, AWS_CA_BUNDLE: "/nonexistent/ca.pem" } })).toThrow(
      "Cannot read the CA bundle '/nonexistent/ca.pem' (AWS_CA_BUNDLE)",
    );
  });
});
