/** orcid-pack's run: the checks and the work behind its command line, which main.ts declares. */
import { basename } from "node:path";
import {
  DownstreamClosedError,
  ExitCode,
  type PipelineRecord,
  readRecordInputs,
  type ToolContext,
  type UnknownRecord,
  UsageError,
  wholeNumberFlag,
} from "@orcid-sync/core";
import { type ArchiveEntry, folderEntries, isObjectRecord, recordEntry } from "./archive_entries.ts";
import { partName, referenceName, splitIndex, splitRanges } from "./split.ts";
import { TarGzWriter } from "./tar_gz_writer.ts";

/** The parsed command line. */
export interface PackArgs {
  readonly output?: string;
  readonly from?: string;
  readonly split?: number;
  readonly referenceName?: boolean;
  readonly threads: number;
  readonly level: number;
}

/** Runs orcid-pack with parsed flags; the exit code. */
export async function runPack(args: PackArgs, ctx: ToolContext): Promise<number> {
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
  const writers = Array.from(
    { length: parts },
    (_, k) => new TarGzWriter(toStdout ? process.stdout : parts === 1 ? output! : partName(output!, k + 1), gzip),
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
    if (
      toStdout &&
      ["EPIPE", "ERR_STREAM_DESTROYED", "ERR_STREAM_PREMATURE_CLOSE"].includes(
        (error as NodeJS.ErrnoException).code ?? "",
      )
    ) {
      throw new DownstreamClosedError();
    }
    throw error;
  }
  const entries = writers.reduce((n, w) => n + w.entries, 0);
  const bytes = writers.reduce((n, w) => n + w.bytes, 0);
  const where = toStdout
    ? "stdout"
    : parts === 1
      ? output
      : `${parts} archives (${splitRanges(parts)
          .map(([a, b]) => `${a}–${b}`)
          .join(", ")})`;
  ctx.summary(
    `${entries} files (${(bytes / 1e6).toFixed(1)} MB) packed into ${where}${errors ? `, ${errors} errors` : ""}`,
  );
  return errors > 0 ? ExitCode.ItemsFailed : ExitCode.Ok;
}
