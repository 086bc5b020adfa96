import { afterEach, describe, expect, it } from "vitest";
import { DuckDBInstance } from "@duckdb/node-api";
import { openDuckDb, STORAGE_VERSION, writerMemoryLimit } from "./duckdb_engine.ts";
import type { SqlEngine } from "./engine.ts";
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

  // DuckDB holds an ART index whole in memory once a write has touched it: a fixed limit that fits
  // a small database made a load into a large one fail (7.6 M links at 512 MB).
  describe("a writer's memory limit", () => {
    const MiB = 1024 * 1024;
    // duckdb_settings() is read at each run (a prepared current_setting() keeps its first value).
    let reads = 0;
    const limit = async (engine: SqlEngine) => {
      const [row] = await engine.all(
        `SELECT value, ${++reads} AS n FROM duckdb_settings() WHERE name = 'memory_limit'`,
      );
      const [, n, unit] = /^([\d.]+) (KiB|MiB|GiB)$/.exec(String(row?.value))!;
      return Number(n) * { KiB: 1024, MiB, GiB: 1024 * MiB }[unit as "KiB" | "MiB" | "GiB"];
    };
    const indexed = async (engine: SqlEngine, from: number, rows: number) => {
      await engine.transaction(() =>
        engine.run(`INSERT INTO t SELECT md5(i::VARCHAR) FROM range(${from}, ${from + rows}) r(i)`),
      );
    };
    const indexBytes = async (engine: SqlEngine) =>
      Number(
        (
          await engine.all(
            `SELECT sum(memory_usage_bytes) AS b, ${++reads} AS n FROM duckdb_memory() WHERE tag = 'ART_INDEX'`,
          )
        )[0]?.b,
      );

    it("grows with its indexes, beyond them by what it keeps, from what the file holds when opened", async () => {
      const t = tempDb();
      cleanup = t.remove;
      const beyond = 24 * MiB;
      const engine = await openDuckDb(t.path, { memoryBeyondIndexes: beyond });
      try {
        expect(await limit(engine)).toBe(beyond);
        await engine.run("CREATE TABLE t (k VARCHAR)");
        await engine.run("CREATE INDEX t_k ON t (k)");
        // About 70 bytes a key: past 24 MiB by the third, which a fixed limit would refuse.
        for (let i = 0; i < 4; i++) {
          await indexed(engine, i * 200_000, 200_000);
          expect(await limit(engine)).toBe(
            writerMemoryLimit(await indexBytes(engine), beyond, Number.MAX_SAFE_INTEGER),
          );
        }
        expect(await indexBytes(engine)).toBeGreaterThan(beyond);
      } finally {
        await engine.close();
      }
      // Reopened: the index is read from the file as a write touches it, so the limit is set from its rows.
      const reopened = await openDuckDb(t.path, { memoryBeyondIndexes: beyond });
      try {
        expect(await limit(reopened)).toBeGreaterThan(beyond);
        await indexed(reopened, 800_000, 200_000);
      } finally {
        await reopened.close();
      }
    }, 60_000);

    it("stays as told with memoryLimit, and a reader's is the default", async () => {
      const t = tempDb();
      cleanup = t.remove;
      const engine = await openDuckDb(t.path, { memoryLimit: "100MiB" });
      try {
        await engine.run("CREATE TABLE t (k VARCHAR)");
        await engine.run("CREATE INDEX t_k ON t (k)");
        await indexed(engine, 0, 400_000);
        expect(await indexBytes(engine)).toBeGreaterThan(20 * MiB);
        expect(await limit(engine)).toBe(100 * MiB);
      } finally {
        await engine.close();
      }
      const reader = await openDuckDb(t.path, { readOnly: true });
      try {
        expect(await limit(reader)).toBeCloseTo(512e6, -6);
      } finally {
        await reader.close();
      }
    }, 60_000);

    it("counts the indexes in steps of 64 MiB, up to the cap", () => {
      expect(writerMemoryLimit(0, 512e6, 8e9)).toBe(512e6);
      expect(writerMemoryLimit(1, 512e6, 8e9)).toBe(512e6 + 64 * MiB);
      expect(writerMemoryLimit(300e6, 512e6, 8e9)).toBe(512e6 + 5 * 64 * MiB);
      expect(writerMemoryLimit(300e6, 512e6, 600e6)).toBe(600e6);
    });
  });
});
