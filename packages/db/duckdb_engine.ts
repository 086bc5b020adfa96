/** {@linkcode SqlEngine} on DuckDB through @duckdb/node-api: one file, one writer process at a time. */
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { totalmem } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type {
  DuckDBAppender,
  DuckDBConnection,
  DuckDBInstance,
  DuckDBListType,
  DuckDBPreparedStatement,
  DuckDBValue,
  StatementType,
} from "@duckdb/node-api";
import { type JsonRow, QueryRefusedError, type Row, type SqlEngine, type SqlValue } from "./engine.ts";
import { jsonValue } from "./json_value.ts";
import type { ColumnDef, ColumnKind } from "./tables.ts";

/** The memory DuckDB may use unless told otherwise (`--memory-limit`); a writer's grows with its indexes. */
export const DEFAULT_MEMORY_LIMIT = "512MB";

/**
 * What a writer's memory limit keeps beyond its indexes unless told otherwise: DuckDB holds an ART
 * index whole in memory once a write has touched it (its buffers are not evicted), so a fixed limit
 * that fits a small database fails a load into a large one (7.6 M links and 1.8 M iDs at 512 MB).
 */
export const DEFAULT_MEMORY_BEYOND_INDEXES = 512e6;

/**
 * The most a writer's memory limit grows to: DuckDB's own default limit, 80 % of the machine's
 * memory (or of the container's, when it is limited).
 */
export function memoryCap(): number {
  const constrained = process.constrainedMemory?.() ?? 0;
  const total = totalmem();
  return Math.floor(0.8 * (constrained > 0 ? Math.min(constrained, total) : total));
}

/**
 * The memory limit a writer needs, in bytes: `beyond` more than its indexes hold (counted in steps
 * of 64 MiB, so that a growing index changes the setting now and then, not at every commit), at
 * most `cap`.
 *
 * @example
 * ```ts
 * writerMemoryLimit(300e6, 512e6, 8e9); // 847087616: 512e6 + 5 × 64 MiB
 * ```
 */
export function writerMemoryLimit(indexBytes: number, beyond: number, cap: number): number {
  const step = 64 * 1024 * 1024;
  return Math.min(cap, beyond + Math.ceil(indexBytes / step) * step);
}

/**
 * The write-ahead log's size that makes DuckDB checkpoint (its default, 16 MB, is less than one
 * load batch writes, so every commit would checkpoint): the log stays bounded by this plus a batch.
 * Each checkpoint writes the ART indexes whole again, so their cost grows with the database: at
 * 128 MB a first build of 20.6 M records took 335 s, at 1 GB 280 s (10.3 M: 101 s, 91 s; 1.3 M and
 * 0.4 M: the same time, peak RSS 75–120 MB more: the log's rows wait in memory, or in DuckDB's temp
 * files, for the checkpoint).
 */
export const CHECKPOINT_THRESHOLD = "1GB";

/**
 * The storage format of a file a load creates: DuckDB's own from 1.5.0, whose compression costs
 * less CPU at a checkpoint than the 0.10.2 format DuckDB writes by default, for no larger a file
 * (a file needs DuckDB 1.5.0 or later to be read). A file that exists keeps its format.
 */
export const STORAGE_VERSION = "v1.5.0";

/** Options for {@linkcode openDuckDb}. */
export interface DuckDbOptions {
  /** Open for queries only (several readers may share the file). Default false. */
  readonly readOnly?: boolean;
  /**
   * DuckDB's memory limit, e.g. `512MB`, `2GB`, held whatever the indexes need. Default: for a
   * reader {@linkcode DEFAULT_MEMORY_LIMIT}; for a writer `memoryBeyondIndexes` more than its
   * indexes hold, checked after each transaction, up to {@linkcode memoryCap}.
   */
  readonly memoryLimit?: string;
  /** A writer without `memoryLimit`: bytes beyond its indexes. Default {@linkcode DEFAULT_MEMORY_BEYOND_INDEXES}. */
  readonly memoryBeyondIndexes?: number;
  /** How long to wait for another process's lock on the file, in seconds. Default 0. */
  readonly waitLockSeconds?: number;
  /** DuckDB worker threads. Default: DuckDB's (every core). */
  readonly threads?: number;
}

/** The database is held by another process (DuckDB allows one writer, or readers only). */
export class DatabaseBusyError extends Error {
  override name = "DatabaseBusyError";
}

