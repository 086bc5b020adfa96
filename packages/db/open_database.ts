/** Opening an orcid-db database for a verb: the engine, the lock wait and the schema check in one step. */
import { type DuckDbOptions, DatabaseOpenError, openDuckDb } from "./duckdb_engine.ts";
import type { SqlEngine } from "./engine.ts";
import type { PostgresOptions } from "./postgres_engine.ts";
import { MigrationNeededError, prepareSchema } from "./schema.ts";

/** Options for {@linkcode openDatabase}. */
export interface OpenDatabaseOptions extends Omit<DuckDbOptions, "readOnly"> {
  /** Open to load (creates the file and its schema); queries open read-only. Default false. */
  readonly write?: boolean;
  /** `postgres`: `path` names a database reached through the PG* variables. Default: DuckDB unless `path` is a URL. */
  readonly engine?: "duckdb" | "postgres";
  /** PostgreSQL: the schema holding the tables. Default `orcid`. */
  readonly schema?: string;
}

/**
 * Where `path` points on PostgreSQL, or undefined for a DuckDB file: a `postgres://` or
 * `postgresql://` URL, `env:NAME` (the URL in environment variable NAME, so that a password is
 * never on a command line), or, with `engine: "postgres"`, a database name (`-`: PGDATABASE).
 */
export function postgresTarget(
  path: string,
  options: Pick<OpenDatabaseOptions, "engine" | "schema"> = {},
): PostgresOptions | undefined {
  const env = /^env:(.+)$/.exec(path);
  if (env) {
    const url = process.env[env[1]!];
    if (!url)
      throw new DatabaseOpenError(`Environment variable ${env[1]} (named by '${path}') holds no PostgreSQL URL`);
    if (!/^postgres(ql)?:\/\//i.test(url))
      throw new DatabaseOpenError(`Environment variable ${env[1]} does not hold a postgres:// URL`);
    return { url, schema: options.schema };
  }
  if (/^postgres(ql)?:\/\//i.test(path)) return { url: path, schema: options.schema };
  if (options.engine === "postgres") return { database: path === "-" ? undefined : path, schema: options.schema };
  return undefined;
}

/**
 * Opens the database at `path` for loading or querying, after checking it is ours and migrating an
 * older schema in place (a query reopens it for writing just for that). `path` is a DuckDB file or
 * a PostgreSQL database (see {@linkcode postgresTarget}).
 *
 * @example
 * ```ts
 * const engine = await openDatabase("orcid.duckdb", { waitLockSeconds: 30 });
 * ```
 */
export async function openDatabase(path: string, options: OpenDatabaseOptions = {}): Promise<SqlEngine> {
  const target = postgresTarget(path, options);
  if (target) return (await import("./postgres_database.ts")).openPostgresDatabase(target, { write: options.write });
  const engine = await openDuckDb(path, { ...options, readOnly: !options.write });
  try {
    await prepareSchema(engine, { write: options.write, label: path });
    return engine;
  } catch (error) {
    await engine.close();
    if (!(error instanceof MigrationNeededError)) throw error;
  }
  const writer = await openDuckDb(path, { ...options, readOnly: false });
  try {
    await prepareSchema(writer, { write: true, label: path });
  } finally {
    await writer.close();
  }
  return openDatabase(path, { ...options, write: false });
}
