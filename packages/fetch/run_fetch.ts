/** orcid-fetch's run: the checks and the work behind its command line, which main.ts declares. */
import { resolve } from "node:path";
import {
  asUsage,
  type AwsArgs,
  type CheckpointCounts,
  CheckpointJournal,
  createS3Access,
  ExitCode,
  type FetchedObject,
  folderInShard,
  inMirror,
  last3,
  Mirror,
  newPlaceStats,
  parseDuration,
  parseShard,
  type PipelineRecord,
  placeRecords,
  type PlaceStats,
  readRecordsOnly,
  recordCheckpoints,
  s3OptionsFromArgs,
  secondsFlag,
  type Shard,
  type ToolContext,
  UsageError,
  type UnknownRecord,
  wholeNumberFlag,
} from "@orcid-sync/core";
import { type FetchResult, fetchRecords, newFetchStats } from "./fetch_records.ts";
import { parseBytes } from "./units.ts";

/** The parsed command line. */
export interface FetchArgs extends AwsArgs {
  readonly inputs?: string[];
  readonly concurrency: number;
  readonly maxBytesInFlight: string;
  readonly skipUnchanged?: string;
  readonly retries: number;
  readonly timeout: string;
  /** File each object into this mirror, as orcid-place would. */
  readonly into?: string;
  readonly shard?: string;
  readonly waitLock: number;
  readonly breakLock: boolean;
  readonly dryRun: boolean;
  /** With --into: the resume checkpoint journal to record, as `| orcid-state checkpoints record` would. */
  readonly checkpoints?: string;
}

/** What --into files: the mirror, whose lock the run holds, and the shard it may change. */
interface Into {
  readonly root: string;
  readonly mirror: Mirror;
  readonly shard: Shard | undefined;
  readonly stats: PlaceStats;
}

/**
 * The fetched records filed into the mirror as orcid-place files them, yielding what it would
 * emit. A body holds its budget until its file is written, so --max-bytes-in-flight bounds the
 * bodies of both stages.
 */
function fileInto(fetched: AsyncIterable<FetchResult>, into: Into): AsyncGenerator<PipelineRecord | UnknownRecord> {
  const releases = new Map<object, () => void>();
  // The records with their releases put aside: a plain iterator rather than a generator, which
  // would cost a promise and turns of the microtask queue more per record.
  const iterator = fetched[Symbol.asyncIterator]();
  const records: AsyncIterable<PipelineRecord | FetchedObject | UnknownRecord> = {
    [Symbol.asyncIterator]: () => ({
      next: () =>
        iterator.next().then((result): IteratorResult<PipelineRecord | FetchedObject | UnknownRecord> => {
          if (result.done) return { done: true, value: undefined };
          releases.set(result.value.record, result.value.release);
          return { done: false, value: result.value.record };
        }),
      return: async () => {
        await iterator.return?.();
        return { done: true, value: undefined };
      },
    }),
  };
  const { shard } = into;
  return placeRecords(
    records,
    {
      mirror: into.mirror,
      concurrency: 16,
      // fetch compared each object with this mirror (the same Mirror, under this run's lock).
      compared: true,
      tool: "orcid-fetch",
      done: (record) => {
        releases.get(record)?.();
        releases.delete(record);
      },
      ...(shard
        ? {
            owns: (orcid: string) => folderInShard(last3(orcid), shard),
            ownsWhat: `shard ${shard.index}/${shard.count} (--shard)`,
          }
        : {}),
    },
    into.stats,
  );
}

/** Runs orcid-fetch with parsed flags; the exit code. */
export async function runFetch(args: FetchArgs, ctx: ToolContext): Promise<number> {
  wholeNumberFlag("--concurrency", args.concurrency, 1);
  wholeNumberFlag("--retries", args.retries, 0);
  const maxBytesInFlight = asUsage(() => parseBytes(args.maxBytesInFlight), "--max-bytes-in-flight");
  const timeoutMs = asUsage(() => parseDuration(args.timeout, { bareUnit: "s" }), "--timeout");
  secondsFlag("--wait-lock", args.waitLock);
  const shard = args.shard === undefined ? undefined : asUsage(() => parseShard(args.shard!), "--shard");
  if (args.into === undefined) {
    for (const [flag, given] of [
      ["--shard", shard !== undefined],
      ["--wait-lock", args.waitLock !== 0],
      ["--break-lock", args.breakLock],
      ["--dry-run", args.dryRun],
      ["--checkpoints", args.checkpoints !== undefined],
    ] as const)
      if (given) throw new UsageError(`Cannot use ${flag} without --into: it is about the mirror --into files into`);
  } else if (args.dryRun && args.checkpoints !== undefined)
    throw new UsageError("Cannot use --checkpoints with --dry-run: a folder a dry run went through is not done");
  else if (args.skipUnchanged !== undefined && resolve(args.skipUnchanged) !== resolve(args.into))
    throw new UsageError(
      `Cannot use --skip-unchanged '${args.skipUnchanged}' with --into '${args.into}': --into skips what its mirror holds`,
    );
  if (args.into === undefined) return await fetchAll(args, ctx, timeoutMs, maxBytesInFlight, undefined, shard);
  const lockOptions = { ...(shard ? { shard } : {}), waitSeconds: args.waitLock, breakLock: args.breakLock };
  return await inMirror(args.into, { ...lockOptions, dryRun: args.dryRun, signal: ctx.signal, log: ctx.log }, (root) =>
    fetchAll(args, ctx, timeoutMs, maxBytesInFlight, root, shard),
  );
}

