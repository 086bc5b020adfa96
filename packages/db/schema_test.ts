import { afterEach, describe, expect, it } from "vitest";
import { openDuckDb } from "./duckdb_engine.ts";
import { openDatabase } from "./open_database.ts";
import { prepareSchema, SCHEMA_VERSION, SchemaError } from "./schema.ts";
import { tempDb } from "./testdata/helpers.ts";

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());
const db = () => {
  const t = tempDb();
  cleanup = t.remove;
  return t.path;
};

describe("prepareSchema()", () => {
  it("creates the schema in an empty database and stores its version", async () => {
    const path = db();
    const engine = await openDuckDb(path);
    try {
      expect(await prepareSchema(engine, { write: true })).toBe(0);
      expect(await prepareSchema(engine, { write: true })).toBe(SCHEMA_VERSION);
      expect(await engine.all("SELECT name, version FROM schema_info")).toEqual([
        { name: "orcid-db", version: SCHEMA_VERSION },
      ]);
    } finally {
      await engine.close();
    }
  });

  it("refuses a database with other tables", async () => {
    const path = db();
    const engine = await openDuckDb(path);
    await engine.run("CREATE TABLE t (x INTEGER)");
    await expect(prepareSchema(engine, { write: true, label: "x.duckdb" })).rejects.toThrow(
      /'x.duckdb' is not an orcid-db database/,
    );
    await engine.close();
  });

  it("refuses a database of a newer schema version", async () => {
    const path = db();
    await (await openDatabase(path, { write: true })).close();
    const engine = await openDuckDb(path);
    await engine.run("UPDATE schema_info SET version = $1", [SCHEMA_VERSION + 1]);
    await engine.close();
    await expect(openDatabase(path)).rejects.toThrow(SchemaError);
    await expect(openDatabase(path)).rejects.toThrow(/newer than this orcid-db's/);
  });

  it("refuses a query on a database that holds nothing yet", async () => {
    const path = db();
    await (await openDuckDb(path)).close();
    await expect(openDatabase(path)).rejects.toThrow(/holds no orcid-db data yet/);
  });
});
