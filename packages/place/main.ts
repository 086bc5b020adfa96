/** The orcid-place command line. */
import { mkdir, realpath } from "node:fs/promises";
import { ExitCode, FatalError, packageVersion, readRecordInputs, runMain, UsageError } from "@orcid-sync/core";
import { MirrorFolders } from "./mirror_folders.ts";
import { newPlaceStats, placeRecords } from "./place_records.ts";

interface PlaceArgs {
  readonly dir: string;
  readonly inputs?: string[];
  readonly concurrency: number;
  readonly fsync?: boolean;
  readonly dryRun?: boolean;
  readonly maxDelete?: number;
}

await runMain<PlaceArgs>({
  name: "orcid-place",
  version: packageVersion(import.meta.url),
  usage:
    "$0 <dir> [options] [file ...]\n\nFile the object records read from stdin (or files) under <dir> in the reference's layout — summaries/<last3>/<iD>.xml and activities/<last3>/<iD>/<type>/<iD>_<type>_<put-code>.xml — atomically, with each file's mtime set to the object's LastModified, and emit a placed record for each file written, left unchanged or deleted.",
  examples: [
    ["orcid-list --since 30d -s -a | orcid-fetch | orcid-place ./ORCID_public_data_files", "1. a sync that also removes activities deleted upstream"],
    ["… | orcid-place ./data --dry-run | jq -c 'select(.action==\"deleted\")'", "2. what a run would delete"],
    ["… | orcid-place ./data --max-delete 1000", "3. stop before a bad listing empties the mirror"],
  ],
  epilog:
    "A manifest record deletes the iD's local activity files it does not list (and folders left empty); a summary that is an error:error document (deprecated or locked record) keeps its file and deletes all of the iD's activities. Without manifests nothing is deleted; a missing record leaves local files as they are. Keys that are not well-formed ORCID keys, and symlinks inside <dir>, are refused with an error record: nothing is written or deleted outside <dir>. Files are written to a temp file in their folder and renamed, so no file is ever partial; --fsync also makes them durable across a power loss (slower; off by default). A full disk or a permission error stops the run (exit 3).",
  options: (argv) =>
    argv
      .command("$0 <dir> [inputs..]", false, (y) =>
        y
          .positional("dir", { type: "string", describe: "The mirror folder (the reference's <path>/ORCID_public_data_files)" })
          .positional("inputs", { type: "string", array: true, describe: "NDJSON files to read instead of stdin (- is stdin)" }),
      )
      .option("concurrency", { alias: "j", type: "number", default: 16, describe: "File operations at once" })
      .option("fsync", { type: "boolean", default: false, describe: "fsync each file and its folder before reporting it" })
      .option("dry-run", { type: "boolean", default: false, describe: "Report what would be written and deleted; change nothing" })
      .option("max-delete", { type: "number", describe: "Stop (exit 3) before deleting more than this many files" }) as never,
  main: async (args, ctx) => {
    const { dir } = args;
    const inputs = args.inputs ?? [];
    if (!Number.isInteger(args.concurrency) || args.concurrency < 1) throw new UsageError("--concurrency takes a whole number ≥ 1");
    if (args.maxDelete !== undefined && !(Number.isInteger(args.maxDelete) && args.maxDelete >= 0)) {
      throw new UsageError("--max-delete takes a whole number ≥ 0");
    }
    if (!args.dryRun) {
      await mkdir(dir, { recursive: true }).catch((error: Error) => {
        throw new FatalError(`Cannot create the mirror folder '${dir}': ${error.message}`);
      });
    }
    const root = await realpath(dir).catch(() => {
      throw new FatalError(`No mirror folder '${dir}'`);
    });
    const folders = new MirrorFolders(root, { dryRun: Boolean(args.dryRun) });
    const stats = newPlaceStats();
    ctx.progress.start(() => `${stats.written} written, ${stats.unchanged} unchanged, ${stats.deleted} deleted, ${stats.errors} failed`);
    const records = (async function* () {
      for await (const { record } of readRecordInputs(inputs, ctx.stdin)) yield record;
    })();
    for await (const record of placeRecords(
      records,
      {
        folders,
        concurrency: args.concurrency,
        fsync: Boolean(args.fsync),
        dryRun: Boolean(args.dryRun),
        ...(args.maxDelete !== undefined ? { maxDelete: args.maxDelete } : {}),
      },
      stats,
    )) {
      await ctx.out.write(record);
    }
    const orphans = folders.orphansRemoved ? `, ${folders.orphansRemoved} leftover temp files removed` : "";
    ctx.summary(
      `${args.dryRun ? "dry run: would have " : ""}${stats.written} written, ${stats.unchanged} unchanged, ${stats.deleted} deleted, ${stats.errors} failed${orphans} in ${root}`,
    );
    return stats.errors > 0 ? ExitCode.ItemsFailed : ExitCode.Ok;
  },
});
