/**
 * Opening an orcid-db schema on PostgreSQL: connect, then create or migrate the schema under an
 * advisory lock (several loaders start at once; one creates, the others wait and find it made).
 */
import { DatabaseOpenError } from "./duckdb_engine.ts";
import type { SqlEngine } from "./engine.ts";
import {
  describeConnectError,
  openPostgres,
  type PostgresEngine,
  type PostgresOptions,
  quoteIdent,
} from "./postgres_engine.ts";
import { MigrationNeededError, prepareSchema, SchemaError } from "./schema.ts";

const isServerError = (error: unknown) => typeof (error as { code?: unknown })?.code === "string";

async function migrate(engine: PostgresEngine): Promise<void> {
  await engine.lockSession("schema");
  try {
    // Checked first: CREATE SCHEMA IF NOT EXISTS needs the CREATE privilege even when it exists.
    const found = await engine.all("SELECT 1 AS found FROM pg_namespace WHERE nspname = $1", [engine.schema]);
    if (found.length === 0) await engine.run(`CREATE SCHEMA ${quoteIdent(engine.schema)}`);
    await prepareSchema(engine, { write: true, label: engine.label });
  } finally {
    await engine.unlockSession("schema").catch(() => {});
  }
}

/**
 * Connects and checks the schema: creates or migrates it when `write`, migrates an older one for a
 * query too (PostgreSQL has no read-only open to get out of). Login, database and privilege
 * problems become a {@linkcode DatabaseOpenError}; a schema that is not ours a `SchemaError`.
 */
export async function openPostgresDatabase(
  target: PostgresOptions,
  options: { readonly write?: boolean } = {},
): Promise<SqlEngine> {
  const engine = await openPostgres(target);
  try {
    if (options.write) await migrate(engine);
    else {
      try {
        await prepareSchema(engine, { label: engine.label });
      } catch (error) {
        if (!(error instanceof MigrationNeededError)) throw error;
        await migrate(engine);
      }
    }
    return engine;
  } catch (error) {
    await engine.close();
    if (error instanceof SchemaError || error instanceof DatabaseOpenError) throw error;
    if (isServerError(error)) throw new DatabaseOpenError(describeConnectError(error, engine.label));
    throw error;
  }
}
