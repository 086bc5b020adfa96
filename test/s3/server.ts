/** Starting and stopping the local S3 server in its own process, over a real socket. */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createInterface } from "node:readline";
import { testBedPath } from "../paths.ts";

/** The key pair s3rver checks SigV4 signatures with. */
export const S3RVER_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } as const;

/** A running local server. */
export interface LocalS3 {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** The data folder the server reads objects from. */
  readonly directory: string;
  readonly pid: number;
  /** Environment for a tool under test: endpoint, credentials, region. */
  readonly env: Readonly<Record<string, string>>;
  stop(): Promise<void>;
}

/** Options for {@linkcode startLocalS3}. */
export interface StartOptions {
  /** The data folder (created if missing). */
  readonly directory: string;
  /** Port to listen on. Default: a free one. */
  readonly port?: number;
  /** PEM key and certificate files: serve HTTPS instead of HTTP. */
  readonly tls?: { readonly key: string; readonly cert: string };
}

// The compiled entry, also when the tests run this module from source.
const serverMain = testBedPath("dist", "s3", "server_main.js");

/**
 * Starts s3rver in a child process on 127.0.0.1 and resolves once it listens.
 *
 * @example
 * ```ts
 * const s3 = await startLocalS3({ directory: "/tmp/s3" });
 * try { … } finally { await s3.stop(); }
 * ```
 */
export async function startLocalS3(options: StartOptions): Promise<LocalS3> {
  mkdirSync(options.directory, { recursive: true });
  const child = spawn(
    process.execPath,
    [
      "--openssl-legacy-provider",
      serverMain,
      "--directory",
      options.directory,
      "--port",
      String(options.port ?? 0),
      ...(options.tls ? ["--key", options.tls.key, "--cert", options.tls.cert] : []),
    ],
    { stdio: ["pipe", "pipe", "inherit"] },
  );
  const endpoint = await readyLine(child);
  return {
    endpoint,
    directory: options.directory,
    pid: child.pid!,
    env: {
      AWS_ENDPOINT_URL: endpoint,
      AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
      AWS_REGION: "us-east-1",
    },
    stop: () => stopChild(child),
  };
}

function readyLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const onExit = (code: number | null) =>
      reject(new Error(`The local S3 server exited (${code}) before it listened`));
    child.once("exit", onExit);
    child.once("error", reject);
    lines.once("line", (line) => {
      child.off("exit", onExit);
      resolve((JSON.parse(line) as { endpoint: string }).endpoint);
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.stdin?.end();
  const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
  await exited;
  clearTimeout(timer);
}
