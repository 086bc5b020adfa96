/** The orcid-db command line: each verb in verbs/, opened on the database here. */
import { FatalError, packageVersion, runMain, UsageError } from "@orcid-sync/core";
import { DatabaseBusyError, DatabaseOpenError, DEFAULT_MEMORY_LIMIT } from "./duckdb_engine.ts";
import type { SqlEngine } from "./engine.ts";
import { openDatabase } from "./open_database.ts";
import { SchemaError } from "./schema.ts";
import { changesVerb } from "./verbs/changes.ts";
import { doiVerb } from "./verbs/doi.ts";
import { exportVerb } from "./verbs/export.ts";
import { loadVerb } from "./verbs/load.ts";
import { orcidVerb } from "./verbs/orcid.ts";
import { prefixVerb } from "./verbs/prefix.ts";
import { sqlVerb } from "./verbs/sql.ts";
import { statsVerb } from "./verbs/stats.ts";
import type { DbArgs, Verb } from "./verbs/verb.ts";

/** DuckDB's out-of-memory failure as one line that says what to do, or undefined for another error. */
function outOfMemory(error: unknown, load: boolean): FatalError | undefined {
  const found = /^Out of Memory Error: ([^\n]*)/.exec((error as Error)?.message ?? "");
  if (!found) return undefined;
  const why = load
    ? ": a load holds the database's indexes in memory (some 40–70 bytes per link and iD) and needs room beyond them; the batches it committed are kept, and running it again completes it"
    : "";
  return new FatalError(`DuckDB ran out of memory: ${found[1]}. Raise --memory-limit${why}`);
}

const VERBS: readonly Verb[] = [loadVerb, doiVerb, orcidVerb, prefixVerb, changesVerb, statsVerb, sqlVerb, exportVerb];
const NAMES = VERBS.map((v) => v.command.split(" ")[0]!);

await runMain<DbArgs>({
  name: "orcid-db",
  version: packageVersion(import.meta.url),
  usage:
    "$0 <command> DB [options]\n\nKeep orcid-extract's records in a DuckDB file or a PostgreSQL database that follows every sync (each iD replaced whole), and answer which iDs link a DOI, and who asserted each link.",
  examples: [
    [
      "orcid-unpack ORCID_2025_10_summaries.tar.gz | orcid-extract | orcid-db load orcid.duckdb",
      "1. build the database from the yearly file",
    ],
    ["orcid-db doi orcid.duckdb https://doi.org/10.5438/3DFW-Z4KQ", "2. who links a DOI, and how (any DOI form)"],
    ["orcid-db orcid orcid.duckdb 0000-0002-1825-0097 --format table", "3. an iD's names and links, as a table"],
    ['orcid-db changes orcid.duckdb --after "$(cat last-seq)"', "4. links added and removed since the last poll"],
    [
      "orcid-db prefix orcid.duckdb 10.5438 -o 10.5438.ndjson",
      "5. a publisher's links: every current link under its DOI prefix",
    ],
    [
      'orcid-db prefix orcid.duckdb 10.5438 --after "$(cat last-seq)"',
      "6. what changed under the prefix since the last poll",
    ],
    ["orcid-db stats orcid.duckdb", "7. the round trip in figures (--json for one JSON record)"],
    [
      'orcid-db sql orcid.duckdb "SELECT class, count(*) AS n FROM links GROUP BY class"',
      "8. any read-only SQL: plain rows, not records",
    ],
    ["orcid-db export orcid.duckdb links -o links.ndjson", "9. every current link, sorted by DOI"],
    [
      "PGPASSWORD=… orcid-db load postgres://orcid@db.example.org/orcid records.ndjson",
      "10. load into PostgreSQL (schema orcid; the password from PGPASSWORD, ~/.pgpass or env:NAME)",
    ],
  ],
  epilog:
    "load consumes person, gone, work, affiliation, funding and link records (the person or gone record of an iD replaces everything stored for it) and passes every other record on, a checkpoint only after the records before it are committed. Queries (doi, orcid, prefix, changes) print NDJSON records, or CSV or a table with --format; one that finds nothing prints nothing and says so on stderr. prefix answers every current link under DOI prefixes, or with --since/--after the changes under them (poll with --after, keeping the last seq). stats prints the round trip's figures (a table; --json for one record). sql runs one read-only statement and prints plain rows (the query's columns, no type), not protocol records. export writes tables as protocol records (ndjson), their columns (csv), or Parquet partitioned by DOI prefix (links, link_events) and by the iD's last three characters (per-iD tables) under -o FOLDER/TABLE/. A DuckDB file has one writer at a time: a query or load meeting another load waits --wait-lock seconds, then exits 3. PostgreSQL takes many loaders at once (shards of disjoint iDs); a batch that loses its connection is retried, and a load whose batch finally failed exits 3 (run it again to complete it).",
  options: (argv) => {
    for (const verb of VERBS) argv = argv.command(verb.command, verb.describe, verb.options);
    return argv
      .option("memory-limit", {
        type: "string",
        describe: `DuckDB's memory limit (e.g. 512MB, 2GB). Default ${DEFAULT_MEMORY_LIMIT}; for load, ${DEFAULT_MEMORY_LIMIT} beyond what the database's indexes hold in memory while it is written (some 40–70 bytes per link and iD), up to 80% of the machine's memory`,
      })
      .option("threads", {
        type: "number",
        describe: "DuckDB's worker threads (default: 1 for load, one per core for the other commands)",
      })
      .option("engine", {
        choices: ["duckdb", "postgres"] as const,
        describe:
          "duckdb: DB is a file (the default); postgres: DB is a database name (- for PGDATABASE), reached through the PG* variables and ~/.pgpass. A postgres:// URL, or env:NAME naming a variable that holds one, chooses PostgreSQL by itself",
      })
      .option("schema", {
        type: "string",
        default: "orcid",
        describe: "PostgreSQL: the schema holding the tables (created by the first load)",
      })
      .option("wait-lock", {
        type: "number",
        default: 0,
        describe:
          "DuckDB: seconds a query or load waits while another process holds the database file (PostgreSQL needs no wait: its loaders run at once)",
      })
      .demandCommand(1, `Name a command: ${NAMES.join(", ")}`) as never;
  },
  main: async (args, ctx) => {
    const name = String(args._[0]);
    const verb = VERBS[NAMES.indexOf(name)];
    if (!verb) throw new UsageError(`Unknown command '${name}': use ${NAMES.join(", ")}`);
    if (!(args.waitLock >= 0)) throw new UsageError("--wait-lock takes a number of seconds ≥ 0");
    if (args.threads !== undefined && !(Number.isInteger(args.threads) && args.threads >= 1))
      throw new UsageError("--threads takes a whole number ≥ 1");
    if (args.schema.trim() === "") throw new UsageError("--schema takes a schema name");
    // DuckDB's units; checked here so a bad value is a usage error whatever the database.
    if (args.memoryLimit !== undefined && !/^\d+(\.\d+)?\s*([KMGT]i?B|B)$/i.test(args.memoryLimit.trim())) {
      throw new UsageError(`--memory-limit: Invalid memory limit '${args.memoryLimit}': use a size like 512MB or 2GB`);
    }
    const run = verb.prepare(args);
    let engine: SqlEngine;
    try {
      engine = await openDatabase(args.db, {
        write: verb.write,
        memoryLimit: args.memoryLimit,
        threads: args.threads ?? verb.threads,
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
      return await run(engine, ctx);
    } catch (error) {
      throw outOfMemory(error, verb.write === true) ?? error;
    } finally {
      await engine.close();
    }
  },
});
