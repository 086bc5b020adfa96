/** What the end-to-end tests share: a seeded local S3 server and running the real binaries. */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildDay, type DayOptions, seedStore, type SeedOptions } from "../generator/dataset_files.ts";
import type { Dataset } from "../generator/model.ts";
import { type LocalS3, startLocalS3 } from "../s3/server.ts";
import { type FaultProxy, startFaultProxy } from "./http_proxy.ts";
export { readTree, treeDifferences } from "../tree.ts";

/** The repository's root folder. */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** Where npm links the tools. */
export const BIN_DIR = join(ROOT, "node_modules", ".bin");

/** A fresh temp folder, removed by the returned function. */
export function scratch(prefix = "orcid-sync-test-"): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A running server seeded with a generated day. */
export interface SeededS3 extends LocalS3 {
  readonly dataset: Dataset;
  /** Moves the buckets to another day of the same dataset. */
  seedDay(day: number): Promise<Dataset>;
  /** Stops the server and removes its data. */
  close(): Promise<void>;
}

/** Starts the local S3 server over a temp folder seeded with day 1 of a small generated dataset. */
export async function startSeededS3(options: Partial<DayOptions> = {}, seed: SeedOptions = {}): Promise<SeededS3> {
  const day: DayOptions = { records: 300, seed: 7, now: new Date("2026-11-20T00:00:00Z"), day: 1, ...options };
  const folder = scratch("orcid-sync-s3-");
  let { dataset } = buildDay(day);
  await seedStore(folder.dir, dataset, seed);
  const s3 = await startLocalS3({ directory: folder.dir });
  return {
    ...s3,
    get dataset() {
      return dataset;
    },
    async seedDay(n: number) {
      ({ dataset } = buildDay({ ...day, day: n }));
      await seedStore(folder.dir, dataset, seed);
      return dataset;
    },
    async close() {
      await s3.stop();
      folder.remove();
    },
  };
}

/** A seeded S3 server behind a fault proxy, and the environment that sends the tools through it. */
export interface ProxiedS3 {
  readonly s3: SeededS3;
  readonly proxy: FaultProxy;
  /** The server's credentials, with `AWS_ENDPOINT_URL` the proxy's. */
  readonly env: Record<string, string>;
  close(): Promise<void>;
}

/** Starts {@linkcode startSeededS3} and a fault proxy in front of it. */
export async function startProxiedS3(options: Partial<DayOptions> = {}, seed: SeedOptions = {}): Promise<ProxiedS3> {
  const s3 = await startSeededS3(options, seed);
  const proxy = await startFaultProxy(s3.endpoint);
  return {
    s3,
    proxy,
    env: { ...s3.env, AWS_ENDPOINT_URL: proxy.endpoint },
    async close() {
      await proxy.close();
      await s3.close();
    },
  };
}

/** The outcome of running a binary. */
export interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options for {@linkcode runBin}. */
export interface RunOptions {
  readonly stdin?: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
}

/** Runs one of the tools (`orcid-list`, …) from node_modules/.bin as a real process. */
export function runBin(name: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return runCommand(join(BIN_DIR, name), args, options);
}

/** Runs any command, collecting its output. */
export function runCommand(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? ROOT,
      env: { ...process.env, ...options.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("error", reject);
    child.on("close", (code, signal) =>
      resolve({ code, signal, stdout: Buffer.concat(stdout).toString(), stderr: Buffer.concat(stderr).toString() }),
    );
    child.stdin.on("error", () => {});
    child.stdin.end(options.stdin ?? "");
  });
}

/** Runs a bash pipeline with the tools on PATH and `set -o pipefail`. */
export function runPipeline(script: string, options: RunOptions = {}): Promise<RunResult> {
  return runCommand("bash", ["-c", `set -o pipefail\n${script}`], {
    ...options,
    env: { ...options.env, PATH: `${BIN_DIR}:${process.env.PATH}` },
  });
}

/** The expected files of a dataset (and the golden objects), as readTree gives them. */
export function expectedTree(files: Iterable<{ path: string; body: string | Buffer }>): Map<string, Buffer> {
  const tree = new Map<string, Buffer>();
  for (const file of files) tree.set(file.path, typeof file.body === "string" ? Buffer.from(file.body) : file.body);
  return tree;
}