/** The file cannot be opened as a DuckDB database (not one, unreadable, missing for a query). */
export class DatabaseOpenError extends Error {
  override name = "DatabaseOpenError";
}

const TYPES: Record<ColumnKind, string> = { text: "VARCHAR", int: "BIGINT", json: "JSON", "text[]": "VARCHAR[]" };

type DuckDbModule = typeof import("@duckdb/node-api");
let duckdb: DuckDbModule | undefined;
let textList: DuckDBListType | undefined;
/** The binding, loaded on first open: its native library would cost every PostgreSQL run's start-up. */
async function loadDuckDb(): Promise<DuckDbModule> {
  if (!duckdb) {
    const loaded = await import("@duckdb/node-api");
    // Bundled, the CommonJS package comes as the default export.
    duckdb = typeof loaded.LIST === "function" ? loaded : (loaded as unknown as { default: DuckDbModule }).default;
  }
  textList ??= duckdb.LIST(duckdb.VARCHAR);
  return duckdb;
}

/**
 * Opens (or, for writing, creates) a DuckDB file. While another process holds it, retries for up
 * to `waitLockSeconds`, then throws a {@linkcode DatabaseBusyError} naming the holder.
 *
 * @example
 * ```ts
 * const engine = await openDuckDb("orcid.duckdb", { readOnly: true });
 * ```
 */
export async function openDuckDb(path: string, options: DuckDbOptions = {}): Promise<SqlEngine> {
  if (options.readOnly && !existsSync(path))
    throw new DatabaseOpenError(`Cannot open database '${path}': no such file`);
  // A writer's limit follows its indexes unless told (a reader's indexes load only what a lookup reads).
  const grows = !options.readOnly && options.memoryLimit === undefined;
  const growth = { beyond: options.memoryBeyondIndexes ?? DEFAULT_MEMORY_BEYOND_INDEXES, cap: memoryCap() };
  const config: Record<string, string> = {
    memory_limit:
      options.memoryLimit ?? (grows ? `${writerMemoryLimit(0, growth.beyond, growth.cap)}B` : DEFAULT_MEMORY_LIMIT),
  };
  if (options.readOnly) config.access_mode = "READ_ONLY";
  else {
    config.checkpoint_threshold = CHECKPOINT_THRESHOLD;
    config.storage_compatibility_version = STORAGE_VERSION;
  }
  if (options.threads) config.threads = String(options.threads);
  const deadline = performance.now() + (options.waitLockSeconds ?? 0) * 1000;
  for (;;) {
    try {
      const instance = await (await loadDuckDb()).DuckDBInstance.create(path, config);
      const engine = new DuckDbEngine(instance, await instance.connect());
      if (grows) await engine.growMemoryWithIndexes(growth.beyond, growth.cap);
      return engine;
    } catch (error) {
      const message = (error as Error).message;
      const lock = /Conflicting lock is held in (.*) \(PID (\d+)\)/.exec(message);
      if (lock || /Could not set lock/.test(message)) {
        if (performance.now() < deadline) {
          await sleep(200);
          continue;
        }
        const holder = lock ? `process ${lock[2]} (${lock[1]})` : "another process";
        throw new DatabaseBusyError(
          `Database '${path}' is busy: ${holder} holds it (wait for it with --wait-lock SECONDS)`,
        );
      }
      if (/memory_limit|memory limit|Failed to set config/i.test(message))
        throw new RangeError(`Invalid memory limit '${config.memory_limit}': ${message}`);
      throw new DatabaseOpenError(`Cannot open database '${path}': ${message.replace(/^IO Error: /, "")}`);
    }
  }
}

function toDuckDb(value: SqlValue): DuckDBValue {
  if (Array.isArray(value)) return duckdb!.listValue(value as string[]);
  return value as DuckDBValue;
}

function fromDuckDb(value: unknown): SqlValue {
  if (typeof value === "bigint") return Number(value);
  if (Array.isArray(value)) return value.map(String);
  if (value instanceof Date) return value.toISOString();
  return value as SqlValue;
}

function toRow(row: Record<string, unknown>): Row {
  const out: Record<string, SqlValue> = {};
  for (const key of Object.keys(row)) out[key] = fromDuckDb(row[key]);
  return out;
}

/** DuckDB's message on one line: its text before the `LINE n:` excerpt, without the wrapper's preamble. */
function oneLine(message: string): string {
  const text = message.replace(/^Failed to (extract statements|prepare statement): /, "").split(/\n\s*LINE \d+:/)[0]!;
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)
    .join(" ");
}

