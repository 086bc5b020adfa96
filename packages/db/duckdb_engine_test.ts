import { afterEach, describe, expect, it } from "vitest";
import { DuckDBInstance } from "@duckdb/node-api";
import { openDuckDb, STORAGE_VERSION } from "./duckdb_engine.ts";
import { tempDb } from "./testdata/helpers.ts";

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

describe("openDuckDb()", () => {
  it("sets DuckDB's worker threads when told", async () => {
    const t = tempDb();
    cleanup = t.remove;
    for (const threads of [1, 3]) {
      const engine = await openDuckDb(t.path, { threads });
      try {
        expect(await engine.all("SELECT current_setting('threads') AS threads")).toEqual([{ threads }]);
      } finally {
        await engine.close();
      }
    }
  });

  const storageVersion = async (engine: Awaited<ReturnType<typeof openDuckDb>>) => {
    const [row] = await engine.all(
      "SELECT tags['storage_version'] AS version FROM duckdb_databases() WHERE NOT internal AND database_name <> 'memory'",
    );
    return row?.version;
  };

  it(`writes a new file in DuckDB's ${STORAGE_VERSION} storage format; a file that exists keeps its own`, async () => {
    const t = tempDb();
    cleanup = t.remove;
    const created = await openDuckDb(t.path);
    try {
      expect(await storageVersion(created)).toBe(`${STORAGE_VERSION}+`);
    } finally {
      await created.close();
    }
    const older = `${t.dir}/older.duckdb`;
    const instance = await DuckDBInstance.create(older, { storage_compatibility_version: "v1.0.0" });
    instance.closeSync();
    const opened = await openDuckDb(older);
    try {
      await opened.run("CREATE TABLE t AS SELECT 1 AS n");
      expect(await storageVersion(opened)).toBe("v1.0.0+");
    } finally {
      await opened.close();
    }
  });
});
