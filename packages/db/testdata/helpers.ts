/** What orcid-db's tests share: a database in a temp folder, records from text, sorted table dumps. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SourcedRecord } from "@orcid-sync/core";
import type { SqlEngine } from "../engine.ts";
import { type LoadCounts, type LoaderInput, loadRecords, type LoadOptions, newLoadCounts } from "../loader.ts";
import { openDatabase, type OpenDatabaseOptions } from "../open_database.ts";
import { DATA_TABLES } from "../tables.ts";

/** A temp folder with a database path in it. */
export function tempDb(): { dir: string; path: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "orcid-db-test-"));
  return { dir, path: join(dir, "orcid.duckdb"), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A database: a DuckDB file's path, or a PostgreSQL URL and a schema in it. */
export type DbTarget = string | { readonly path: string; readonly schema: string };

/** Opens a test database. */
export function openTarget(target: DbTarget, options: OpenDatabaseOptions = {}): Promise<SqlEngine> {
  return typeof target === "string" ? openDatabase(target, options) : openDatabase(target.path, { ...options, schema: target.schema });
}

/**
 * Records as the loader reads them: with their JSON text (as read_input.ts gives it, so that DuckDB
 * builds the rows from it), or without (`text: false`: the rows built in JavaScript).
 */
export async function* sourced(
  records: Iterable<object>,
  options: { readonly text?: boolean } = {},
): AsyncGenerator<LoaderInput> {
  let line = 0;
  for (const record of records) {
    const read = { record: record as SourcedRecord["record"], source: "test", line: ++line };
    yield options.text === false ? read : { ...read, text: JSON.stringify(record) };
  }
}

/** Parses NDJSON text. */
export function parseNdjson(text: string): Record<string, unknown>[] {
  return text.split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l));
}

/** Loads records into the database at `path` (opened and closed here); returns the output and counts. */
export async function loadInto(
  path: DbTarget,
  records: Iterable<object> | AsyncIterable<SourcedRecord>,
  options: LoadOptions = {},
): Promise<{ out: object[]; counts: LoadCounts }> {
  const engine = await openTarget(path, { write: true });
  const counts = newLoadCounts();
  const out: object[] = [];
  try {
    const input = Symbol.asyncIterator in records ? (records as AsyncIterable<SourcedRecord>) : sourced(records as Iterable<object>);
    for await (const record of loadRecords(engine, input, counts, options)) out.push(record);
  } finally {
    await engine.close();
  }
  return { out, counts };
}

/** A table's rows as JSON lines, sorted: equal tables give equal arrays. */
export async function dumpTable(engine: SqlEngine, table: string, columns = "*"): Promise<string[]> {
  return (await engine.all(`SELECT ${columns} FROM ${table}`)).map((row) => JSON.stringify(row)).sort();
}

/** Every data table (all but link_events and loads), dumped. */
export async function dumpData(engine: SqlEngine): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const table of DATA_TABLES) out[table.name] = await dumpTable(engine, table.name);
  return out;
}

/** Opens a database read-only, runs `work`, closes it. */
export async function withDb<T>(path: DbTarget, work: (engine: SqlEngine) => Promise<T>): Promise<T> {
  const engine = await openTarget(path);
  try {
    return await work(engine);
  } finally {
    await engine.close();
  }
}
