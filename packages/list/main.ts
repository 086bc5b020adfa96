/** The orcid-list command line. */
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import {
  CHECKPOINT_FILE,
  readCheckpoints,
  readReferenceTokens,
  type BucketLayout,
  DEFAULT_LAYOUT,
  parseShard,
  asUsage,
  type AwsArgs,
  createS3Access,
  ExitCode,
  formatIsoMicros,
  formatLambdaMicros,
  nowMicros,
  packageVersion,
  parseWhen,
  runMain,
  s3OptionsFromArgs,
  UsageError,
  wholeNumberFlag,
  withAwsOptions,
} from "@orcid-sync/core";
import { badRowsError, lambdaRecord, listRecords, type ListSource, newListStats, recordLine, summaryLines } from "./list_records.ts";
import type { ListingNotice } from "./listing.ts";

/** Stray keys named one by one on stderr; the rest are counted in the summary. */
const STRAY_LINES = 20;

interface ListArgs extends AwsArgs {
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
  if (!args.summaries && !args.activities) throw new UsageError("Choose what to list: -s (summaries), -a (activities) or both");
  if (args.resume && !args.all) throw new UsageError("--resume goes with --all");
  wholeNumberFlag("--concurrency", args.concurrency, 1);
  wholeNumberFlag("--page-size", args.pageSize, 1, 1000);
  wholeNumberFlag("--allow-bad-rows", args.allowBadRows, 0);
}

