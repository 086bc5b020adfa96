import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalPostgres, startLocalPostgres } from "../../test/pg/server.ts";
import { openPostgres, type PostgresEngine } from "./postgres_engine.ts";

describe("PostgresEngine", () => {
  let pg: LocalPostgres;
  let engine: PostgresEngine;
  beforeAll(async () => {
    pg = await startLocalPostgres();
    pg.admin("CREATE SCHEMA t AUTHORIZATION " + pg.user, pg.database);
    engine = await openPostgres({ url: pg.url, schema: "t" });
  }, 60_000);
  afterAll(async () => {
    await engine?.close();
    await pg?.stop();
  });

  it("COPYs text, lists, JSON, numbers and nulls and reads them back unchanged", async () => {
    const nasty = ["tab\there", "line\nbreak\r\n", "back\\slash \\N", 'quote " and {brace,}', "ünïcødé ✓", "", "NULL"];
    await engine.run(`CREATE TEMP TABLE copied (s ${engine.typeOf("text")}, l ${engine.typeOf("text[]")}, j ${engine.typeOf("json")}, n ${engine.typeOf("int")})`);
    const columns = [{ name: "s", kind: "text" }, { name: "l", kind: "text[]" }, { name: "j", kind: "json" }, { name: "n", kind: "int" }] as const;
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
