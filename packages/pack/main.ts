/** The orcid-pack command line. */
import { availableParallelism } from "node:os";
import { basename } from "node:path";
import {
  DownstreamClosedError,
  ExitCode,
  packageVersion,
  type PipelineRecord,
  readRecordInputs,
  runMain,
  type UnknownRecord,
  UsageError,
  wholeNumberFlag,
} from "@orcid-sync/core";
import { type ArchiveEntry, folderEntries, isObjectRecord, recordEntry } from "./archive_entries.ts";
import { partName, referenceName, splitIndex, splitRanges } from "./split.ts";
import { TarGzWriter } from "./tar_gz_writer.ts";

interface PackArgs {
  readonly output?: string;
  readonly from?: string;
  readonly split?: number;
  readonly referenceName?: boolean;
  readonly threads: number;
  readonly level: number;
}

await runMain<PackArgs>({
  name: "orcid-pack",
  version: packageVersion(import.meta.url),
  usage:
    "$0 [-o FILE] [--from DIR] [options]\n\nWrite object records read from stdin, or the files of a mirror folder, into a .tar.gz in the layout of ORCID's public data file: summaries/<last3>/<iD>.xml, activities/<last3>/<iD>/<type>/<file>.xml.",
  examples: [
    ["orcid-list --since 7d -s | orcid-fetch | orcid-pack -o week.tar.gz", "1. a week of summaries, never touching the disk in between"],
    ["orcid-pack --from ./ORCID_public_data_files/summaries --reference-name", "2. the reference's -t archive of a mirror (ORCID-API-3.0_xml_<month>_<year>.tar.gz)"],
    ["orcid-pack --from ./data/activities -o activities.tar.gz --split 4", "3. four archives by <last3> range"],
    ["orcid-pack --from ./data/summaries | tar -tzf - | head", "4. to stdout"],
  ],
  epilog:
    "The archive is gzip-compressed on every core (independent gzip members; gzip, GNU tar and zlib read them as one file) and written to a temp file that is renamed into place when complete, or to stdout. From a folder, entries come in byte order of their names, each with its file's mtime (orcid-place sets it to the object's LastModified), uid/gid 0, mode 0644, no owner names, and the gzip headers carry no time: the same mirror packs to the same bytes. With -o FILE, records other than objects pass through to stdout.",
  options: (argv) =>
    argv
      .option("output", { alias: "o", type: "string", describe: "The archive to write (default: stdout)" })
      .option("from", { type: "string", describe: "Pack the files of this mirror folder (the root, or its summaries or activities folder)" })
      .option("split", { type: "number", describe: "Write N archives by <last3> range: FILE_1.tar.gz … FILE_N.tar.gz" })
      .option("reference-name", { type: "boolean", describe: "Name the archive as the reference does, in the current folder (needs --from)" })
      .option("threads", { alias: "j", type: "number", default: availableParallelism(), describe: "Blocks compressed at once" })
      .option("level", { type: "number", default: 6, describe: "gzip level, 1 (fast) to 9 (small)" }) as never,
  main: async (args, ctx) => {
    wholeNumberFlag("--threads", args.threads, 1);
    wholeNumberFlag("--level", args.level, 1, 9);
    if (args.split !== undefined) wholeNumberFlag("--split", args.split, 1, 1100);
    let output = args.output;
    if (args.referenceName) {
      if (!args.from) throw new UsageError("--reference-name needs --from: it names the archive after what is packed");
      output = referenceName(basename(args.from) === "activities" ? "activities" : "summaries");
    }
    const toStdout = output === undefined || output === "-";
    if (toStdout && args.split) throw new UsageError("--split writes several files: name them with -o");
    const parts = args.split ?? 1;
    const gzip = { workers: args.threads, level: args.level };
    const writers = Array.from({ length: parts }, (_, k) =>
      new TarGzWriter(toStdout ? process.stdout : parts === 1 ? output! : partName(output!, k + 1), gzip),
    );
    let errors = 0;
    const add = (entry: ArchiveEntry) => writers[parts === 1 ? 0 : splitIndex(entry.folder, parts)]!.add(entry);
    try {
      if (args.from) {
        for await (const entry of folderEntries(args.from)) await add(entry);
      } else {
        for await (const { record } of readRecordInputs([], ctx.stdin)) {
          const item: PipelineRecord | UnknownRecord = record;
          if (isObjectRecord(item)) {
            const entry = recordEntry(item);
            if ("name" in entry) await add(entry);
            else {
              errors++;
              if (!toStdout) await ctx.out.write(entry);
              else ctx.log.error(entry.message);
            }
            continue;
          }
          if (item.type === "error") errors++;
          if (!toStdout) await ctx.out.write(item);
        }
      }
      for (const writer of writers) await writer.finish();
    } catch (error) {
      await Promise.all(writers.map((writer) => writer.abort()));
      // The reader of an archive on stdout went away (| head): a normal end for a pipe tool.
      if (toStdout && ["EPIPE", "ERR_STREAM_DESTROYED", "ERR_STREAM_PREMATURE_CLOSE"].includes((error as NodeJS.ErrnoException).code ?? "")) {
        throw new DownstreamClosedError();
      }
      throw error;
    }
    const entries = writers.reduce((n, w) => n + w.entries, 0);
    const bytes = writers.reduce((n, w) => n + w.bytes, 0);
    const where = toStdout ? "stdout" : parts === 1 ? output : `${parts} archives (${splitRanges(parts).map(([a, b]) => `${a}–${b}`).join(", ")})`;
    ctx.summary(`${entries} files (${(bytes / 1e6).toFixed(1)} MB) packed into ${where}${errors ? `, ${errors} errors` : ""}`);
    return errors > 0 ? ExitCode.ItemsFailed : ExitCode.Ok;
  },
});
