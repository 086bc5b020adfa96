/**
 * The local S3 server process: s3rver on 127.0.0.1 over a data folder. Prints one JSON line with
 * the endpoint when it listens, and stops when its stdin closes or on SIGTERM. Must run under
 * `node --openssl-legacy-provider` (s3rver's continuation tokens use DES).
 *
 *   node --openssl-legacy-provider test/dist/s3/server_main.js --directory DIR [--port N] [--key K --cert C]
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { parseArgs } from "node:util";

const require = createRequire(import.meta.url);
const S3rver = require("@20minutes/s3rver") as new (
  options: object,
) => {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
};

const { values } = parseArgs({
  options: {
    directory: { type: "string" },
    port: { type: "string", default: "0" },
    key: { type: "string" },
    cert: { type: "string" },
  },
});
if (!values.directory) {
  process.stderr.write("s3-server: --directory is required\n");
  process.exit(2);
}

const server = new S3rver({
  address: "127.0.0.1",
  port: Number(values.port),
  directory: values.directory,
  silent: true,
  vhostBuckets: false,
  resetOnClose: false,
  // With a key and certificate it serves HTTPS (for CA-bundle tests).
  ...(values.key && values.cert ? { key: readFileSync(values.key), cert: readFileSync(values.cert) } : {}),
});
const scheme = values.key && values.cert ? "https" : "http";
const { port } = await server.run();
process.stdout.write(`${JSON.stringify({ endpoint: `${scheme}://127.0.0.1:${port}`, pid: process.pid })}\n`);

const stop = async () => {
  await server.close().catch(() => {});
  process.exit(0);
};
process.stdin.on("end", stop);
process.stdin.on("close", stop);
process.stdin.resume();
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
