/**
 * The one interface between orcid-db and a SQL engine: the loader and the queries are written
 * against it once, and each engine (DuckDB, PostgreSQL) implements it. SQL passed here
 * uses `$1, $2, …` parameters and only what both engines understand; what differs (type names,
 * bulk loading) is the engine's business.
 */
import type { ColumnDef, ColumnKind } from "./tables.ts";

/** A value going into or coming out of the database. */
export type SqlValue = string | number | boolean | null | readonly string[];

/** A result row: column name → value (JSON columns come back as their text, lists as arrays). */
export type Row = Readonly<Record<string, SqlValue>>;

/** A row of a user's query as JSON values (nested lists and structs kept; see `readOnlyQuery`). */
export type JsonRow = Readonly<Record<string, unknown>>;

/** A user's query that is not one statement that only reads, or does not parse or bind. */
export class QueryRefusedError extends Error {
  override name = "QueryRefusedError";
}

/** A SQL engine holding one orcid-db database. */
export interface SqlEngine {
  /** The engine's name, for messages: `duckdb` or `postgres`. */
  readonly name: string;
  /** The engine's type for a column kind. */
  typeOf(kind: ColumnKind): string;
  /** Runs statements (several may be separated by `;` when there are no parameters). */
  run(sql: string, params?: readonly SqlValue[]): Promise<void>;
  /** Runs a query and returns all its rows. */
  all(sql: string, params?: readonly SqlValue[]): Promise<Row[]>;
  /** Runs a query and yields its rows as they come, in bounded memory. */
  stream(sql: string, params?: readonly SqlValue[]): AsyncIterable<Row>;
  /**
   * Runs one statement a user wrote (`orcid-db sql`) and yields its rows as they come, refusing
   * with a {@linkcode QueryRefusedError} — before any row — anything but a single statement that
   * only reads (a write, DDL, ATTACH, COPY, SET…) and SQL that does not parse or bind. Values are
   * JSON: whole numbers beyond 2^53 as strings, times as ISO UTC, blobs as base64.
   */
  readOnlyQuery(sql: string): AsyncIterable<JsonRow>;
  /**
   * Writes a query's rows as Parquet files into `folder` (created; it must not exist), split into
   * Hive-style sub-folders (`column=value/`) by `partitionBy` when given. DuckDB's `COPY … TO`;
   * an engine without a Parquet writer throws.
   */
  copyToParquet(select: string, folder: string, options?: { readonly partitionBy?: string }): Promise<void>;
  /**
   * Whether the loader stages input records as their JSON text and lets the engine build the rows
   * in SQL (json_staging.ts: DuckDB, whose JSON reader does in C++ what JavaScript would do a value
   * at a time); otherwise the loader builds the rows and calls {@linkcode SqlEngine.append}.
   */
  readonly stagesJson: boolean;
  /** Bulk-loads rows into a (staging) table: DuckDB's appender, PostgreSQL's COPY. */
  append(table: string, columns: readonly ColumnDef[], rows: readonly (readonly SqlValue[])[]): Promise<void>;
  /** Runs `work` in a transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: () => Promise<T>): Promise<T>;
  /**
   * Holds a named lock until the transaction ends: what serializes the writers that share one
   * database (PostgreSQL's advisory locks). A no-op where one process writes at a time (DuckDB).
   */
  lock(name: string): Promise<void>;
  /** Marks load `id` as run by this connection until it closes (see {@linkcode liveLoadSql}). */
  holdLoad(id: number): Promise<void>;
  /** A SQL condition on a `loads` id column: true while a live writer runs that load. */
  liveLoadSql(idColumn: string): string;
  /**
   * The SQL expression numbering new link events, in `order`, after every event committed before
   * (called under the `link_events` lock): a sequence on PostgreSQL, the last seq + row number on DuckDB.
   */
  eventSeqSql(order: string): string;
  /** Whether running a failed batch again may succeed (a lost connection, a deadlock). */
  retryable(error: unknown): boolean;
  /** Connects again after a lost connection (temporary tables are gone: the caller makes them again). */
  reconnect(): Promise<void>;
  /** Closes the database; everything committed stays. */
  close(): Promise<void>;
}
