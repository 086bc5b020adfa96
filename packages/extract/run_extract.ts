/** orcid-extract's run: the checks and the work behind its command line, which main.ts declares. */
import { readFileSync, statSync } from "node:fs";
import {
  asUsage,
  DEFAULT_CLIENT_LABELS,
  ExitCode,
  readRecordInputs,
  type ToolContext,
  UsageError,
  wholeNumberFlag,
} from "@orcid-sync/core";
import { parseClientLabels } from "./client_table.ts";
import { extractInputs, type ExtractOutput, recordInputs } from "./extract_records.ts";
import { summaryFileInputs } from "./summary_files.ts";
import { emptyStats } from "./summary_task.ts";

/** The parsed command line. */
export interface ExtractArgs {
  readonly _: readonly (string | number)[];
  readonly mirror?: string;
  readonly unchanged: boolean;
  readonly from?: string;
  readonly links: boolean;
  readonly clients?: string;
  readonly threads: number;
}

/** Runs orcid-extract with parsed flags; the exit code. */
export async function runExtract(args: ExtractArgs, ctx: ToolContext): Promise<number> {
  wholeNumberFlag("--threads", args.threads, 1);
  if (args.from !== undefined && args.mirror !== undefined)
    throw new UsageError("--from and --mirror cannot be used together");
  if (args.unchanged && args.mirror === undefined) throw new UsageError("--unchanged needs --mirror DIR");
  const files = args._.map(String);
  if (args.from !== undefined && files.length > 0)
    throw new UsageError("--from reads a folder: it takes no input files");
  // --mirror may not exist yet: orcid-place, earlier in the pipe, creates it.
  if (args.from !== undefined && !statSync(args.from, { throwIfNoEntry: false })?.isDirectory()) {
    throw new UsageError(`--from: not a folder: '${args.from}'`);
  }
  const clients =
    args.clients === undefined
      ? DEFAULT_CLIENT_LABELS
      : asUsage(() => parseClientLabels(readFileSync(args.clients!, "utf8")), "--clients");

  const stats = emptyStats();
  let passed = 0;
  let activities = 0;
  let upstreamErrors = 0;
  // Error records of this tool's own (a key that is no summary key, a symlinked path): not upstream's.
  let refused = 0;
  const started = performance.now();
  ctx.progress.start(() => {
    const seconds = (performance.now() - started) / 1000;
    return `${stats.summaries} summaries, ${(stats.bytes / 1e6).toFixed(0)} MB (${(stats.bytes / 1e6 / Math.max(seconds, 0.001)).toFixed(1)} MB/s), ${stats.errors} errors`;
  });
  const inputs =
    args.from !== undefined
      ? summaryFileInputs(args.from)
      : recordInputs(
          (async function* () {
            for await (const { record } of readRecordInputs(files, ctx.stdin)) yield record;
          })(),
          { mirror: args.mirror, unchanged: args.unchanged },
        );
  const outputs: AsyncIterable<ExtractOutput> = extractInputs(inputs, {
    threads: args.threads,
    links: args.links,
    clients,
    stats,
  });
  for await (const output of outputs) {
    if ("pass" in output) {
      const record = output.pass;
      if (record.type === "error" && (record as { tool?: unknown }).tool === "orcid-extract") refused++;
      else if (record.type === "error") upstreamErrors++;
      else if (record.type === "object") activities++;
      passed++;
      await ctx.out.write(record);
    } else if (output.lines > 0) {
      await ctx.out.writeEncoded(
        Buffer.from(output.bytes.buffer, output.bytes.byteOffset, output.bytes.byteLength),
        output.lines,
      );
    }
  }

  const made = args.links
    ? `${stats.person} persons, ${stats.link} links`
    : `${stats.person} persons, ${stats.work} works, ${stats.affiliation} affiliations, ${stats.funding} fundings`;
  const extras = [
    `${stats.gone} gone`,
    stats.doiless > 0 ? `${stats.doiless} doi ids without a DOI` : "",
    activities > 0 ? `${activities} activity objects passed on` : "",
    passed - activities - refused > 0 ? `${passed - activities - refused} other records passed on` : "",
    refused > 0 ? `${refused} summaries refused` : "",
    stats.errors > 0 ? `${stats.errors} summaries failed` : "",
  ].filter(Boolean);
  ctx.summary(
    `${stats.summaries} summaries (${(stats.bytes / 1e6).toFixed(1)} MB of XML): ${made}, ${extras.join(", ")}`,
  );
  return stats.errors > 0 || refused > 0 || upstreamErrors > 0 ? ExitCode.ItemsFailed : ExitCode.Ok;
}
