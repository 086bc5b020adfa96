/** Creating, recognising and migrating the orcid-db schema. */
import type { SqlEngine } from "./engine.ts";
import { DATA_TABLES, LINK_EVENTS, LOADS, SCHEMA_INFO, type TableDef } from "./tables.ts";

/** The name stored in `schema_info`: what tells our database from any other. */
export const SCHEMA_NAME = "orcid-db";

/** The schema version this orcid-db writes. */
export const SCHEMA_VERSION = 1;

/**
 * Steps from version N to N+1, run in place in one transaction when a writer opens an older
 * database. Empty while there is only version 1.
 */
const MIGRATIONS: Readonly<Record<number, (engine: SqlEngine) => Promise<void>>> = {};

/** The file is not an orcid-db database, or one from a newer orcid-db. */
export class SchemaError extends Error {
  override name = "SchemaError";
}

/** A database with an older schema opened read-only: it needs a writer to migrate it. */
export class MigrationNeededError extends Error {
  override name = "MigrationNeededError";
}

const INDEXES = [
  // `orcid-db doi` looks links up by DOI; persons joins them by iD.
  "CREATE INDEX links_doi ON links (doi)",
  "CREATE INDEX persons_orcid ON persons (orcid)",
];

// PostgreSQL: loaders replace iDs table by table and many share the server, so every table is
// indexed by iD; DOIs (byte-wise, so also for a prefix) and event seq; seq comes from a sequence.
const POSTGRES_EXTRA = [
  "CREATE SEQUENCE link_events_seq",
  ...DATA_TABLES.filter((t) => t.name !== "persons").map((t) => `CREATE INDEX ${t.name}_orcid ON ${t.name} (orcid)`),
  "CREATE UNIQUE INDEX link_events_by_seq ON link_events (seq)",
  'CREATE INDEX link_events_at ON link_events ("at")',
];

/** `CREATE TABLE` for a table definition in an engine's types (names quoted: `at` is a keyword to DuckDB). */
export function createTableSql(
  engine: SqlEngine,
  table: TableDef,
  options: { readonly temp?: boolean; readonly name?: string } = {},
): string {
  const columns = table.columns.map((c) => `"${c.name}" ${engine.typeOf(c.kind)}`).join(", ");
  return `CREATE ${options.temp ? "TEMP " : ""}TABLE ${options.name ?? table.name} (${columns})`;
}

/** Options for {@linkcode prepareSchema}. */
export interface PrepareSchemaOptions {
  /** May create or migrate the schema. Default false. */
  readonly write?: boolean;
  /** Names the database in messages. */
  readonly label?: string;
}

/**
 * Checks that the open database is ours and of a version we read: creates the schema in an empty
 * database and migrates an older one in place (when `write`). Throws a {@linkcode SchemaError} for
 * a database that is not ours or is newer, a {@linkcode MigrationNeededError} for an older one
 * opened read-only. Returns the version found before any migration (0: created now).
 *
 * @example
 * ```ts
 * await prepareSchema(engine, { write: true, label: "orcid.duckdb" });
 * ```
 */
export async function prepareSchema(engine: SqlEngine, options: PrepareSchemaOptions = {}): Promise<number> {
  const label = options.label ?? "the database";
  const tables = new Set(
    (
      await engine.all(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
      )
    ).map((row) => String(row.table_name)),
  );
  if (tables.size === 0) {
    if (!options.write) throw new SchemaError(`Database '${label}' holds no orcid-db data yet: load it first`);
    await engine.transaction(async () => {
      for (const table of [SCHEMA_INFO, ...DATA_TABLES, LINK_EVENTS, LOADS])
        await engine.run(createTableSql(engine, table));
      for (const index of INDEXES) await engine.run(index);
      if (engine.name === "postgres") for (const statement of POSTGRES_EXTRA) await engine.run(statement);
      await engine.run("INSERT INTO schema_info VALUES ($1, $2, $3)", [
        SCHEMA_NAME,
        SCHEMA_VERSION,
        new Date().toISOString(),
      ]);
    });
    return 0;
  }
  if (!tables.has(SCHEMA_INFO.name))
    throw new SchemaError(`Database '${label}' is not an orcid-db database: it has other tables`);
  const rows = await engine.all("SELECT name, version FROM schema_info");
  const info = rows[0];
  if (rows.length !== 1 || info?.name !== SCHEMA_NAME || typeof info.version !== "number") {
    throw new SchemaError(`Database '${label}' is not an orcid-db database: its schema_info does not name orcid-db`);
  }
  const version = info.version;
  if (version > SCHEMA_VERSION) {
    throw new SchemaError(
      `Database '${label}' has schema version ${version}, newer than this orcid-db's ${SCHEMA_VERSION}: upgrade orcid-db`,
    );
  }
  if (version < SCHEMA_VERSION) {
    if (!options.write)
      throw new MigrationNeededError(`Database '${label}' has schema version ${version}: it must be migrated`);
    await engine.transaction(async () => {
      for (let from = version; from < SCHEMA_VERSION; from++) {
        const step = MIGRATIONS[from];
        if (!step)
          throw new SchemaError(`Database '${label}' has schema version ${from}, which this orcid-db cannot migrate`);
        await step(engine);
      }
      await engine.run("UPDATE schema_info SET version = $1", [SCHEMA_VERSION]);
    });
  }
  return version;
}
