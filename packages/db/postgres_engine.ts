/**
 * {@linkcode SqlEngine} on PostgreSQL through `pg` (node-postgres): one connection per process,
 * the tables in a schema of their own (`--schema`, default `orcid`), staging tables filled with
 * COPY (pg-copy-streams). Many loaders share one database: their locks are advisory locks keyed by
 * the schema, and a batch that loses its connection or a deadlock is retried by the loader.
 */
import { createHash } from "node:crypto";
import { rm } from "node:fs/promises";
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
import { registerSecret, trackTempFile, untrackTempFile } from "@orcid-sync/core";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { DatabaseOpenError, openDuckDb } from "./duckdb_engine.ts";
import { type JsonRow, QueryRefusedError, type Row, type SqlEngine, type SqlValue } from "./engine.ts";
import { jsonValue } from "./json_value.ts";
import type { ColumnDef, ColumnKind } from "./tables.ts";

/** The schema the tables live in unless told otherwise (`--schema`). */
export const DEFAULT_SCHEMA = "orcid";

/** Where to connect: a `postgres://` URL, or nothing (the PG* variables and ~/.pgpass). */
export interface PostgresOptions {
  /** `postgres://` or `postgresql://` URL; its password, if any, is never printed. */
  readonly url?: string;
  /** A database name (the PG* variables give the rest). */
  readonly database?: string;
  /** The schema holding orcid-db's tables. Default {@linkcode DEFAULT_SCHEMA}. */
  readonly schema?: string;
}

// Text compares byte-wise, as in DuckDB: the same sort orders, and a DOI prefix can use the index.
const TYPES: Record<ColumnKind, string> = { text: 'text COLLATE "C"', int: "bigint", json: "json", "text[]": "text[]" };

// Counts and put codes come back as numbers, JSON columns as their text (as from DuckDB).
const PARSERS: Record<number, (text: string) => unknown> = { 20: Number, 114: (t) => t, 3802: (t) => t };
const types = {
  getTypeParser: ((oid: number, format?: string) =>
    PARSERS[oid] ?? pg.types.getTypeParser(oid, format as "text")) as typeof pg.types.getTypeParser,
};

// A user's query (`orcid-db sql`): JSON values as DuckDB's are (see json_value.ts) — whole numbers
// beyond 2^53 as strings, times without a zone read as UTC.
const wholeOrNumber = (text: string) => (/^-?\d+$/.test(text) ? jsonValue(BigInt(text)) : Number(text));
const JSON_PARSERS: Record<number, (text: string) => unknown> = {
  ...PARSERS,
  20: wholeOrNumber,
  1700: wholeOrNumber,
  1114: (t) => new Date(`${t.replace(" ", "T")}Z`),
};
const jsonTypes = {
  getTypeParser: ((oid: number, format?: string) =>
    JSON_PARSERS[oid] ?? pg.types.getTypeParser(oid, format as "text")) as typeof pg.types.getTypeParser,
};

/** How a column of a query's result is staged in DuckDB for Parquet: by its PostgreSQL type. */
function columnKindOf(oid: number): ColumnKind {
  if (oid === 20 || oid === 21 || oid === 23) return "int";
  if (oid === 1009 || oid === 1015) return "text[]";
  return "text";
}

/**
 * A server's refusal of a user's query, in its words; anything else — a lost connection, the
 * server out of resources or failing (SQLSTATE classes 08, 53, 57, 58, XX) — as it is.
 */
function refusal(error: unknown): unknown {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== "string" || ["08", "53", "57", "58", "XX"].includes(code.slice(0, 2))) return error;
  return new QueryRefusedError((error as Error).message);
}

/** SQLSTATE classes and codes after which a batch is worth running again. */
const RETRYABLE_CODES = new Set(["40001", "40P01", "57P01", "57P02", "57P03", "53300"]);

/** A stable 32-bit key for advisory locks of `name` in `schema`. */
function lockKey(schema: string, name: string): number {
  return createHash("sha256").update(`orcid-db\u0000${schema}\u0000${name}`).digest().readInt32BE(0);
}

