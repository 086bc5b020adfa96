/**
 * The download scenarios' shared harness: the day-1 store on a local S3 server, and measured runs
 * of contenders (one run, or several alternating runs with a table of medians and ratios).
 */
import { cpSync, existsSync, mkdirSync, readdirSync, renameSync } from "node:fs";
import { join } from "node:path";
import {
  type BucketObject,
  buildDay,
  type Dataset,
  datasetObjects,
  DEFAULT_BUCKETS,
  type LocalS3,
  seedStore,
  startLocalS3,
} from "@orcid-sync/test-bed";
import type { Contender, DownloadJob } from "./contenders.ts";
import { measure, type Measurement, processCpu } from "./measure.ts";
import { median, type ScenarioContext } from "./scenario.ts";

/** One measured run of a contender. */
export interface Run extends Measurement {
  readonly contender: string;
  readonly serverCpuSeconds: number;
  readonly objects: number;
}

/** A job without the folders the harness chooses. */
export type Job = Omit<DownloadJob, "dir" | "scratch" | "repo">;

/** Options for {@linkcode startDownloadBench}. */
export interface DownloadBenchOptions {
  /** Records in the synthetic store. */
  readonly records: number;
  /** Concurrency of every contender unless a scenario says otherwise. */
  readonly concurrency: number;
  /** The peers that could run (aws-cli, rclone). */
  readonly peers: readonly Contender[];
}

/** What a download scenario works with. */
export interface DownloadBench {
  readonly ctx: ScenarioContext;
  readonly s3: LocalS3;
  /** The store's folder: scenarios may reseed it (day 2) and must put day 1 back. */
  readonly storeDir: string;
  readonly day1: Dataset;
  readonly day2: Dataset;
  readonly objects: readonly BucketObject[];
  readonly summaryCount: number;
  readonly peers: readonly Contender[];
  /** The endpoint and concurrency of a default job. */
  readonly base: { readonly endpoint: string; readonly concurrency: number };
  /** One measured run on an empty folder (or a copy of `from`); checks the files it left. */
  runOnce(contender: Contender, job: Job, objectsCount: number, from?: string, endpoint?: string): Promise<Run>;
  /** Several alternating runs of each contender; reports a table with ratios against each peer. */
  compare(
    title: string,
    contenders: readonly Contender[],
    job: Job,
    objectsCount: number,
    from?: (c: Contender) => string | undefined,
  ): Promise<Run[][]>;
  stop(): Promise<void>;
}

/** Seeds day 1 into a store under the bench's scratch folder and starts a local S3 server on it. */
export async function startDownloadBench(ctx: ScenarioContext, options: DownloadBenchOptions): Promise<DownloadBench> {
  const now = new Date("2026-11-20T00:00:00Z");
  const day1 = buildDay({ records: options.records, seed: 7, now, day: 1 }).dataset;
  const day2 = buildDay({ records: options.records, seed: 7, now, day: 2 }).dataset;
  const storeDir = join(ctx.work, "s3");
  await seedStore(storeDir, day1, { golden: false });
  const objects = [...datasetObjects(day1)];
  const s3 = await startLocalS3({ directory: storeDir });
  const env = { ...ctx.env, ...s3.env };
  const retire = retirement(join(ctx.work, "retired"));

  const runOnce: DownloadBench["runOnce"] = async (contender, job, objectsCount, from, endpoint) => {
    const dir = join(ctx.work, "run");
    retire(dir);
    if (from) cpSync(from, dir, { recursive: true, preserveTimestamps: true });
    else mkdirSync(dir, { recursive: true });
    const full: DownloadJob = { ...job, endpoint: endpoint ?? job.endpoint, dir, scratch: ctx.work, repo: ctx.repo };
    const before = processCpu(s3.pid);
    const result = await measure(contender.script(full), { cwd: dir, env: { ...env, ...contender.env(full) } });
    const serverCpuSeconds = processCpu(s3.pid) - before;
    if (result.exitCode !== 0)
      throw new Error(`${contender.name} failed (${result.exitCode}): ${result.stderr.slice(0, 400)}`);
    // A download from empty must leave exactly the job's objects: otherwise the rates divide the wrong count.
    const files = from ? objectsCount : xmlFiles(dir);
    if (files !== objectsCount)
      throw new Error(`${contender.name} left ${files} files for a job of ${objectsCount} objects`);
    return { ...result, contender: contender.name, serverCpuSeconds, objects: objectsCount };
  };

  const compare: DownloadBench["compare"] = async (title, contenders, job, objectsCount, from) => {
    const runs: Run[][] = contenders.map(() => []);
    for (let r = 0; r < ctx.runs; r++) {
      // Alternate the order so drift hits every contender alike.
      const order = contenders.map((_, i) => (i + r) % contenders.length);
      for (const i of order) runs[i]!.push(await runOnce(contenders[i]!, job, objectsCount, from?.(contenders[i]!)));
    }
    const rows = runs.map((rs) => medians(rs, objectsCount));
    reportComparison(ctx, title, contenders, rows, options.peers);
    ctx.results[title] = {
      objects: objectsCount,
      contenders: contenders.map((c, i) => ({ name: c.name, version: c.version(), median: rows[i], runs: runs[i] })),
    };
    return runs;
  };

  return {
    ctx,
    s3,
    storeDir,
    day1,
    day2,
    objects,
    summaryCount: objects.filter((o) => o.bucket === DEFAULT_BUCKETS.summaries).length,
    peers: options.peers,
    base: { endpoint: s3.endpoint, concurrency: options.concurrency },
    runOnce,
    compare,
    stop: () => s3.stop(),
  };
}

