/** The orcid-extract command line. */
import { readFileSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import {
  asUsage,
  DEFAULT_CLIENT_LABELS,
  ExitCode,
  packageVersion,
  readRecordInputs,
  runMain,
  UsageError,
} from "@orcid-sync/core";
import { parseClientLabels } from "./client_table.ts";
import { extractInputs, type ExtractOutput, recordInputs } from "./extract_records.ts";
import { summaryFileInputs } from "./summary_files.ts";
import { emptyStats } from "./summary_task.ts";

interface ExtractArgs {
  readonly _: readonly (string | number)[];
  readonly mirror?: string;
  readonly unchanged: boolean;
  readonly from?: string;
  readonly links: boolean;
  readonly clients?: string;
  readonly threads: number;
}

await runMain<ExtractArgs>({
  name: "orcid-extract",
  version: packageVersion(import.meta.url),
  usage:
    "$0 [--links] [--mirror DIR | --from DIR] [options] [file ...]\n\nTurn ORCID record summaries (XML) into compact NDJSON records: for each iD a person record (or gone, for a deprecated, locked or deactivated record) followed by its works, affiliations and fundings — or, with --links, by one link record per DOI its works name, with who asserted it.",
  examples: [
    [
      "orcid-list --since 1d -s | orcid-fetch | orcid-extract > records.ndjson",
      "1. the records of the summaries changed today, straight from S3",
    ],
    [
      "orcid-list --since 1d -s | orcid-fetch | orcid-place ./m | orcid-extract --mirror ./m --links",
      "2. the DOI links of what a sync wrote",
    ],
    [
      "orcid-extract --from ./ORCID_public_data_files --links | jq -r 'select(.type==\"link\") | [.doi,.orcid,.class] | @tsv'",
      "3. every DOI link of a mirror as TSV",
    ],
    [
      "orcid-extract --from ./data -j 8 | jq -c 'select(.type==\"gone\")'",
      "4. the records that are gone, on 8 threads",
    ],
  ],
  epilog:
    "Reads object records (from orcid-fetch or orcid-unpack) and extracts those of summaries; with --mirror, placed records of summaries written into DIR are extracted from the files; --from DIR reads every summary of a mirror instead of stdin. Each iD's records come together, opened by its person or gone record (a consumer replaces what it holds for the iD with what follows); every other record (activity objects, checkpoints, errors) passes through, and the input's order is kept, on any number of threads. A summary that is not well-formed, is cut short or is of another iD than its key gives an error record (exit 1) and the run goes on.\n\nclass (with --links) says who asserted a link: self (the researcher), other-person (another iD), self-via-member (a member tool acting for the researcher: search-and-link), crossref (0000-0001-9884-1913), datacite (0000-0001-8099-6984), member (any other client). Works added by older search-and-link tools carry no assertion origin and read as member.",
  options: (argv) =>
    argv
      .option("links", {
        type: "boolean",
        default: false,
        describe: "Emit link records (one per work and DOI) instead of work, affiliation and funding records",
      })
      .option("mirror", {
        type: "string",
        describe: "Extract the summaries that placed records say were written into this mirror folder",
      })
      .option("unchanged", {
        type: "boolean",
        default: false,
        describe:
          "With --mirror, also extract the summaries placed records say were left unchanged (so a rerun reloads what a failed run placed)",
      })
      .option("from", {
        type: "string",
        describe: "Extract every summary of this mirror folder (or its summaries/ folder) instead of reading stdin",
      })
      .option("clients", {
        type: "string",
        describe:
          "A CSV file of 'id,label' rows: the class of links asserted by those clients (added to crossref, datacite)",
      })
      .option("threads", {
        alias: "j",
        type: "number",
        default: availableParallelism(),
        describe: "Worker threads parsing summaries",
      }) as never,
  main: async (args, ctx) => {
    if (!Number.isInteger(args.threads) || args.threads < 1) throw new UsageError("--threads takes a whole number ≥ 1");
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
        if (record.type === "error") upstreamErrors++;
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
      passed - activities > 0 ? `${passed - activities} other records passed on` : "",
      stats.errors > 0 ? `${stats.errors} summaries failed` : "",
    ].filter(Boolean);
    ctx.summary(
      `${stats.summaries} summaries (${(stats.bytes / 1e6).toFixed(1)} MB of XML): ${made}, ${extras.join(", ")}`,
    );
    return stats.errors > 0 || upstreamErrors > 0 ? ExitCode.ItemsFailed : ExitCode.Ok;
  },
});
