/** The orcid-list command line. */
import {
  CHECKPOINT_FILE,
  DEFAULT_LAYOUT,
  packageVersion,
  runMain,
  YOUNG_GENERATION_MIB,
  withAwsOptions,
} from "@orcid-sync/core";
import { type ListArgs, runList } from "./run_list.ts";

await runMain<ListArgs>({
  name: "orcid-list",
  version: packageVersion(import.meta.url),
  youngGenerationMiB: YOUNG_GENERATION_MIB,
  usage:
    "$0 (--since WHEN | --all | --ids FILE) (-s | -a | -s -a) [options]\n\nEmit the keys to sync as NDJSON records: key records, a manifest per iD with -a (its complete set of activity keys), and with --all a checkpoint after each folder.",
  examples: [
    ["orcid-list --since 30d -s | orcid-fetch | orcid-place ./data", "1. summaries changed in the last 30 days"],
    ['orcid-list --since "$(orcid-state get --default 30d)" -s -a', "2. since the last run, with activities"],
    ["orcid-list --all -s -a --shard 3/8", "3. a full listing, the third of eight shards"],
    [
      "orcid-list --all -s --resume | … | orcid-state checkpoints record",
      "4. resume a full listing that was interrupted",
    ],
    ["cut -d, -f1 my-researchers.csv | orcid-list --ids - -s -a", "5. a chosen set of researchers"],
    ["orcid-list --since 2026-11-01 -s --count", "6. how much would be synced"],
    [
      "orcid-list --since 7d -s --allow-bad-rows 3",
      "7. go on past up to 3 bad rows of the lambda file (reported on stderr)",
    ],
  ],
  epilog:
    "--since takes a span back from now (30d, 12h, 90m), a date (2026-11-01, UTC), an ISO date-time, or what 'orcid-state get' prints. The lambda file is streamed and its download stopped at the first row older than the cutoff; after the keys comes a lambda record with the newest last_modified it holds (the next cutoff must not pass it). A lambda file without last_modified.csv, with another header, without rows or without one usable row is fatal (exit 3). Rows may be quoted, with a T or a zone (Z, +00:00); a row that cannot be read or has an invalid iD is reported on stderr with its row number, and more of them than --allow-bad-rows make an error record and exit 1. A manifest is emitted only after a complete listing of the iD's prefix: a listing page that is not whole (cut short, no closing tag, truncated without a token, a wrong KeyCount, a token given again) is retried, then fails its listing. Keys that are not ORCID keys are named on stderr and skipped; an activity type not known yet is mirrored and named once. Exit 1 when a listing failed after retries, an unsafe key was refused or there were too many bad rows; 3 when a bucket is missing or access is denied.",
  options: (argv) =>
    withAwsOptions(argv)
      .option("since", { type: "string", describe: "Records modified at or after this time (from the lambda file)" })
      .option("all", { type: "boolean", describe: "Every key of the buckets (a full download)" })
      .option("ids", { type: "string", nargs: 1, describe: "iDs to list, one a line, from a file or - for stdin" })
      .option("summaries", { alias: "s", type: "boolean", describe: "Emit summary keys" })
      .option("activities", {
        alias: "a",
        type: "boolean",
        describe: "List and emit activity keys, with a manifest per iD",
      })
      .option("concurrency", { alias: "j", type: "number", default: 32, describe: "Listings at once" })
      .option("page-size", {
        alias: "n",
        type: "number",
        default: 1000,
        describe: "Keys per listing page (at most 1000)",
      })
      .option("shard", {
        type: "string",
        describe: "Only folders of shard K of N (K/N), a deterministic partition by <last3>",
      })
      .option("resume", {
        type: "boolean",
        describe:
          "With --all: skip the folders the checkpoint journal lists as done (the reference's continuation files skip nothing: every folder is listed)",
      })
      .option("checkpoints-file", {
        type: "string",
        default: CHECKPOINT_FILE,
        describe: "The checkpoint journal for --resume",
      })
      .option("summaries-bucket", {
        type: "string",
        default: DEFAULT_LAYOUT.summaries,
        describe: "Summaries bucket (the reference's -x)",
      })
      .option("activities-bucket-base", {
        type: "string",
        default: DEFAULT_LAYOUT.activitiesBase,
        describe: "Base of the -a/-b/-c activities buckets (the reference's -y)",
      })
      .option("activities-bucket", { type: "string", describe: "One unsplit activities bucket (the v2.0 generation)" })
      .option("lambda-bucket", {
        type: "string",
        default: DEFAULT_LAYOUT.lambda,
        describe: "Lambda file bucket (the reference's -z)",
      })
      .option("allow-bad-rows", {
        type: "number",
        default: 0,
        describe: "With --since: bad rows of the lambda file to accept before the run counts as failed (exit 1)",
      })
      .option("count", {
        alias: "dry-run",
        type: "boolean",
        describe: "Print only how many iDs, keys and manifests would be emitted",
      }) as never,
  main: runList,
});
