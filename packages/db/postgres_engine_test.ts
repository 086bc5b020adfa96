import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalPostgres, startLocalPostgres } from "../../test/pg/server.ts";
import { QueryRefusedError } from "./engine.ts";
import { openPostgres, type PostgresEngine } from "./postgres_engine.ts";

describe("PostgresEngine", () => {
  let pg: LocalPostgres;
  let engine: PostgresEngine;
  beforeAll(async () => {
    pg = await startLocalPostgres();
    pg.admin(`CREATE SCHEMA t AUTHORIZATION ${pg.user}`, pg.database);
    engine = await openPostgres({ url: pg.url, schema: "t" });
  }, 60_000);
  afterAll(async () => {
    await engine?.close();
    await pg?.stop();
  });

  it("COPYs text, lists, JSON, numbers and nulls and reads them back unchanged", async () => {
    const nasty = ["tab\there", "line\nbreak\r\n", "back\\slash \\N", 'quote " and {brace,}', "ünïcødé ✓", "", "NULL"];
    await engine.run(
      `CREATE TEMP TABLE copied (s ${engine.typeOf("text")}, l ${engine.typeOf("text[]")}, j ${engine.typeOf("json")}, n ${engine.typeOf("int")})`,
    );
    const columns = [
      { name: "s", kind: "text" },
      { name: "l", kind: "text[]" },
      { name: "j", kind: "json" },
      { name: "n", kind: "int" },
    ] as const;
    const rows = nasty.map((s, i) => [s, [s, "x"], JSON.stringify({ s }), i * 1_000_000_007]);
    await engine.append("copied", columns, [...rows, [null, [], null, null]]);
    const back = await engine.all("SELECT s, l, j, n FROM copied ORDER BY n NULLS LAST");
    expect(back).toEqual([...rows.map(([s, l, j, n]) => ({ s, l, j, n })), { s: null, l: [], j: null, n: null }]);
  });

  it("streams a query a page at a time, and a reader that stops early leaves the connection usable", async () => {
    let count = 0;
    for await (const row of engine.stream("SELECT g AS n FROM generate_series(1, $1::int) g ORDER BY g", [4500])) {
      expect(row.n).toBe(++count);
    }
    expect(count).toBe(4500);
    for await (const row of engine.stream("SELECT g AS n FROM generate_series(1, 5000) g")) {
      if (row.n === 10) break;
    }
    expect(await engine.all("SELECT 1 AS one")).toEqual([{ one: 1 }]);
  });

  it("answers a user's query as JSON values, as DuckDB's are, a page at a time", async () => {
    const rows = [];
    for await (const row of engine.readOnlyQuery(
      `SELECT 9007199254740993::bigint AS big, 42::bigint AS small, 12345678901234567890::numeric AS wide, 1.5::numeric AS half,
         '2026-12-04 10:00:00'::timestamp AS naive, '2026-12-04 10:00:00+02'::timestamptz AS zoned, '\\x0102'::bytea AS blob,
         ARRAY['a', 'b'] AS list, '{"k": [1]}'::json AS doc;`,
    ))
      rows.push(row);
    expect(rows).toEqual([
      {
        big: "9007199254740993",
        small: 42,
        wide: "12345678901234567890",
        half: 1.5,
        naive: "2026-12-04T10:00:00.000Z",
        zoned: "2026-12-04T08:00:00.000Z",
        blob: "AQI=",
        list: ["a", "b"],
        doc: '{"k": [1]}',
      },
    ]);
    let count = 0;
    for await (const row of engine.readOnlyQuery("SELECT g AS n FROM generate_series(1, 4500) g ORDER BY g"))
      expect(row.n).toBe(++count);
    expect(count).toBe(4500);
  });

  it("refuses, before any row, what is not one statement that only reads; the connection stays usable", async () => {
    await engine.run("CREATE TABLE IF NOT EXISTS kept (n int); CREATE SEQUENCE IF NOT EXISTS kept_seq");
    for (const sql of [
      "INSERT INTO kept VALUES (1)",
      "SELECT 1; INSERT INTO kept VALUES (1)",
      "DROP TABLE kept",
      "WITH w AS (INSERT INTO kept VALUES (1) RETURNING n) SELECT n FROM w",
      "SELECT nextval('kept_seq')",
      "SELEC 1",
      "SET search_path TO public",
      "EXPLAIN ANALYZE INSERT INTO kept VALUES (1)",
    ]) {
      const rows: unknown[] = [];
      const error = await (async () => {
        for await (const row of engine.readOnlyQuery(sql)) rows.push(row);
      })().catch((e: unknown) => e);
      expect(error, sql).toBeInstanceOf(QueryRefusedError);
      expect(rows, sql).toEqual([]);
    }
    expect(await engine.all("SELECT count(*) AS n FROM kept")).toEqual([{ n: 0 }]);
    // The READ ONLY transaction stopped nextval: the sequence was never drawn from.
    expect(await engine.all("SELECT is_called FROM kept_seq")).toEqual([{ is_called: false }]);
    const plan = [];
    for await (const row of engine.readOnlyQuery("EXPLAIN SELECT n FROM kept")) plan.push(row);
    expect(Object.keys(plan[0]!)).toEqual(["QUERY PLAN"]);
  });

  it("calls a terminated connection retryable, and works again after reconnect", async () => {
    pg.admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'orcid-db'");
    const error = await engine.all("SELECT 1 AS one").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(engine.retryable(error)).toBe(true);
    expect(engine.retryable(Object.assign(new Error("syntax"), { code: "42601" }))).toBe(false);
    await engine.reconnect();
    expect(await engine.all("SELECT current_schema() AS s")).toEqual([{ s: "t" }]);
  });

  it("holds a named lock to the end of the transaction: a second writer waits for the commit, another schema does not", async () => {
    const other = await openPostgres({ url: pg.url, schema: "t" });
    const elsewhere = await openPostgres({ url: pg.url, schema: "u" });
    try {
      const order: string[] = [];
      let second: Promise<void> | undefined;
      await engine.transaction(async () => {
        await engine.lock("link_events");
        second = other.transaction(async () => {
          await other.lock("link_events");
          order.push("second has the lock");
        });
        await elsewhere.transaction(() => elsewhere.lock("link_events"));
        // The second writer is queued on the lock (seen by the server), not done.
        while (pg.admin("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted").trim() !== "1") {
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        order.push("first commits");
      });
      await second;
      expect(order).toEqual(["first commits", "second has the lock"]);
    } finally {
      await other.close();
      await elsewhere.close();
    }
  });
});
