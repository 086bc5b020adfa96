/** The orcid-db command line. */
import { createReadStream, createWriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import type { Readable } from "node:stream";
import {
  asUsage,
  ExitCode,
  FatalError,
  isValidOrcidId,
  nowMicros,
  packageVersion,
  parseWhen,
  readRecords,
  RecordWriter,
  runMain,
  type SourcedRecord,
  type ToolContext,
  tempPathFor,
  trackTempFile,
  UsageError,
  untrackTempFile,
} from "@orcid-sync/core";
import { normalizeDoi } from "./doi.ts";
import { DatabaseBusyError, DatabaseOpenError, DEFAULT_MEMORY_LIMIT } from "./duckdb_engine.ts";
import type { SqlEngine } from "./engine.ts";
import { type Format, FORMATS, formatRecords } from "./format_records.ts";
import { BatchFailedError, DEFAULT_BATCH_RECORDS, type LoadCounts, loadRecords, newLoadCounts } from "./loader.ts";
import { openDatabase } from "./open_database.ts";
import { type ChangesFrom, doiLinks, exportLinks, linkChanges, orcidRecords } from "./queries.ts";
import { SchemaError } from "./schema.ts";

interface DbArgs {
  readonly _: (string | number)[];
  readonly db: string;
  readonly files?: string[];
  readonly dois?: string[];
  readonly ids?: string[];
  readonly what?: string;
  readonly since?: string;
  readonly after?: number;
  readonly output?: string;
  readonly format: Format;
  readonly batch: number;
  readonly memoryLimit: string;
  readonly waitLock: number;
  readonly engine?: "duckdb" | "postgres";
  readonly schema: string;
}

/** Input records from stdin or files; `ended` tells a line cut short at the end from a malformed one. */
async function* inputRecords(files: readonly string[], stdin: Readable, state: { ended: boolean }): AsyncGenerator<SourcedRecord> {
  for (const file of files.length === 0 ? ["-"] : files) {
    const stream = file === "-" ? stdin : createReadStream(file);
    state.ended = false;
    const chunks = (async function* () {
      for await (const chunk of stream) yield chunk as Uint8Array;
      state.ended = true;
    })();
    yield* readRecords(chunks, { source: file === "-" ? "stdin" : file });
  }
}

function describeLoad(c: LoadCounts): string {
  const events = c.added + c.removed > 0 ? `, events +${c.added} −${c.removed}` : "";
  return `load ${c.loadId} ${c.status}: ${c.records} records, ${c.ids} iDs (${c.gone} gone), ${c.works} works, ${c.links} links, ` +
    `${c.affiliations} affiliations, ${c.fundings} fundings${events}, ${c.batches} batches${c.errors ? `, ${c.errors} errors` : ""}`;
}

async function load(engine: SqlEngine, args: DbArgs, ctx: ToolContext): Promise<number> {
  const counts = newLoadCounts();
  const input = { ended: false };
  const started = performance.now();
  ctx.progress.start(() => {
    const rate = counts.records / Math.max(0.001, (performance.now() - started) / 1000);
    return `${counts.records} records (${Math.round(rate)}/s), ${counts.ids} iDs, ${counts.links} links stored`;
  });
  const onRetry = (error: unknown, attempt: number) =>
    ctx.log.warn(`load ${counts.loadId}: attempt ${attempt} after ${counts.batches} batches failed (${(error as Error).message}); retrying`);
  try {
    for await (const record of loadRecords(engine, inputRecords(args.files ?? [], ctx.stdin, input), counts, { batchRecords: args.batch, onRetry })) {
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
}

/** Writes records in the chosen format to stdout or, with -o, to a file renamed into place when complete. */
async function emit(records: AsyncIterable<object> | Iterable<object>, args: DbArgs, ctx: ToolContext): Promise<number> {
  let count = 0;
  const counted = (async function* () {
    for await (const record of records) {
      count++;
      yield record;
    }
  })();
  if (args.output === undefined || args.output === "-") {
    for await (const line of formatRecords(counted, args.format)) await ctx.out.writeLine(line);
    return count;
  }
  const temp = tempPathFor(args.output);
  trackTempFile(temp);
  const stream = createWriteStream(temp);
  const out = new RecordWriter(stream);
  try {
    for await (const line of formatRecords(counted, args.format)) await out.writeLine(line);
    await out.end();
    await new Promise<void>((resolve, reject) => stream.end((error?: Error | null) => (error ? reject(error) : resolve())));
    await rename(temp, args.output);
  } catch (error) {
    stream.destroy();
    await rm(temp, { force: true });
    throw error;
  } finally {
    untrackTempFile(temp);
  }
  return count;
}

function orcidArg(text: string): string {
  const id = text.trim().replace(/^https?:\/\/orcid\.org\//i, "").toUpperCase();
  if (!isValidOrcidId(id)) throw new UsageError(`Not an ORCID iD: '${text}'`);
  return id;
}

/** A query's arguments, checked before the database is opened (a usage error is exit 2 whatever the database). */
interface QueryInput {
  readonly dois: string[];
  readonly ids: string[];
  readonly from?: ChangesFrom;
}

function queryInput(command: string, args: DbArgs): QueryInput {
  const dois = (args.dois ?? []).map((text) => {
    const doi = normalizeDoi(text);
    if (!doi) throw new UsageError(`No DOI in '${text}'`);
    return doi;
  });
  const ids = (args.ids ?? []).map(orcidArg);
  if (command !== "changes") return { dois, ids };
  if ((args.since === undefined) === (args.after === undefined)) throw new UsageError("Give one of --since WHEN or --after SEQ");
  if (args.after !== undefined && !(Number.isInteger(args.after) && args.after >= 0)) {
    throw new UsageError("--after takes a whole number ≥ 0 (the last seq seen)");
  }
  const from = args.after !== undefined
    ? { after: args.after }
    : { since: new Date(Math.floor(asUsage(() => parseWhen(args.since!, nowMicros()), "--since") / 1000)).toISOString() };
  return { dois, ids, from };
}

async function query(engine: SqlEngine, command: string, parsed: QueryInput, args: DbArgs, ctx: ToolContext): Promise<void> {
  switch (command) {
    case "doi": {
      const dois = parsed.dois;
      const found = await emit(
        (async function* () {
          for (const doi of dois) {
            const links = await doiLinks(engine, doi);
            if (links.length === 0) ctx.log.info(`nothing found for DOI ${doi}`);
            yield* links;
          }
        })(),
        args,
        ctx,
      );
      ctx.summary(found ? `${found} links for ${dois.length} DOIs` : "nothing found");
      return;
    }
    case "orcid": {
      const ids = parsed.ids;
      const found = await emit(
        (async function* () {
          for (const id of ids) {
            const records = await orcidRecords(engine, id);
            if (records.length === 0) ctx.log.info(`nothing found for iD ${id}`);
            yield* records;
          }
        })(),
        args,
        ctx,
      );
      ctx.summary(found ? `${found} records for ${ids.length} iDs` : "nothing found");
      return;
    }
    case "changes": {
      const found = await emit(linkChanges(engine, parsed.from!), args, ctx);
      ctx.summary(found ? `${found} changes` : "nothing found: no changes");
      return;
    }
    case "export": {
      const found = await emit(exportLinks(engine), args, ctx);
      ctx.summary(found ? `${found} links exported${args.output ? ` to ${args.output}` : ""}` : "nothing found: no links");
      return;
    }
    default:
      throw new UsageError(`Unknown command '${command}': use load, doi, orcid, changes or export`);
  }
}

await runMain<DbArgs>({
  name: "orcid-db",
  version: packageVersion(import.meta.url),
  usage:
    "$0 <command> DB [options]\n\nKeep orcid-extract's records in a DuckDB file or a PostgreSQL database that follows every sync (each iD replaced whole), and answer which iDs link a DOI, and who asserted each link.",
  examples: [
    ["orcid-unpack ORCID_2025_10_summaries.tar.gz | orcid-extract | orcid-db load orcid.duckdb", "1. build the database from the yearly file"],
    ["orcid-db doi orcid.duckdb https://doi.org/10.5438/3DFW-Z4KQ", "2. who links a DOI, and how (any DOI form)"],
    ["orcid-db orcid orcid.duckdb 0000-0002-1825-0097 --format table", "3. an iD's names and links, as a table"],
    ["orcid-db changes orcid.duckdb --after \"$(cat last-seq)\"", "4. links added and removed since the last poll"],
    ["orcid-db export orcid.duckdb links -o links.ndjson", "5. every current link, sorted by DOI"],
    ["PGPASSWORD=… orcid-db load postgres://orcid@db.example.org/orcid records.ndjson", "6. load into PostgreSQL (schema orcid; the password from PGPASSWORD, ~/.pgpass or env:NAME)"],
  ],
  epilog:
    "load consumes person, gone, work, affiliation, funding and link records (the person or gone record of an iD replaces everything stored for it) and passes every other record on, a checkpoint only after the records before it are committed. Queries print NDJSON records, or CSV or a table with --format; one that finds nothing prints nothing and says so on stderr. A DuckDB file has one writer at a time: a query or load meeting another load waits --wait-lock seconds, then exits 3. PostgreSQL takes many loaders at once (shards of disjoint iDs); a batch that loses its connection is retried, and a load whose batch finally failed exits 3 (run it again to complete it).",
  options: (argv) =>
    argv
      .command("load <db> [files..]", "Load records from stdin or files into DB (created when missing)", (y) =>
        y
          .positional("db", { type: "string", describe: "The database file" })
          .positional("files", { type: "string", array: true, describe: "NDJSON files to read instead of stdin (- is stdin)" })
          .option("batch", { type: "number", default: DEFAULT_BATCH_RECORDS, describe: "Records per batch (whole iDs; one transaction each)" }),
      )
      .command("doi <db> <dois..>", "The current links of DOIs, with each iD's names", (y) =>
        y.positional("db", { type: "string" }).positional("dois", { type: "string", array: true, describe: "DOIs in any form (https://doi.org/…, doi:…)" }),
      )
      .command("orcid <db> <ids..>", "An iD's person record then its links, or its gone record", (y) =>
        y.positional("db", { type: "string" }).positional("ids", { type: "string", array: true, describe: "ORCID iDs" }),
      )
      .command("changes <db>", "Links added and removed, ordered by seq", (y) =>
        y
          .positional("db", { type: "string" })
          .option("since", { type: "string", describe: "Changes recorded since WHEN (30d, 2026-11-01, an ISO time)" })
          .option("after", { type: "number", describe: "Changes after event number SEQ (for polling: keep the last seq)" }),
      )
      .command("export <db> <what>", "Every current link, sorted by (doi, orcid, putCode)", (y) =>
        y
          .positional("db", { type: "string" })
          .positional("what", { choices: ["links"] as const, describe: "What to export" })
          .option("output", { alias: "o", type: "string", describe: "Write to FILE (renamed into place when complete) instead of stdout" }),
      )
      .option("format", { choices: FORMATS, default: "ndjson" as Format, describe: "Query output: NDJSON records, CSV, or an aligned table" })
      .option("memory-limit", { type: "string", default: DEFAULT_MEMORY_LIMIT, describe: "DuckDB's memory limit (e.g. 512MB, 2GB)" })
      .option("engine", { choices: ["duckdb", "postgres"] as const, describe: "duckdb: DB is a file (the default); postgres: DB is a database name (- for PGDATABASE), reached through the PG* variables and ~/.pgpass. A postgres:// URL, or env:NAME naming a variable that holds one, chooses PostgreSQL by itself" })
      .option("schema", { type: "string", default: "orcid", describe: "PostgreSQL: the schema holding the tables (created by the first load)" })
      .option("wait-lock", { type: "number", default: 0, describe: "Seconds to wait while another process holds the database" })
      .demandCommand(1, "Name a command: load, doi, orcid, changes or export") as never,
  main: async (args, ctx) => {
    const command = String(args._[0]);
    if (!(args.waitLock >= 0)) throw new UsageError("--wait-lock takes a number of seconds ≥ 0");
    // DuckDB's units; checked here so a bad value is a usage error whatever the database.
    if (args.schema.trim() === "") throw new UsageError("--schema takes a schema name");
    if (!/^\d+(\.\d+)?\s*([KMGT]i?B|B)$/i.test(args.memoryLimit.trim())) {
      throw new UsageError(`--memory-limit: Invalid memory limit '${args.memoryLimit}': use a size like 512MB or 2GB`);
    }
    if (command === "load" && !(Number.isInteger(args.batch) && args.batch >= 1)) throw new UsageError("--batch takes a whole number ≥ 1");
    const parsed = command === "load" ? undefined : queryInput(command, args);
    let engine: SqlEngine;
    try {
      engine = await openDatabase(args.db, {
        write: command === "load",
        memoryLimit: args.memoryLimit,
        waitLockSeconds: args.waitLock,
        engine: args.engine,
        schema: args.schema,
      });
    } catch (error) {
      if (error instanceof RangeError) throw new UsageError(`--memory-limit: ${error.message}`);
      if (error instanceof DatabaseBusyError || error instanceof DatabaseOpenError || error instanceof SchemaError) {
        throw new FatalError(error.message);
      }
      throw error;
    }
    try {
      if (command === "load") return await load(engine, args, ctx);
      await query(engine, command, parsed!, args, ctx);
      return ExitCode.Ok;
    } finally {
      await engine.close();
    }
  },
});