/** An identifier quoted for SQL. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A value in COPY's text format. */
function copyText(value: SqlValue | undefined, kind: ColumnKind): string {
  if (value === null || value === undefined) return "\\N";
  let text: string;
  if (kind === "text[]") {
    text = `{${(value as readonly string[]).map((v) => `"${v.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`).join(",")}}`;
  } else text = String(value);
  return text.replace(/[\\\t\n\r]/g, (c) => (c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r"));
}

/** Where we connect, for messages: never the password. */
function describeTarget(config: pg.ClientConfig, schema: string): string {
  const parsed = config.connectionString ? new URL(config.connectionString) : undefined;
  const user = parsed ? decodeURIComponent(parsed.username) : process.env.PGUSER;
  const host = parsed?.hostname || process.env.PGHOST || "localhost";
  const port = parsed?.port || process.env.PGPORT || "5432";
  const database =
    (parsed ? decodeURIComponent(parsed.pathname.slice(1)) : config.database) || process.env.PGDATABASE || user;
  return `postgres://${user ? `${user}@` : ""}${host}:${port}/${database ?? ""} (schema ${schema})`;
}

/** Why a connection or a first statement failed, in a sentence (the password never in it). */
export function describeConnectError(error: unknown, target: string): string {
  const e = error as { code?: string; message?: string };
  const reason = e.message ?? String(error);
  if (/client password must be a string/.test(reason)) {
    return `Cannot log in to ${target}: the server asks for a password and none was given (in the URL, PGPASSWORD or ~/.pgpass)`;
  }
  switch (e.code) {
    case "28P01":
    case "28000":
      return `Cannot log in to ${target}: ${reason} (the password comes from the URL, PGPASSWORD or ~/.pgpass)`;
    case "3D000":
      return `Cannot open ${target}: ${reason}`;
    case "42501":
      return `No privileges on ${target}: ${reason}`;
    case "ECONNREFUSED":
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `Cannot reach PostgreSQL at ${target}: ${reason}`;
    default:
      return `Cannot use ${target}: ${reason}`;
  }
}

/**
 * Connects to PostgreSQL and sets the search path to the schema (created by the writer's
 * migration, not here). Throws a {@linkcode DatabaseOpenError} with one clear message when the
 * login, the database or the privileges are wrong.
 *
 * @example
 * ```ts
 * const engine = await openPostgres({ url: "postgres://orcid@db.example.org/orcid" });
 * ```
 */
export async function openPostgres(options: PostgresOptions = {}): Promise<PostgresEngine> {
  const config: pg.ClientConfig = { application_name: "orcid-db", types };
  if (options.url) {
    config.connectionString = options.url;
    const password = (() => {
      try {
        return decodeURIComponent(new URL(options.url).password);
      } catch {
        return "";
      }
    })();
    registerSecret(password);
  } else if (options.database) config.database = options.database;
  registerSecret(process.env.PGPASSWORD);
  const schema = options.schema ?? DEFAULT_SCHEMA;
  const engine = new PostgresEngine(config, schema, describeTarget(config, schema));
  await engine.connect();
  return engine;
}

/** A PostgreSQL connection holding one orcid-db schema. */
export class PostgresEngine implements SqlEngine {
  readonly name = "postgres";
  // COPY takes rows built in JavaScript (text over the wire either way).
  readonly stagesJson = false;
  /** The database and schema, for messages (no password). */
  readonly label: string;
  readonly schema: string;
  readonly #config: pg.ClientConfig;
  #client: pg.Client | undefined;
  #inTransaction = false;
  readonly #statementNames = new Map<string, string>();
  /** The load this connection runs (held again after a reconnect). */
  #heldLoad: number | undefined;

  constructor(config: pg.ClientConfig, schema: string, label: string) {
    this.#config = config;
    this.schema = schema;
    this.label = label;
  }

  /** (Re)connects, with the search path on the schema. */
  async connect(): Promise<void> {
    await this.#client?.end().catch(() => {});
    const client = new pg.Client(this.#config);
    // A connection lost between statements is reported by the next one.
    client.on("error", () => {});
    try {
      await client.connect();
      await client.query(`SET search_path TO ${quoteIdent(this.schema)}`);
    } catch (error) {
      await client.end().catch(() => {});
      throw new DatabaseOpenError(describeConnectError(error, this.label));
    }
    this.#client = client;
    this.#inTransaction = false;
    this.#statementNames.clear();
    if (this.#heldLoad !== undefined) await this.holdLoad(this.#heldLoad);
  }

  get #db(): pg.Client {
    if (!this.#client) throw new Error("The PostgreSQL connection is closed");
    return this.#client;
  }

  typeOf(kind: ColumnKind): string {
    return TYPES[kind];
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<void> {
    await this.#db.query(sql, params.length ? (params as unknown[]) : undefined);
  }

  async all(sql: string, params: readonly SqlValue[] = []): Promise<Row[]> {
    // Queries run again and again (a DOI at a time) are prepared once per connection.
    let name = this.#statementNames.get(sql);
    if (!name) {
      name = `q${this.#statementNames.size + 1}`;
      this.#statementNames.set(sql, name);
    }
    const result = await this.#db.query({ name, text: sql, values: params as unknown[] });
    return result.rows as Row[];
  }

  async *stream(sql: string, params: readonly SqlValue[] = []): AsyncIterable<Row> {
    for await (const page of this.#pages(sql, params)) {
      for (const row of page.rows) yield row as Row;
    }
  }

  /** A query's rows a page at a time from a cursor: bounded memory whatever the table's size. */
  async *#pages(sql: string, params: readonly SqlValue[] = []): AsyncIterable<pg.QueryResult> {
    const own = !this.#inTransaction;
    if (own) await this.#db.query("BEGIN READ ONLY");
    let open = own;
    try {
      await this.#db.query(
        `DECLARE orcid_db_stream NO SCROLL CURSOR FOR ${sql}`,
        params.length ? (params as unknown[]) : undefined,
      );
      for (;;) {
        const page = await this.#db.query("FETCH 2000 FROM orcid_db_stream");
        yield page;
        if (page.rows.length < 2000) break;
      }
      await this.#db.query("CLOSE orcid_db_stream");
      if (own) await this.#db.query("COMMIT");
      open = false;
    } finally {
      // A failure, or a reader that stopped early: end the transaction that held the cursor.
      if (open && this.#client) await this.#client.query("ROLLBACK").catch(() => {});
    }
  }

  async *readOnlyQuery(sql: string): AsyncIterable<JsonRow> {
    await this.#db.query("BEGIN READ ONLY");
    let open = true;
    try {
      // The extended protocol takes one statement only, a cursor only a query, and the READ ONLY
      // transaction refuses any write the query would make (nextval, a data-modifying WITH…).
      // (`queryMode` is pg's, missing from its type declarations.)
      const statement = sql.trim().replace(/;\s*$/, "");
      const explain = /^explain\b/i.test(statement);
      const text = explain ? statement : `DECLARE orcid_db_sql NO SCROLL CURSOR FOR ${statement}`;
      let answer: pg.QueryResult;
      try {
        answer = await this.#db.query({ text, queryMode: "extended", types: jsonTypes } as pg.QueryConfig);
      } catch (error) {
        throw refusal(error);
      }
      // EXPLAIN cannot be a cursor's query: its plan is a few rows, answered whole.
      if (explain) for (const row of answer.rows) yield jsonValue(row) as JsonRow;
      for (let first = true; !explain; first = false) {
        let page: pg.QueryResult;
        try {
          page = await this.#db.query({ text: "FETCH 2000 FROM orcid_db_sql", types: jsonTypes });
        } catch (error) {
          // Before any row: the query could not run (a write refused, a bad cast); after: it failed.
          throw first ? refusal(error) : error;
        }
        for (const row of page.rows) yield jsonValue(row) as JsonRow;
        if (page.rows.length < 2000) break;
      }
      await this.#db.query("COMMIT");
      open = false;
    } finally {
      if (open && this.#client) await this.#client.query("ROLLBACK").catch(() => {});
    }
  }

  /**
   * DuckDB's postgres extension would be downloaded at run time: the rows stream from a cursor
   * into a DuckDB file beside `folder` (spilling to disk past its memory limit), whose `COPY`
   * writes the Parquet; the file is removed after.
   */
  async copyToParquet(select: string, folder: string, options: { readonly partitionBy?: string } = {}): Promise<void> {
    const staging = `${folder}.duckdb`;
    // Removed on a signal too (its spill folder, `.tmp`, is left like the export's temp folder).
    const files = [staging, `${staging}.wal`];
    files.forEach(trackTempFile);
    let duck: SqlEngine | undefined;
    try {
      duck = await openDuckDb(staging);
      const staged = duck;
      let columns: ColumnDef[] | undefined;
      for await (const page of this.#pages(select)) {
        if (!columns) {
          columns = page.fields.map((f) => ({ name: f.name, kind: columnKindOf(f.dataTypeID) }) as ColumnDef);
          await staged.run(
            `CREATE TEMP TABLE parquet_rows (${columns.map((c) => `${quoteIdent(c.name)} ${staged.typeOf(c.kind)}`).join(", ")})`,
          );
        }
        await staged.append(
          "parquet_rows",
          columns,
          page.rows.map((row) => columns!.map((c) => (row as Row)[c.name] ?? null)),
        );
      }
      const names = columns!.map((c) => quoteIdent(c.name)).join(", ");
      await staged.copyToParquet(`SELECT ${names} FROM parquet_rows ORDER BY rowid`, folder, options);
    } finally {
      await duck?.close();
      for (const file of [...files, `${staging}.tmp`]) await rm(file, { recursive: true, force: true });
      files.forEach(untrackTempFile);
    }
  }

  async append(table: string, columns: readonly ColumnDef[], rows: readonly (readonly SqlValue[])[]): Promise<void> {
    if (rows.length === 0) return;
    const kinds = columns.map((c) => c.kind);
    const lines = (function* () {
      let chunk = "";
      for (const row of rows) {
        chunk += `${kinds.map((kind, i) => copyText(row[i], kind)).join("\t")}\n`;
        if (chunk.length >= 1 << 16) {
          yield chunk;
          chunk = "";
        }
      }
      if (chunk) yield chunk;
    })();
    const names = columns.map((c) => quoteIdent(c.name)).join(", ");
    await pipeline(Readable.from(lines), this.#db.query(copyFrom(`COPY ${table} (${names}) FROM STDIN`)));
    // Temporary tables are never analysed automatically: the batch's set operations plan on these figures.
    await this.#db.query(`ANALYZE ${table}`);
  }

  async transaction<T>(work: () => Promise<T>): Promise<T> {
    await this.#db.query("BEGIN");
    this.#inTransaction = true;
    let result: T;
    try {
      result = await work();
    } catch (error) {
      this.#inTransaction = false;
      await this.#client?.query("ROLLBACK").catch(() => {});
      throw error;
    }
    this.#inTransaction = false;
    await this.#db.query("COMMIT");
    return result;
  }

  /** Holds `name`'s advisory lock until the transaction ends (the schema's writers queue on it). */
  async lock(name: string): Promise<void> {
    await this.#db.query("SELECT pg_advisory_xact_lock($1)", [lockKey(this.schema, name)]);
  }

  /** Holds `name`'s advisory lock for the session, until {@linkcode unlockSession}. */
  async lockSession(name: string): Promise<void> {
    await this.#db.query("SELECT pg_advisory_lock($1)", [lockKey(this.schema, name)]);
  }

  async unlockSession(name: string): Promise<void> {
    await this.#db.query("SELECT pg_advisory_unlock($1)", [lockKey(this.schema, name)]);
  }

  async holdLoad(id: number): Promise<void> {
    const key = lockKey(this.schema, "loads");
    // One load per process: a start retried under another id lets go of the first.
    if (this.#heldLoad !== undefined && this.#heldLoad !== id)
      await this.#db.query("SELECT pg_advisory_unlock($1, $2)", [key, this.#heldLoad]);
    this.#heldLoad = id;
    await this.#db.query("SELECT pg_advisory_lock($1, $2)", [key, id]);
  }

  liveLoadSql(idColumn: string): string {
    return `EXISTS (SELECT 1 FROM pg_locks k WHERE k.locktype = 'advisory' AND k.granted
      AND k.database = (SELECT oid FROM pg_database WHERE datname = current_database())
      AND k.classid::bigint = (${lockKey(this.schema, "loads")}::bigint & 4294967295) AND k.objid::bigint = ${idColumn} AND k.objsubid = 2)`;
  }

  eventSeqSql(): string {
    return `nextval('${this.schema.replaceAll("'", "''")}.link_events_seq')`;
  }

  retryable(error: unknown): boolean {
    const code = (error as { code?: string }).code ?? "";
    if (RETRYABLE_CODES.has(code) || code.startsWith("08")) return true;
    if (["ECONNRESET", "EPIPE", "ECONNREFUSED", "ETIMEDOUT"].includes(code)) return true;
    return /Connection terminated|connection.*(closed|ended)|Client has encountered a connection error|not queryable/i.test(
      (error as Error)?.message ?? "",
    );
  }

  async reconnect(): Promise<void> {
    await this.connect();
  }

  async close(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => {});
  }
}
