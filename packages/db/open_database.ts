/** Opening an orcid-db database for a verb: the engine, the lock wait and the schema check in one step. */
import { type DuckDbOptions, openDuckDb } from "./duckdb_engine.ts";
import type { SqlEngine } from "./engine.ts";
import { MigrationNeededError, prepareSchema } from "./schema.ts";

/** Options for {@linkcode openDatabase}. */
export interface OpenDatabaseOptions extends Omit<DuckDbOptions, "readOnly"> {
  /** Open to load (creates the file and its schema); queries open read-only. Default false. */
  readonly write?: boolean;
}

/**
 * Opens the database at `path` for loading or querying, after checking it is ours and migrating an
 * older schema in place (a query reopens it for writing just for that).
 *
 * @example
 * ```ts
 * const engine = await openDatabase("orcid.duckdb", { waitLockSeconds: 30 });
 * ```
 */
export async function openDatabase(path: string, options: OpenDatabaseOptions = {}): Promise<SqlEngine> {
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