/** Fetches every key record, writing records (or filing into the mirror at `root`); the exit code. */
async function fetchAll(
  args: FetchArgs,
  ctx: ToolContext,
  timeoutMs: number,
  maxBytesInFlight: number,
  root: string | undefined,
  shard: Shard | undefined,
): Promise<number> {
  const s3 = createS3Access(s3OptionsFromArgs(args, { connections: args.concurrency, timeoutMs }));
  const stats = newFetchStats();
  const into: Into | undefined =
    root === undefined
      ? undefined
      : { root, mirror: new Mirror(root, { dryRun: args.dryRun, sole: !args.dryRun }), shard, stats: newPlaceStats() };
  // One Mirror compares and files, so each folder is checked once. Comparing sweeps nothing
  // (local_copy.ts looks without sweeping): filing does, in the folders it writes or touches, as in the pipe.
  const compareWith = into ? into.mirror : args.skipUnchanged;
  const started = performance.now();
  const rate = () => (stats.objects / Math.max(0.001, (performance.now() - started) / 1000)).toFixed(0);
  ctx.progress.start(
    () =>
      `${stats.objects} objects, ${(stats.bytes / 1e6).toFixed(1)} MB, ${rate()}/s, ${stats.unchanged} unchanged, ${stats.missing} missing, ${stats.retries} retries, ${stats.errors} failed`,
  );
  // The checkpoints that reach the end of filing, recorded here rather than by a process of their own.
  const journal = into && args.checkpoints !== undefined ? new CheckpointJournal(args.checkpoints) : undefined;
  const checkpointCounts: CheckpointCounts = { saved: 0, withheld: 0 };
  const inputs = args.inputs ?? [];
  const records = readRecordsOnly(inputs, ctx.stdin);
  try {
    const fetched = fetchRecords(
      records,
      {
        s3,
        concurrency: args.concurrency,
        maxBytesInFlight,
        attempts: args.retries + 1,
        signal: ctx.signal,
        ...(compareWith ? { skipUnchanged: compareWith } : {}),
        ...(into ? { asBytes: true } : {}),
      },
      stats,
    );
    if (into) {
      const filed = fileInto(fetched, into);
      const out = journal ? recordCheckpoints(filed, journal, checkpointCounts) : filed;
      for await (const record of out) {
        // The writer answers with a promise only when its output is full: no turn of the queue otherwise.
        const full = ctx.out.write(record);
        if (full) await full;
      }
    } else
      for await (const { record, release } of fetched) {
        await ctx.out.write(record);
        release();
      }
  } finally {
    await s3.close();
    await journal?.close();
  }
  // Objects whose ETag is not an MD5 (SSE-KMS, SSE-C, multipart) are told apart: their bytes were checked by length only.
  const lengthOnly =
    stats.lengthOnly > 0
      ? `, ${stats.lengthOnly} checked by length only (ETag not an MD5: SSE-KMS, SSE-C or multipart)`
      : "";
  const fetchedLine = `${stats.objects} objects (${(stats.bytes / 1e6).toFixed(1)} MB, ${rate()}/s), ${stats.unchanged} unchanged, ${stats.missing} missing, ${stats.retries} retries, ${stats.errors} failed${lengthOnly}`;
  if (!into) {
    ctx.summary(fetchedLine);
    return stats.errors > 0 ? ExitCode.ItemsFailed : ExitCode.Ok;
  }
  // With --into, failures are counted as orcid-place counts them: fetch's errors and filing's.
  const placed = into.stats;
  if (checkpointCounts.withheld > 0)
    ctx.log.warn(`${checkpointCounts.withheld} folders had failures and were not marked done`);
  const marked = journal ? `; ${checkpointCounts.saved} folders marked done in ${args.checkpoints}` : "";
  const orphans = into.mirror.orphansRemoved ? `, ${into.mirror.orphansRemoved} leftover temp files removed` : "";
  ctx.summary(
    `${fetchedLine}; ${args.dryRun ? "dry run: would have " : ""}${placed.written} written, ${placed.unchanged} unchanged, ${placed.deleted} deleted, ${placed.errors} failed${orphans} in ${into.root}${marked}`,
  );
  return placed.errors > 0 ? ExitCode.ItemsFailed : ExitCode.Ok;
}
