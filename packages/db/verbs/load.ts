/** `orcid-db load DB [file…]`: records from stdin or files into the database. */
import { createReadStream } from "node:fs";
import type { Readable } from "node:stream";
import { ExitCode, FatalError, UsageError } from "@orcid-sync/core";
import {
  BatchFailedError,
  DEFAULT_BATCH_RECORDS,
  DEFAULT_MIN_BATCH_RECORDS,
  type LoadCounts,
  loadRecords,
  newLoadCounts,
} from "../loader.ts";
import { readTextRecords, type TextRecord } from "../read_input.ts";
import type { Verb } from "./verb.ts";

/** Input records from stdin or files; `ended` tells a line cut short at the end from a malformed one. */
async function* inputRecords(
  files: readonly string[],
  stdin: Readable,
  state: { ended: boolean },
): AsyncGenerator<TextRecord> {
  for (const file of files.length === 0 ? ["-"] : files) {
    const stream = file === "-" ? stdin : createReadStream(file);
    state.ended = false;
    const chunks = (async function* () {
      for await (const chunk of stream) yield chunk as Uint8Array;
      state.ended = true;
    })();
    yield* readTextRecords(chunks, { source: file === "-" ? "stdin" : file });
  }
}

function describeLoad(c: LoadCounts): string {
  const events = c.added + c.removed > 0 ? `, events +${c.added} −${c.removed}` : "";
  return (
    `load ${c.loadId} ${c.status}: ${c.records} records, ${c.ids} iDs (${c.gone} gone), ${c.works} works, ${c.links} links, ` +
    `${c.affiliations} affiliations, ${c.fundings} fundings${events}, ${c.batches} batches${c.errors ? `, ${c.errors} errors` : ""}`
  );
}

/**
 * DuckDB's worker threads for a load: one. Its statements read a batch's small files and the last
 * checkpoint compresses what the load wrote; with a thread per core they cost more CPU for no
 * shorter load, and take the cores from the producer upstream (orcid-extract in the pipe).
 */
export const LOAD_THREADS = 1;

export const loadVerb: Verb = {
  command: "load <db> [files..]",
  describe: "Load records from stdin or files into DB (created when missing)",
  write: true,
  threads: LOAD_THREADS,
  options: (y) =>
    y
      .positional("db", {
        type: "string",
        describe: "The database: a DuckDB file, a postgres:// URL, or env:NAME (a variable holding one)",
      })
      .positional("files", {
        type: "string",
        array: true,
        describe: "NDJSON files to read instead of stdin (- is stdin)",
      })
      .option("batch", {
        type: "number",
        default: DEFAULT_BATCH_RECORDS,
        describe: `Most records per batch (whole iDs; one transaction each; the next batch is read while one commits, and closes early past ${DEFAULT_MIN_BATCH_RECORDS.toLocaleString("en")} records when that commit has ended)`,
      }),
  prepare: (args) => {
    const batch = args.batch ?? DEFAULT_BATCH_RECORDS;
    if (!(Number.isInteger(batch) && batch >= 1)) throw new UsageError("--batch takes a whole number ≥ 1");
    return async (engine, ctx) => {
      const counts = newLoadCounts();
      const input = { ended: false };
      const started = performance.now();
      ctx.progress.start(() => {
        const rate = counts.records / Math.max(0.001, (performance.now() - started) / 1000);
        return `${counts.records} records (${Math.round(rate)}/s), ${counts.ids} iDs, ${counts.links} links stored`;
      });
      const onRetry = (error: unknown, attempt: number) =>
        ctx.log.warn(
          `load ${counts.loadId}: attempt ${attempt} after ${counts.batches} batches failed (${(error as Error).message}); retrying`,
        );
      try {
        for await (const record of loadRecords(engine, inputRecords(args.files ?? [], ctx.stdin, input), counts, {
          batchRecords: batch,
          onRetry,
        })) {
          await ctx.out.write(record);
        }
      } catch (error) {
        if (error instanceof BatchFailedError) throw new FatalError(error.message);
        // PostgreSQL: a privilege missing for a write, or another server error, in one line.
        if (engine.name === "postgres" && typeof (error as { code?: unknown }).code === "string") {
          throw new FatalError(`PostgreSQL refused load ${counts.loadId}: ${(error as Error).message}`);
        }
        throw error;
      }
      ctx.summary(describeLoad(counts));
      if (counts.inputError) {
        const cut = counts.cutOrcid ? `; ${counts.cutOrcid} was not replaced` : "";
        const message = `${counts.inputError.message}${cut}; load ${counts.loadId} recorded as incomplete`;
        // A last line without its end: the producer died mid-record. Anything else is malformed input.
        if (!input.ended) throw new FatalError(message);
        ctx.log.error(`Input ended in the middle of a record: ${message}`);
        return ExitCode.ItemsFailed;
      }
      return counts.errors > 0 ? ExitCode.ItemsFailed : ExitCode.Ok;
    };
  },
};