// What a user's query may be: reads only (the file is open read-only too, but ATTACH, COPY TO, SET
// or INSTALL would still reach beyond it).
function isRead(type: StatementType): boolean {
  return type === duckdb!.StatementType.SELECT || type === duckdb!.StatementType.EXPLAIN;
}

// What JSON writes as an escape DuckDB's text-to-list cast does not read back: control characters
// (\n, \u0001) and lone surrogates. Quotes and backslashes it reads back as JSON wrote them.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it looks for
const NOT_CASTABLE = /[\u0000-\u001f]|\p{Cs}/u;

/**
 * Appends a list of strings: as its JSON text, which DuckDB casts to the list (one native call, not
 * one per element and a list value), unless an element holds what that cast does not read back.
 */
function appendTextList(appender: DuckDBAppender, list: readonly string[]): void {
  if (list.some((s) => NOT_CASTABLE.test(s))) appender.appendList(list as string[], textList!);
  else appender.appendVarchar(JSON.stringify(list));
}

// What DuckDB's ART indexes hold in memory now.
const INDEX_MEMORY_SQL =
  "SELECT coalesce(sum(memory_usage_bytes), 0) AS bytes FROM duckdb_memory() WHERE tag = 'ART_INDEX'";
// The rows of the indexed tables, once per index (DuckDB's row counts, read without a scan).
const INDEXED_ROWS_SQL = `SELECT coalesce(sum(t.estimated_size), 0) AS rows
FROM duckdb_indexes() i JOIN duckdb_tables() t USING (database_name, schema_name, table_name)`;
/**
 * What an ART index holds in memory per row once writes have touched all of it: 39 bytes measured
 * for generated links (DOIs of about 18 characters) and iDs, 72 for random 45-character keys.
 */
const INDEX_BYTES_PER_ROW = 64;

class DuckDbEngine implements SqlEngine {
  readonly name = "duckdb";
  readonly stagesJson = true;
  readonly #instance: DuckDBInstance;
  readonly #connection: DuckDBConnection;
  // Queries run again and again (a DOI at a time) are prepared once.
  readonly #prepared = new Map<string, DuckDBPreparedStatement>();
  // A writer's memory limit that follows its indexes: bytes beyond them, the cap, the limit set.
  #memory: { beyond: number; cap: number; limit: number } | undefined;

  constructor(instance: DuckDBInstance, connection: DuckDBConnection) {
    this.#instance = instance;
    this.#connection = connection;
  }

  typeOf(kind: ColumnKind): string {
    return TYPES[kind];
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<void> {
    await this.#connection.run(sql, params.length ? params.map(toDuckDb) : undefined);
  }

  async #statement(sql: string, params: readonly SqlValue[]): Promise<DuckDBPreparedStatement> {
    let statement = this.#prepared.get(sql);
    if (!statement) {
      statement = await this.#connection.prepare(sql);
      this.#prepared.set(sql, statement);
    }
    statement.clearBindings();
    if (params.length) statement.bind(params.map(toDuckDb));
    return statement;
  }

  async all(sql: string, params: readonly SqlValue[] = []): Promise<Row[]> {
    const reader = await (await this.#statement(sql, params)).runAndReadAll();
    return reader.getRowObjectsJS().map(toRow);
  }

  async *stream(sql: string, params: readonly SqlValue[] = []): AsyncIterable<Row> {
    const result = await this.#connection.stream(sql, params.length ? params.map(toDuckDb) : undefined);
    for await (const rows of result.yieldRowObjectJs()) {
      for (const row of rows) yield toRow(row);
    }
  }

  async *readOnlyQuery(sql: string): AsyncIterable<JsonRow> {
    let statement: DuckDBPreparedStatement;
    try {
      const statements = await this.#connection.extractStatements(sql);
      if (statements.count !== 1) throw new QueryRefusedError(`Give one SQL statement, not ${statements.count}`);
      statement = await statements.prepare(0);
    } catch (error) {
      if (error instanceof QueryRefusedError) throw error;
      throw new QueryRefusedError(oneLine((error as Error).message));
    }
    try {
      const type = statement.statementType;
      if (!isRead(type))
        throw new QueryRefusedError(
          `Only queries that read are allowed: statement type ${duckdb!.StatementType[type]}`,
        );
      let result: Awaited<ReturnType<DuckDBPreparedStatement["stream"]>>;
      try {
        result = await statement.stream();
      } catch (error) {
        throw new QueryRefusedError(oneLine((error as Error).message));
      }
      try {
        for await (const rows of result.yieldRowObjectJs()) {
          for (const row of rows) yield jsonValue(row) as JsonRow;
        }
      } catch (error) {
        throw new Error(oneLine((error as Error).message));
      }
    } finally {
      statement.destroySync();
    }
  }

  async copyToParquet(select: string, folder: string, options: { readonly partitionBy?: string } = {}): Promise<void> {
    const target = `'${folder.replaceAll("'", "''")}'`;
    const partition = options.partitionBy ? `, PARTITION_BY ("${options.partitionBy}")` : "";
    await mkdir(folder, { recursive: true });
    // Unpartitioned: one file in the folder, so every table is read the same way (FOLDER/**/*.parquet).
    const path = options.partitionBy ? target : `'${join(folder, "data_0.parquet").replaceAll("'", "''")}'`;
    await this.#connection.run(
      `COPY (${select}) TO ${path} (FORMAT parquet${partition}${options.partitionBy ? ", OVERWRITE_OR_IGNORE" : ""})`,
    );
  }

