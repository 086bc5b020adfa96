/** The orcid-place command line. */
import { DEFAULT_LAYOUT, packageVersion, runMain, YOUNG_GENERATION_MIB } from "@orcid-sync/core";
import { type PlaceArgs, runPlace } from "./run_place.ts";

await runMain<PlaceArgs>({
  name: "orcid-place",
  version: packageVersion(import.meta.url),
  youngGenerationMiB: YOUNG_GENERATION_MIB,
  usage:
    "$0 <dir> [options] [file ...]\n\nFile the object records read from stdin (or files) under <dir> in the reference's layout — summaries/<last3>/<iD>.xml and activities/<last3>/<iD>/<type>/<iD>_<type>_<put-code>.xml — atomically, with each file's mtime set to the object's LastModified, and emit a placed record for each file written, left unchanged or deleted.",
  examples: [
    [
      "orcid-list --since 30d -s -a | orcid-fetch | orcid-place ./ORCID_public_data_files",
      "1. a sync that also removes activities deleted upstream",
    ],
    ["… | orcid-place ./data --dry-run | jq -c 'select(.action==\"deleted\")'", "2. what a run would delete"],
    ["… | orcid-place ./data --max-delete 1000", "3. stop before a bad listing empties the mirror"],
    [
      "orcid-list --all -s -a | orcid-place ./data --verify",
      "4. check a mirror after an incident: missing, changed and extra files",
    ],
    [
      "orcid-list --since 2d -s -a --shard 2/8 | orcid-fetch | orcid-place ./data --shard 2/8",
      "5. one shard of a mirror that other shards write at the same time",
    ],
    ["… | orcid-place ./data --wait-lock 3600", "6. wait up to an hour for another run on this mirror to finish"],
  ],
  epilog:
    "A manifest record deletes the iD's local activity files it does not list (and folders left empty); a summary that is an error:error document (deprecated or locked record) keeps its file and deletes all of the iD's activities. Without manifests nothing is deleted; a missing record leaves local files as they are. Keys that are not well-formed ORCID keys, and symlinks inside <dir>, are refused with an error record: nothing is written or deleted outside <dir>. Files are written to a temp file in their folder and renamed, so no file is ever partial; --fsync also makes them durable across a power loss (slower; off by default). A full disk or a permission error stops the run (exit 3). While it runs, orcid-place holds the mirror's lock (in <dir>/.orcid-sync-lock/) for the whole mirror, or with --shard for that shard's folders only: another run that could touch the same iDs exits 3 at once naming the holder (pid, host, since when), or waits with --wait-lock. A holder proven gone (on this host: no process with its pid and start time) is taken over; one of another host needs --break-lock. --dry-run and --verify take no lock.",
  options: (argv) =>
    argv
      .command("$0 <dir> [inputs..]", false, (y) =>
        y
          .positional("dir", {
            type: "string",
            describe: "The mirror folder (the reference's <path>/ORCID_public_data_files)",
          })
          .positional("inputs", {
            type: "string",
            array: true,
            describe: "NDJSON files to read instead of stdin (- is stdin)",
          }),
      )
      .option("concurrency", {
        alias: "j",
        type: "number",
        default: 16,
        describe: "Files waiting on --fsync at once (other file calls are synchronous)",
      })
      .option("fsync", {
        type: "boolean",
        default: false,
        describe: "fsync each file and its folder before reporting it",
      })
      .option("dry-run", {
        type: "boolean",
        default: false,
        describe: "Report what would be written and deleted; change nothing",
      })
      .option("max-delete", { type: "number", describe: "Stop (exit 3) before deleting more than this many files" })
      .option("verify", {
        type: "boolean",
        default: false,
        describe:
          "Change nothing: compare <dir> with listings (orcid-list --all -s -a) and report missing, changed and extra files",
      })
      .option("shard", {
        type: "string",
        describe:
          "Lock and change only the folders of shard K of N (K/N, as orcid-list --shard); other iDs get an error record",
      })
      .option("wait-lock", {
        type: "number",
        default: 0,
        describe: "Wait up to this many seconds for another run holding the mirror (default: exit 3 at once)",
      })
      .option("break-lock", {
        type: "boolean",
        default: false,
        describe:
          "Take over a mirror lock whose holder cannot be checked (another host's): only when you know that run is over",
      })
      .option("summaries-bucket", {
        type: "string",
        default: DEFAULT_LAYOUT.summaries,
        describe: "With --verify: the bucket whose checkpoints close a summaries folder",
      }) as never,
  main: runPlace,
});
