/** orcid-list's run: the checks and the work behind its command line, which main.ts declares. */
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import {
  asUsage,
  type AwsArgs,
  type BucketLayout,
  createS3Access,
  ExitCode,
  formatIsoMicros,
  formatLambdaMicros,
  nowMicros,
  parseShard,
  parseWhen,
  readCheckpoints,
  readReferenceTokens,
  s3OptionsFromArgs,
  type ToolContext,
  UsageError,
  wholeNumberFlag,
} from "@orcid-sync/core";
import {
  badRowsError,
  lambdaRecord,
  listAll,
  listRecords,
  type ListSource,
  newListStats,
  recordLine,
  summaryLines,
} from "./list_records.ts";
import type { ListingNotice } from "./listing.ts";

/** Stray keys named one by one on stderr; the rest are counted in the summary. */
const STRAY_LINES = 20;

/** The parsed command line. */
export interface ListArgs extends AwsArgs {
  readonly since?: string;
  readonly all?: boolean;
  readonly ids?: string;
  readonly summaries?: boolean;
  readonly activities?: boolean;
  readonly concurrency: number;
  readonly pageSize: number;
  readonly shard?: string;
  readonly resume?: boolean;
  readonly checkpointsFile: string;
  readonly summariesBucket: string;
  readonly activitiesBucketBase: string;
  readonly activitiesBucket?: string;
  readonly lambdaBucket: string;
  readonly count?: boolean;
  readonly allowBadRows: number;
}

/** Combinations yargs cannot check without also refusing --help. */
function checkArgs(args: ListArgs): void {
  const modes = [args.since !== undefined, Boolean(args.all), args.ids !== undefined].filter(Boolean).length;
  if (modes !== 1) throw new UsageError("Choose exactly one of --since, --all and --ids");
  if (!args.summaries && !args.activities)
    throw new UsageError("Choose what to list: -s (summaries), -a (activities) or both");
  if (args.resume && !args.all) throw new UsageError("--resume goes with --all");
  wholeNumberFlag("--concurrency", args.concurrency, 1);
  wholeNumberFlag("--page-size", args.pageSize, 1, 1000);
  wholeNumberFlag("--allow-bad-rows", args.allowBadRows, 0);
}