  async append(table: string, columns: readonly ColumnDef[], rows: readonly (readonly SqlValue[])[]): Promise<void> {
    if (rows.length === 0) return;
    // Staging tables are temporary (the connection's own, never written to the file).
    const appender: DuckDBAppender = await this.#connection.createAppender(table, null, "temp");
    try {
      for (const row of rows) {
        for (let i = 0; i < columns.length; i++) {
          const value = row[i];
          if (value === null || value === undefined) {
            appender.appendNull();
            continue;
          }
          switch (columns[i]!.kind) {
            case "int":
              appender.appendBigInt(BigInt(value as number));
              break;
            case "text[]":
              appendTextList(appender, value as readonly string[]);
              break;
            default:
              appender.appendVarchar(String(value));
          }
        }
        appender.endRow();
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
  }

  /**
   * Keeps the memory limit `beyond` bytes above what the indexes hold, up to `cap`: from the start,
   * what the stored rows' indexes will hold once a write has touched them (they are read from the
   * file as they are touched); after each transaction, what they hold.
   */
  async growMemoryWithIndexes(beyond: number, cap: number): Promise<void> {
    this.#memory = { beyond, cap, limit: writerMemoryLimit(0, beyond, cap) };
    const [row] = await this.all(INDEXED_ROWS_SQL);
    await this.#fitMemory(Number(row?.rows ?? 0) * INDEX_BYTES_PER_ROW);
  }

  async #fitMemory(indexBytes: number): Promise<void> {
    const memory = this.#memory;
    if (!memory) return;
    const limit = writerMemoryLimit(indexBytes, memory.beyond, memory.cap);
    if (limit <= memory.limit) return;
    await this.#connection.run(`SET memory_limit = '${limit}B'`);
    memory.limit = limit;
  }

  async transaction<T>(work: () => Promise<T>): Promise<T> {
    await this.#connection.run("BEGIN TRANSACTION");
    let result: T;
    try {
      result = await work();
    } catch (error) {
      await this.#connection.run("ROLLBACK").catch(() => {});
      throw error;
    }
    await this.#connection.run("COMMIT");
    // The commit put the transaction's rows into the indexes: the next one has room beyond them.
    // Committed, the transaction has succeeded: a failure here leaves the limit as it was.
    if (this.#memory) {
      await this.all(INDEX_MEMORY_SQL)
        .then(([row]) => this.#fitMemory(Number(row?.bytes ?? 0)))
        .catch(() => {});
    }
    return result;
  }

  // One writer process at a time: nothing to serialize, no other loader to wait for.
  async lock(): Promise<void> {}

  async holdLoad(): Promise<void> {}

  liveLoadSql(): string {
    return "false";
  }

  eventSeqSql(order: string): string {
    return `(SELECT coalesce(max(seq), 0) FROM link_events) + row_number() OVER (ORDER BY ${order})`;
  }

  retryable(): boolean {
    return false;
  }

  async reconnect(): Promise<void> {
    throw new Error("DuckDB does not reconnect");
  }

  async close(): Promise<void> {
    for (const statement of this.#prepared.values()) statement.destroySync();
    this.#prepared.clear();
    this.#connection.closeSync();
    this.#instance.closeSync();
  }
}