await runMain<ListArgs>({
  name: "orcid-list",
  version: packageVersion(import.meta.url),
  usage:
    "$0 (--since WHEN | --all | --ids FILE) (-s | -a | -s -a) [options]\n\nEmit the keys to sync as NDJSON records: key records, a manifest per iD with -a (its complete set of activity keys), and with --all a checkpoint after each folder.",
  examples: [
    ["orcid-list --since 30d -s | orcid-fetch | orcid-place ./data", "1. summaries changed in the last 30 days"],
    ["orcid-list --since \"$(orcid-state get --default 30d)\" -s -a", "2. since the last run, with activities"],
    ["orcid-list --all -s -a --shard 3/8", "3. a full listing, the third of eight shards"],
    ["orcid-list --all -s --resume | … | orcid-state checkpoints record", "4. resume a full listing that was interrupted"],
    ["cut -d, -f1 my-researchers.csv | orcid-list --ids - -s -a", "5. a chosen set of researchers"],
    ["orcid-list --since 2026-11-01 -s --count", "6. how much would be synced"],
    ["orcid-list --since 7d -s --allow-bad-rows 3", "7. go on past up to 3 bad rows of the lambda file (reported on stderr)"],
  ],
  epilog:
    "--since takes a span back from now (30d, 12h, 90m), a date (2026-11-01, UTC), an ISO date-time, or what 'orcid-state get' prints. The lambda file is streamed and its download stopped at the first row older than the cutoff; after the keys comes a lambda record with the newest last_modified it holds (the next cutoff must not pass it). A lambda file without last_modified.csv, with another header, without rows or without one usable row is fatal (exit 3). Rows may be quoted, with a T or a zone (Z, +00:00); a row that cannot be read or has an invalid iD is reported on stderr with its row number, and more of them than --allow-bad-rows make an error record and exit 1. A manifest is emitted only after a complete listing of the iD's prefix: a listing page that is not whole (cut short, no closing tag, truncated without a token, a wrong KeyCount, a token given again) is retried, then fails its listing. Keys that are not ORCID keys are named on stderr and skipped; an activity type not known yet is mirrored and named once. Exit 1 when a listing failed after retries, an unsafe key was refused or there were too many bad rows; 3 when a bucket is missing or access is denied.",
  options: (argv) =>
    withAwsOptions(argv)
      .option("since", { type: "string", describe: "Records modified at or after this time (from the lambda file)" })
      .option("all", { type: "boolean", describe: "Every key of the buckets (a full download)" })
      .option("ids", { type: "string", nargs: 1, describe: "iDs to list, one a line, from a file or - for stdin" })
      .option("summaries", { alias: "s", type: "boolean", describe: "Emit summary keys" })
      .option("activities", { alias: "a", type: "boolean", describe: "List and emit activity keys, with a manifest per iD" })
      .option("concurrency", { alias: "j", type: "number", default: 32, describe: "Listings at once" })
      .option("page-size", { alias: "n", type: "number", default: 1000, describe: "Keys per listing page (at most 1000)" })
      .option("shard", { type: "string", describe: "Only folders of shard K of N (K/N), a deterministic partition by <last3>" })
      .option("resume", {
        type: "boolean",
        describe: "With --all: skip the folders the checkpoint journal lists as done (the reference's continuation files skip nothing: every folder is listed)",
      })
      .option("checkpoints-file", { type: "string", default: CHECKPOINT_FILE, describe: "The checkpoint journal for --resume" })
      .option("summaries-bucket", { type: "string", default: DEFAULT_LAYOUT.summaries, describe: "Summaries bucket (the reference's -x)" })
      .option("activities-bucket-base", {
        type: "string",
        default: DEFAULT_LAYOUT.activitiesBase,
        describe: "Base of the -a/-b/-c activities buckets (the reference's -y)",
      })
      .option("activities-bucket", { type: "string", describe: "One unsplit activities bucket (the v2.0 generation)" })
      .option("lambda-bucket", { type: "string", default: DEFAULT_LAYOUT.lambda, describe: "Lambda file bucket (the reference's -z)" })
      .option("allow-bad-rows", { type: "number", default: 0, describe: "With --since: bad rows of the lambda file to accept before the run counts as failed (exit 1)" })
      .option("count", { alias: "dry-run", type: "boolean", describe: "Print only how many iDs, keys and manifests would be emitted" }) as never,
  main: async (args, ctx) => {
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
      let done = args.resume ? await readCheckpoints(args.checkpointsFile) : undefined;
      if (done) ctx.log.info(`resuming: ${done.size} bucket folders done in ${args.checkpointsFile}`);
      if (done?.size === 0) {
        // Switching mid-download from the reference: its continuation files say where its listing
        // stopped, but download.py logs and ignores the files it failed, so a folder it "finished"
        // can lack files. No folder is skipped on its word: every one is listed, and orcid-fetch
        // --skip-unchanged fetches only what is absent or different locally.
        const tokens = await readReferenceTokens(process.cwd());
        const found = [tokens.summaries, tokens.activities].filter((t) => t !== undefined);
        if (found.length > 0) {
          ctx.log.info(`found the reference's continuation files (${found.map((t) => t.bucket).join(", ")}): listing every folder again, since download.py skips the files it failed`);
        }
      }
      source = { mode: "all", ...(done ? { done } : {}) };
      what = "";
    }
    const s3 = createS3Access(s3OptionsFromArgs(args, { connections: args.concurrency }));
    const stats = newListStats();
    ctx.progress.start(() => `${stats.ids} iDs, ${stats.keys} keys, ${stats.manifests} manifests, ${stats.folders} folders done`);
    try {
      const onNotice = (notice: ListingNotice) => {
        if (notice.kind === "new-type") {
          ctx.log.warn(`new activity type '${notice.type}' (first in s3://${notice.bucket}/${notice.key}): mirrored as activities/<last3>/<iD>/${notice.type}/`);
        } else if (stats.strayKeys <= STRAY_LINES) {
          ctx.log.warn(`skipped a key that is not an ORCID key: s3://${notice.bucket}/${notice.key}${stats.strayKeys === STRAY_LINES ? " (further ones are only counted)" : ""}`);
        }
      };
      const options = { s3, layout, summaries: Boolean(args.summaries), activities: Boolean(args.activities), concurrency: args.concurrency, pageSize: args.pageSize, signal: ctx.signal, onNotice, ...(shard ? { shard } : {}) };
      if (options.summaries && !options.activities && source.mode !== "all") {
        for await (const { bytes, lines } of summaryLines(options, source, stats)) {
          if (!args.count) await ctx.out.writeEncoded(bytes, lines);
        }
      } else {
        for await (const group of listRecords(options, source, stats)) {
          // A failed listing is named on stderr too: the error record may end in a pipe nobody reads.
          for (const record of group) if (record.type === "error" && stats.errors <= STRAY_LINES) ctx.log.warn(record.message);
          if (!args.count) await ctx.out.writeLines(group.map(recordLine));
        }
      }
    } finally {
      await s3.close();
    }
    const bad = stats.lambda.malformed + stats.lambda.invalidIds;
    if (bad > 0) {
      ctx.log.warn(`skipped ${stats.lambda.malformed} malformed rows and ${stats.lambda.invalidIds} invalid iDs${bad > stats.lambda.examples.length ? `, the first ${stats.lambda.examples.length}` : ""}:`);
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
        ctx.log.warn(`the lambda file's newest row (${reach.newest}) is older than --since (${formatIsoMicros(source.cutoff)}): nothing new in it; ORCID has not regenerated it since`);
      }
    }
    if (args.count) process.stdout.write(`${stats.ids} iDs, ${stats.keys} keys, ${stats.manifests} manifests\n`);
    const lambda = source.mode === "since" ? `, ${stats.lambda.rows} lambda rows (${(stats.lambdaBytes / 1e6).toFixed(1)} MB) read` : "";
    const folders = source.mode === "all" ? `, ${stats.folders} bucket folders done${stats.skippedFolders ? `, ${stats.skippedFolders} skipped as done` : ""}` : "";
    const strays = stats.strayKeys > 0 ? `, ${stats.strayKeys} stray keys skipped` : "";
    ctx.summary(`${source.mode === "all" ? "full listing" : `${stats.ids} iDs ${what}`}: ${stats.keys} keys, ${stats.manifests} manifests, ${stats.errors} errors${lambda}${folders}${strays}`);
    return stats.errors > 0 ? ExitCode.ItemsFailed : ExitCode.Ok;
  },
});