/** Runs orcid-list with parsed flags; the exit code. */
export async function runList(args: ListArgs, ctx: ToolContext): Promise<number> {
  checkArgs(args);
  const shard = args.shard === undefined ? undefined : asUsage(() => parseShard(args.shard!));
  const layout: BucketLayout = {
    summaries: args.summariesBucket,
    activitiesBase: args.activitiesBucketBase,
    lambda: args.lambdaBucket,
    ...(args.activitiesBucket ? { activitiesSingle: args.activitiesBucket } : {}),
  };
  let source: ListSource;
  let what: string;
  if (args.since !== undefined) {
    const cutoff = asUsage(() => parseWhen(args.since!, nowMicros()), "--since");
    source = { mode: "since", cutoff };
    what = `changed since ${formatIsoMicros(cutoff)}`;
  } else if (args.ids !== undefined) {
    const input = args.ids === "-" ? ctx.stdin : createReadStream(args.ids);
    source = { mode: "ids", lines: createInterface({ input, crlfDelay: Infinity }) };
    what = `from ${args.ids === "-" ? "stdin" : args.ids}`;
  } else {
    const done = args.resume ? await readCheckpoints(args.checkpointsFile) : undefined;
    if (done) ctx.log.info(`resuming: ${done.size} bucket folders done in ${args.checkpointsFile}`);
    if (done?.size === 0) {
      // Switching mid-download from the reference: its continuation files say where its listing
      // stopped, but download.py logs and ignores the files it failed, so a folder it "finished"
      // can lack files. No folder is skipped on its word: every one is listed, and orcid-fetch
      // --skip-unchanged fetches only what is absent or different locally.
      const tokens = await readReferenceTokens(process.cwd());
      const found = [tokens.summaries, tokens.activities].filter((t) => t !== undefined);
      if (found.length > 0) {
        ctx.log.info(
          `found the reference's continuation files (${found.map((t) => t.bucket).join(", ")}): listing every folder again, since download.py skips the files it failed`,
        );
      }
    }
    source = { mode: "all", ...(done ? { done } : {}) };
    what = "";
  }
  const s3 = createS3Access(s3OptionsFromArgs(args, { connections: args.concurrency }));
  const stats = newListStats();
  ctx.progress.start(
    () => `${stats.ids} iDs, ${stats.keys} keys, ${stats.manifests} manifests, ${stats.folders} folders done`,
  );
  try {
    const onNotice = (notice: ListingNotice) => {
      if (notice.kind === "new-type") {
        ctx.log.warn(
          `new activity type '${notice.type}' (first in s3://${notice.bucket}/${notice.key}): mirrored as activities/<last3>/<iD>/${notice.type}/`,
        );
      } else if (stats.strayKeys <= STRAY_LINES) {
        ctx.log.warn(
          `skipped a key that is not an ORCID key: s3://${notice.bucket}/${notice.key}${stats.strayKeys === STRAY_LINES ? " (further ones are only counted)" : ""}`,
        );
      }
    };
    const options = {
      s3,
      layout,
      summaries: Boolean(args.summaries),
      activities: Boolean(args.activities),
      concurrency: args.concurrency,
      pageSize: args.pageSize,
      signal: ctx.signal,
      onNotice,
      ...(shard ? { shard } : {}),
    };
    if (options.summaries && !options.activities && source.mode !== "all") {
      for await (const { bytes, lines } of summaryLines(options, source, stats)) {
        if (!args.count) await ctx.out.writeEncoded(bytes, lines);
      }
    } else if (source.mode === "all") {
      let named = 0;
      for await (const { error, chunks, lines } of listAll(options, source.done ?? new Set(), stats)) {
        if (error) {
          // A failed listing is named on stderr too: the error record may end in a pipe nobody reads.
          if (named++ < STRAY_LINES) ctx.log.warn(error.message);
          if (!args.count) await ctx.out.write(error);
        } else if (!args.count) {
          // One buffer a batch: a write per iD's group costs more than the copy.
          await ctx.out.writeEncoded(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks), lines);
        }
      }
    } else {
      let named = 0;
      for await (const group of listRecords(options, source, stats)) {
        for (const record of group) if (record.type === "error" && named++ < STRAY_LINES) ctx.log.warn(record.message);
        if (!args.count) await ctx.out.writeLines(group.map(recordLine));
      }
    }
  } finally {
    await s3.close();
  }
  const bad = stats.lambda.malformed + stats.lambda.invalidIds;
  if (bad > 0) {
    ctx.log.warn(
      `skipped ${stats.lambda.malformed} malformed rows and ${stats.lambda.invalidIds} invalid iDs${bad > stats.lambda.examples.length ? `, the first ${stats.lambda.examples.length}` : ""}:`,
    );
    for (const example of stats.lambda.examples) ctx.log.warn(`  ${example}`);
  }
  if (source.mode === "since") {
    const error = badRowsError(layout, stats, args.allowBadRows);
    if (error) {
      stats.errors++;
      ctx.log.error(`${error.message} (pass --allow-bad-rows ${bad} to accept them)`);
      if (!args.count) await ctx.out.write(error);
    }
    const reach = lambdaRecord(layout, stats);
    if (reach && !args.count) await ctx.out.write(reach);
    if (reach && stats.lambda.newest < formatLambdaMicros(source.cutoff)) {
      ctx.log.warn(
        `the lambda file's newest row (${reach.newest}) is older than --since (${formatIsoMicros(source.cutoff)}): nothing new in it; ORCID has not regenerated it since`,
      );
    }
  }
  if (args.count) process.stdout.write(`${stats.ids} iDs, ${stats.keys} keys, ${stats.manifests} manifests\n`);
  const lambda =
    source.mode === "since"
      ? `, ${stats.lambda.rows} lambda rows (${(stats.lambdaBytes / 1e6).toFixed(1)} MB) read`
      : "";
  const folders =
    source.mode === "all"
      ? `, ${stats.folders} bucket folders done${stats.skippedFolders ? `, ${stats.skippedFolders} skipped as done` : ""}`
      : "";
  const strays = stats.strayKeys > 0 ? `, ${stats.strayKeys} stray keys skipped` : "";
  ctx.summary(
    `${source.mode === "all" ? "full listing" : `${stats.ids} iDs ${what}`}: ${stats.keys} keys, ${stats.manifests} manifests, ${stats.errors} errors${lambda}${folders}${strays}`,
  );
  return stats.errors > 0 ? ExitCode.ItemsFailed : ExitCode.Ok;
}
