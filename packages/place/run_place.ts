/** orcid-place's run: the checks and the work behind its command line, which main.ts declares. */
import { realpath } from "node:fs/promises";
import {
  asUsage,
  ExitCode,
  FatalError,
  folderInShard,
  inMirror,
  last3,
  Mirror,
  newPlaceStats,
  parseShard,
  placeRecords,
  readRecordInputs,
  secondsFlag,
  type Shard,
  type ToolContext,
  wholeNumberFlag,
} from "@orcid-sync/core";
import { newVerifyStats, verifyRecords } from "./verify_records.ts";

/** The parsed command line. */
export interface PlaceArgs {
  readonly dir: string;
  readonly inputs?: string[];
  readonly concurrency: number;
  readonly fsync?: boolean;
  readonly dryRun?: boolean;
  readonly maxDelete?: number;
  readonly verify: boolean;
  readonly summariesBucket: string;
  readonly shard?: string;
  readonly waitLock: number;
  readonly breakLock: boolean;
}

/** --verify: compare, report, change nothing; exit 1 when the mirror differs. */
async function verify(args: PlaceArgs, ctx: ToolContext, inputs: string[]): Promise<number> {
  const root = await realpath(args.dir).catch(() => {
    throw new FatalError(`No mirror folder '${args.dir}'`);
  });
  const stats = newVerifyStats();
  ctx.progress.start(
    () => `${stats.checked} checked, ${stats.missing} missing, ${stats.changed} changed, ${stats.extra} extra`,
  );
  const records = (async function* () {
    for await (const { record } of readRecordInputs(inputs, ctx.stdin)) yield record;
  })();
  for await (const record of verifyRecords(records, new Mirror(root, { dryRun: true }), args.summariesBucket, stats)) {
    if (record.type === "mismatch") await ctx.out.write(record);
  }
  const differs = stats.missing + stats.changed + stats.extra;
  ctx.summary(
    `verified ${stats.checked} keys: ${stats.missing} missing, ${stats.changed} changed, ${stats.extra} extra in ${root}`,
  );
  return differs > 0 ? ExitCode.ItemsFailed : ExitCode.Ok;
}

/** Files the records into the mirror at `root`, whose lock the caller holds. */
async function place(
  args: PlaceArgs,
  ctx: ToolContext,
  inputs: string[],
  root: string,
  shard: Shard | undefined,
): Promise<number> {
  const mirror = new Mirror(root, {
    dryRun: Boolean(args.dryRun),
    fsync: Boolean(args.fsync),
    ...(args.maxDelete !== undefined ? { maxDelete: args.maxDelete } : {}),
  });
  const stats = newPlaceStats();
  ctx.progress.start(
    () => `${stats.written} written, ${stats.unchanged} unchanged, ${stats.deleted} deleted, ${stats.errors} failed`,
  );
  const records = (async function* () {
    for await (const { record } of readRecordInputs(inputs, ctx.stdin)) yield record;
  })();
  for await (const record of placeRecords(
    records,
    {
      mirror,
      concurrency: args.concurrency,
      ...(shard
        ? {
            owns: (orcid: string) => folderInShard(last3(orcid), shard),
            ownsWhat: `shard ${shard.index}/${shard.count} (--shard)`,
          }
        : {}),
    },
    stats,
  )) {
    await ctx.out.write(record);
  }
  const orphans = mirror.orphansRemoved ? `, ${mirror.orphansRemoved} leftover temp files removed` : "";
  ctx.summary(
    `${args.dryRun ? "dry run: would have " : ""}${stats.written} written, ${stats.unchanged} unchanged, ${stats.deleted} deleted, ${stats.errors} failed${orphans} in ${root}`,
  );
  return stats.errors > 0 ? ExitCode.ItemsFailed : ExitCode.Ok;
}

/** Runs orcid-place with parsed flags; the exit code. */
export async function runPlace(args: PlaceArgs, ctx: ToolContext): Promise<number> {
  const { dir } = args;
  const inputs = args.inputs ?? [];
  wholeNumberFlag("--concurrency", args.concurrency, 1);
  if (args.maxDelete !== undefined) wholeNumberFlag("--max-delete", args.maxDelete, 0);
  secondsFlag("--wait-lock", args.waitLock);
  const shard = args.shard === undefined ? undefined : asUsage(() => parseShard(args.shard!), "--shard");
  if (args.verify) return verify(args, ctx, inputs);
  const lockOptions = { ...(shard ? { shard } : {}), waitSeconds: args.waitLock, breakLock: args.breakLock };
  return await inMirror(dir, { ...lockOptions, dryRun: args.dryRun, signal: ctx.signal, log: ctx.log }, (root) =>
    place(args, ctx, inputs, root, shard),
  );
}