/** The medians of a contender's runs. */
function medians(rs: readonly Run[], objectsCount: number) {
  const wall = median(rs.map((x) => x.wallSeconds));
  const cpu = median(rs.map((x) => x.cpuSeconds));
  return {
    wall,
    cpu,
    rss: median(rs.map((x) => x.peakRssMiB)),
    server: median(rs.map((x) => x.serverCpuSeconds)),
    perSecond: objectsCount / wall,
    usPerObject: (cpu / objectsCount) * 1e6,
  };
}

/** The comparison's table and its ratios against each peer (the first contender is ours). */
function reportComparison(
  ctx: ScenarioContext,
  title: string,
  contenders: readonly Contender[],
  rows: ReturnType<typeof medians>[],
  peers: readonly Contender[],
): void {
  const { say } = ctx;
  say(`## ${title}`);
  say();
  say("| contender | wall s | objects/s | client CPU s | CPU µs/object | peak RSS MiB | server CPU s |");
  say("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
  contenders.forEach((c, i) => {
    const x = rows[i]!;
    say(
      `| ${cell(c.name)} | ${x.wall.toFixed(2)} | ${x.perSecond.toFixed(0)} | ${x.cpu.toFixed(2)} | ${x.usPerObject.toFixed(0)} | ${x.rss.toFixed(0)} | ${x.server.toFixed(2)} |`,
    );
  });
  say();
  const ours = rows[0]!;
  for (let i = 1; i < contenders.length; i++) {
    if (!peers.includes(contenders[i]!)) continue;
    const peer = rows[i]!;
    say(
      `- vs ${contenders[i]!.name}: ${(peer.wall / ours.wall).toFixed(2)}× the speed (wall), ${(ours.usPerObject / peer.usPerObject).toFixed(2)}× the client CPU per object`,
    );
  }
  say();
}

/** Text for a markdown table cell: a contender's name such as `list|fetch|place` must not split the row. */
export const cell = (text: string): string => text.replaceAll("|", "\\|");

/**
 * Moves earlier runs' folders aside until the bench ends instead of deleting them before the next
 * run: ext4 does not reuse a just-freed inode and its allocator scans past each one, so files
 * created right after a mass deletion cost kernel time that belongs to the previous contender's
 * clean-up (bench/README.md has the measurement). A first download into an empty mirror does not
 * follow a mass deletion.
 */
function retirement(retiredDir: string): (dir: string) => void {
  let retired = 0;
  return (dir) => {
    if (!existsSync(dir)) return;
    mkdirSync(retiredDir, { recursive: true });
    renameSync(dir, join(retiredDir, String(retired++)));
  };
}

/** The .xml files below a folder (a contender's own state and log files aside). */
function xmlFiles(dir: string): number {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter(
    (entry) => entry.isFile() && entry.name.endsWith(".xml"),
  ).length;
}
