/**
 * orcid-db on PostgreSQL end to end: the real binary against a throwaway PostgreSQL server — the
 * same answers as DuckDB for every verb, many loaders on a split mirror, a connection killed mid-load,
 * and the login, database and privilege errors (the password never printed).
 */
import { spawn } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { folderInShard, last3 } from "@orcid-sync/core";
import {
  DATA_TABLES,
  EXPORT_TABLES,
  LINK_EVENTS,
  LOADS,
  openDatabase,
  openDuckDb,
  prefixCondition,
  type SqlEngine,
  tableRecords,
} from "@orcid-sync/db";
import { changedIdsOnDay, type ExtractDayOptions, extractRecordsOfDay, toNdjson } from "../generator/orcid_records.ts";
import { type LocalPostgres, startLocalPostgres } from "../pg/server.ts";
import { BIN_DIR, ROOT, type RunResult, runBin, scratch } from "./helpers.ts";

let pg: LocalPostgres;
const dirs: { remove: () => void }[] = [];
beforeAll(async () => {
  // No server, no test: a failure, never a skip.
  pg = await startLocalPostgres();
}, 60_000);
afterAll(async () => {
  for (const d of dirs) d.remove();
  await pg?.stop();
});
function workdir(): string {
  const dir = scratch("orcid-db-pg-");
  dirs.push(dir);
  return dir.dir;
}

const DAY: ExtractDayOptions = { ids: 400, seed: 23, changeRate: 0.3, doiPool: 300 };
const lines = (text: string) => text.split("\n").filter(Boolean);
/** The URL in an environment variable: the password never on a command line. */
const pgEnv = () => ({ ORCID_TEST_DB: pg.url });
const db = (args: string[], options: { stdin?: string; env?: Record<string, string> } = {}) =>
  runBin("orcid-db", args, { stdin: options.stdin, env: { ...pgEnv(), ...options.env } });

async function withDb<T>(
  path: string,
  options: { schema?: string },
  work: (engine: SqlEngine) => Promise<T>,
): Promise<T> {
  process.env.ORCID_TEST_DB = pg.url;
  const engine = await openDatabase(path, options);
  try {
    return await work(engine);
  } finally {
    await engine.close();
  }
}

/** Every data table's rows as sorted JSON lines. */
const dumpData = (path: string, schema?: string) =>
  withDb(path, { schema }, async (engine) => {
    const out: Record<string, string[]> = {};
    for (const table of DATA_TABLES)
      out[table.name] = (await engine.all(`SELECT * FROM ${table.name}`)).map((r) => JSON.stringify(r)).sort();
    return out;
  });

/** A verb's NDJSON output, sorted, with `at` checked to be ISO UTC and left out (each engine's load ran at its own time). */
function answers(result: RunResult): string[] {
  expect(result.code, result.stderr).toBe(0);
  return lines(result.stdout)
    .map((line) => {
      const record = JSON.parse(line) as Record<string, unknown>;
      if ("at" in record) {
        expect(record.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
        delete record.at;
      }
      return JSON.stringify(record);
    })
    .sort();
}

/**
 * Exports every table of the schema as Parquet and as NDJSON from PostgreSQL, and of `duck` as
 * Parquet: the partitions equal DuckDB's, no temp file is left, and the Parquet read back with
 * read_parquet gives PostgreSQL's NDJSON records (`filled` tables must hold rows).
 */
async function parquetEqualsDuckDb(
  dir: string,
  duck: string,
  schema: string,
  filled: readonly string[],
): Promise<void> {
  const [duckParquet, pgParquet, pgNdjson] = [
    join(dir, "duck-parquet"),
    join(dir, "pg-parquet"),
    join(dir, "pg-ndjson"),
  ];
  for (const [target, out, format] of [
    [duck, duckParquet, "parquet"],
    ["env:ORCID_TEST_DB", pgParquet, "parquet"],
    ["env:ORCID_TEST_DB", pgNdjson, "ndjson"],
  ]) {
    const result = await db(["export", target!, "all", "--format", format!, "-o", out!, "--schema", schema]);
    expect([result.code, result.stdout], result.stderr).toEqual([0, ""]);
  }
  for (const table of EXPORT_TABLES)
    expect(readdirSync(join(pgParquet, table)).sort(), table).toEqual(readdirSync(join(duckParquet, table)).sort());
  expect(readdirSync(dir).filter((f) => f.includes("orcid-sync-tmp"))).toEqual([]);
  expect(readdirSync(pgParquet).filter((f) => f.includes("orcid-sync-tmp"))).toEqual([]);
  const fromParquet = await openDuckDb(join(dir, "from-parquet.duckdb"));
  try {
    for (const table of [...DATA_TABLES, LINK_EVENTS, LOADS]) {
      const columns = table.columns.map((c) => `"${c.name}"`).join(", ");
      await fromParquet.run(
        `CREATE VIEW ${table.name} AS SELECT ${columns} FROM read_parquet('${join(pgParquet, table.name)}/**/*.parquet', hive_partitioning = true)`,
      );
    }
    for (const table of EXPORT_TABLES) {
      const back: unknown[] = [];
      for await (const record of tableRecords(fromParquet, table)) back.push(JSON.parse(JSON.stringify(record)));
      const want = lines(readFileSync(join(pgNdjson, `${table}.ndjson`), "utf8")).map((l) => JSON.parse(l));
      if (filled.includes(table)) expect(want.length, table).toBeGreaterThan(0);
      expect(back, table).toEqual(want);
    }
  } finally {
    await fromParquet.close();
  }
}

describe("orcid-db on PostgreSQL", () => {
  test("the same answers as DuckDB for every verb, after day 1 and day 2's changes", async () => {
    const dir = workdir();
    const duck = join(dir, "orcid.duckdb");
    const day1 = join(dir, "day1.ndjson");
    const day2 = join(dir, "day2.ndjson");
    writeFileSync(day1, toNdjson(extractRecordsOfDay({ ...DAY, day: 1, links: true })));
    writeFileSync(
      day2,
      toNdjson(extractRecordsOfDay({ ...DAY, day: 2, links: true }, new Set(changedIdsOnDay({ ...DAY, day: 2 })))),
    );
    for (const target of [duck, "env:ORCID_TEST_DB"]) {
      for (const file of [day1, day2]) {
        const load = await db(["load", target, file, "--batch", "300", "--schema", "same_answers"]);
        expect(load.code, load.stderr).toBe(0);
        expect(load.stderr).toMatch(/load \d complete/);
      }
    }
    const both = async (args: string[]) => {
      const [a, b] = [
        await db([args[0]!, duck, ...args.slice(1)]),
        await db([args[0]!, "env:ORCID_TEST_DB", ...args.slice(1), "--schema", "same_answers"]),
      ];
      const [x, y] = [answers(a), answers(b)];
      expect(y, args.join(" ")).toEqual(x);
      return x;
    };
    const exported = await both(["export", "links"]);
    expect(exported.length).toBeGreaterThan(500);
    // The export's own order too: sorted by (doi, orcid, putCode), byte-wise.
    const pgExport = lines((await db(["export", "env:ORCID_TEST_DB", "links", "--schema", "same_answers"])).stdout).map(
      (l) => JSON.parse(l),
    );
    const keys = pgExport.map((l) => [l.doi, l.orcid, String(l.putCode).padStart(12, "0")].join(" "));
    expect(keys).toEqual([...keys].sort((p, q) => (p < q ? -1 : p > q ? 1 : 0)));

    const links = exported.map((l) => JSON.parse(l) as { doi: string; orcid: string });
    const dois = [...new Set(links.map((l) => l.doi))].slice(0, 40);
    expect(
      (await both(["doi", ...dois.map((d) => `https://doi.org/${d.toUpperCase()}`)])).length,
    ).toBeGreaterThanOrEqual(40);
    const ids = [...new Set(links.map((l) => l.orcid))].slice(0, 30);
    expect((await both(["orcid", ...ids])).length).toBeGreaterThan(30);
    const changes = await both(["changes", "--after", "0"]);
    expect(changes.length).toBeGreaterThan(10);
    expect(await both(["changes", "--since", "1h"])).toEqual(changes);
    expect(await both(["changes", "--after", "5"])).toHaveLength(changes.length - 5);
    for (const format of ["csv", "table"]) {
      const [a, b] = [
        await db(["doi", duck, dois[0]!, "--format", format]),
        await db(["doi", "env:ORCID_TEST_DB", dois[0]!, "--format", format, "--schema", "same_answers"]),
      ];
      expect(b.stdout).toEqual(a.stdout);
    }
    expect(await dumpData("env:ORCID_TEST_DB", "same_answers")).toEqual(await dumpData(duck));

    // prefix: every current link under a prefix, in any form given, and the changes under it.
    const prefixes = [...new Set(links.map((l) => l.doi.split("/")[0]!))].slice(0, 3);
    const underPrefix = await both(["prefix", `https://doi.org/${prefixes[0]}/`, `doi:${prefixes[1]}`, prefixes[2]!]);
    expect(underPrefix).toHaveLength(links.filter((l) => prefixes.includes(l.doi.split("/")[0]!)).length);
    expect(underPrefix.length).toBeGreaterThan(0);
    expect((await both(["prefix", prefixes[0]!, "--after", "0"])).length).toBeGreaterThan(0);
    expect(await both(["prefix", "10.1"])).toEqual([]);
    // The prefix's range of DOIs is served by the index on links (doi) (its byte-wise order is
    // what makes the range exact: the answers above equal DuckDB's).
    const plan = await withDb("env:ORCID_TEST_DB", { schema: "same_answers" }, async (engine) => {
      await engine.run("SET enable_seqscan = off");
      const [under, params] = prefixCondition("l.doi", [prefixes[0]!], 1);
      return (await engine.all(`EXPLAIN SELECT l.doi FROM links l WHERE ${under}`, params))
        .map((r) => r["QUERY PLAN"])
        .join("\n");
    });
    expect(plan).toMatch(/Index (Only )?Scan (using|on) links_doi/);

    // stats --json: every figure; the last load's end is each engine's own time.
    const stats = async (target: string, ...more: string[]) => {
      const result = await db(["stats", target, "--json", ...more]);
      expect(result.code, result.stderr).toBe(0);
      const record = JSON.parse(result.stdout) as { lastLoad: { ended: string | null }; links: number };
      expect(record.lastLoad.ended).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
      record.lastLoad.ended = null;
      return record;
    };
    const duckStats = await stats(duck);
    expect(duckStats.links).toBe(exported.length);
    expect(await stats("env:ORCID_TEST_DB", "--schema", "same_answers")).toEqual(duckStats);

    // sql: plain rows with the same values (counts, a sum beyond a 32-bit int, a whole number beyond 2^53).
    for (const query of [
      "SELECT class, relationship, count(*) AS n, sum(put_code) AS codes FROM links GROUP BY class, relationship ORDER BY class, relationship",
      "SELECT doi, orcid, put_code, source_name FROM links ORDER BY doi, orcid, put_code LIMIT 50",
      "SELECT 9007199254740993 AS big, 'x' AS text;",
    ]) {
      const rows = await both(["sql", query]);
      expect(rows.length, query).toBeGreaterThan(0);
      expect(
        rows.every((r) => !("type" in JSON.parse(r))),
        query,
      ).toBe(true);
    }
    expect(await both(["sql", "SELECT 9007199254740993 AS big"])).toEqual(['{"big":"9007199254740993"}']);
    const explained = await db([
      "sql",
      "env:ORCID_TEST_DB",
      "EXPLAIN SELECT orcid FROM links WHERE doi = '10.1/x'",
      "--schema",
      "same_answers",
    ]);
    expect(explained.code, explained.stderr).toBe(0);
    expect(explained.stdout).toMatch(/QUERY PLAN/);
    // Refused before any row, exit 2, nothing changed: a write, two statements, DDL, and on
    // PostgreSQL what only its READ ONLY transaction stops (a sequence, a data-modifying WITH).
    for (const [query, engines] of [
      ["DELETE FROM links", [duck, "env:ORCID_TEST_DB"]],
      ["SELECT 1; DELETE FROM links", [duck, "env:ORCID_TEST_DB"]],
      ["CREATE TABLE stolen AS SELECT * FROM persons", [duck, "env:ORCID_TEST_DB"]],
      ["SELECT nextval('link_events_seq')", ["env:ORCID_TEST_DB"]],
      ["WITH gone_links AS (DELETE FROM links RETURNING doi) SELECT count(*) FROM gone_links", ["env:ORCID_TEST_DB"]],
      ["EXPLAIN ANALYZE DELETE FROM links", ["env:ORCID_TEST_DB"]],
    ] as const) {
      for (const target of engines) {
        const refused = await db(["sql", target, query, "--schema", "same_answers"]);
        expect([refused.code, refused.stdout], `${target}: ${query}`).toEqual([2, ""]);
        expect(refused.stderr, query).toMatch(/Cannot run the query: /);
      }
    }
    expect(Number(pg.admin("SELECT count(*) FROM same_answers.links", pg.database))).toBe(exported.length);
    expect(pg.admin("SELECT count(*) FROM pg_tables WHERE tablename = 'stolen'", pg.database).trim()).toBe("0");

    // export: every table as NDJSON records and the links as CSV; loads' times are each engine's own.
    // (link records were loaded: works and work_ids stay empty, and equal.)
    const filled: string[] = [];
    for (const table of EXPORT_TABLES.filter((t) => t !== "loads")) {
      if ((await both(["export", table])).length > 0) filled.push(table);
    }
    expect(filled).toEqual(expect.arrayContaining(["persons", "links", "link_events"]));
    const loads = async (target: string, ...more: string[]) =>
      lines((await db(["export", target, "loads", ...more])).stdout).map((l) => {
        const { started: _s, ended: _e, ...rest } = JSON.parse(l) as Record<string, unknown>;
        return rest;
      });
    expect(await loads("env:ORCID_TEST_DB", "--schema", "same_answers")).toEqual(await loads(duck));
    const [duckCsv, pgCsv] = [
      await db(["export", duck, "links", "--format", "csv"]),
      await db(["export", "env:ORCID_TEST_DB", "links", "--format", "csv", "--schema", "same_answers"]),
    ];
    expect(pgCsv.code, pgCsv.stderr).toBe(0);
    expect(pgCsv.stdout).toEqual(duckCsv.stdout);

    // Parquet from PostgreSQL (through an in-process DuckDB): the same partitions as DuckDB's, and
    // read back with read_parquet the same records as PostgreSQL's NDJSON export.
    await parquetEqualsDuckDb(dir, duck, "same_answers", ["persons", "links", "link_events"]);

    // Work records (orcid-extract's default output), so works and work_ids hold rows too.
    const works = join(dir, "works.ndjson");
    const worksDuck = join(dir, "works.duckdb");
    writeFileSync(works, toNdjson(extractRecordsOfDay({ ...DAY, ids: 150, day: 1 })));
    for (const target of [worksDuck, "env:ORCID_TEST_DB"]) {
      const load = await db(["load", target, works, "--schema", "same_works"]);
      expect(load.code, load.stderr).toBe(0);
    }
    for (const table of ["works", "work_ids", "links"]) {
      const [a, b] = [
        await db(["export", worksDuck, table]),
        await db(["export", "env:ORCID_TEST_DB", table, "--schema", "same_works"]),
      ];
      expect(answers(b), table).toEqual(answers(a));
      expect(answers(a).length, table).toBeGreaterThan(0);
    }
    await parquetEqualsDuckDb(join(dir, "works-export"), worksDuck, "same_works", ["works", "work_ids", "links"]);

    // load's own output and status: records passed on (a checkpoint), error records, exit 1.
    const fixture = readFileSync(join(ROOT, "packages", "db", "testdata", "day1.ndjson"), "utf8");
    const bad = fixture.replace(
      '"orcid":"0000-0001-5109-3700","givenNames"',
      '"orcid":"0000-0001-5109-3701","givenNames"',
    );
    const [duckLoad, pgLoad] = [
      await db(["load", join(dir, "bad.duckdb")], { stdin: bad }),
      await db(["load", "env:ORCID_TEST_DB", "--schema", "same_bad"], { stdin: bad }),
    ];
    expect(duckLoad.code).toBe(1);
    expect(pgLoad.code).toBe(1);
    expect(lines(pgLoad.stdout).sort()).toEqual(lines(duckLoad.stdout).sort());
    expect(
      lines(pgLoad.stdout)
        .map((l) => JSON.parse(l).type)
        .sort(),
    ).toEqual(["checkpoint", "error", "error", "error"]);
    const messages = (text: string) => text.replace(/load \d+/, "load N").replace(/ in [\d.]+ s/, "");
    expect(messages(pgLoad.stderr)).toEqual(messages(duckLoad.stderr));
    // Stored in the server, in the schema named.
    expect(Number(pg.admin("SELECT count(*) FROM same_answers.links", pg.database))).toBe(exported.length);
  }, 240_000);

  test("4 loaders on a 4-way split of the mirror, at once, equal 1 loader on the whole; seq stays unique and increasing", async () => {
    const dir = workdir();
    const days = { ...DAY, ids: 800 };
    const write = (name: string, records: Iterable<Record<string, unknown>>) => {
      const path = join(dir, name);
      writeFileSync(path, toNdjson(records));
      return path;
    };
    const changed = new Set(changedIdsOnDay({ ...days, day: 2 }));
    const inputs = [1, 2].map((day) => [...extractRecordsOfDay({ ...days, day }, day === 2 ? changed : undefined)]);
    const whole = inputs.map((records, i) => write(`whole-${i + 1}.ndjson`, records));
    // orcid-list --shard K/4's split: by each iD's <last3> folder.
    const shards = inputs.map((records, i) =>
      [1, 2, 3, 4].map((k) =>
        write(
          `day${i + 1}-shard${k}.ndjson`,
          records.filter((r) => folderInShard(last3(String(r.orcid)), { index: k, count: 4 })),
        ),
      ),
    );
    for (const day of shards)
      for (const file of day) expect(lines(readFileSync(file, "utf8")).length).toBeGreaterThan(100);

    for (const file of whole)
      expect((await db(["load", "env:ORCID_TEST_DB", file, "--schema", "one_loader", "--batch", "250"])).code).toBe(0);
    // A feed reader polling --after its last seq while day 2's loaders run: it must miss nothing.
    const polled: string[] = [];
    const poll = async () => {
      const last = polled.length ? Number(JSON.parse(polled.at(-1)!).seq) : 0;
      const r = await db(["changes", "env:ORCID_TEST_DB", "--after", String(last), "--schema", "four_loaders"]);
      expect(r.code, r.stderr).toBe(0);
      polled.push(...lines(r.stdout));
    };
    for (const [i, day] of shards.entries()) {
      // Started together, into a schema none of them has created yet (day 1).
      let running = true;
      const loads = Promise.all(
        day.map((file) => db(["load", "env:ORCID_TEST_DB", file, "--schema", "four_loaders", "--batch", "100"])),
      );
      void loads.finally(() => (running = false));
      while (i === 1 && running) await poll();
      const results = await loads;
      for (const r of results) expect([r.code, r.stderr]).toEqual([0, expect.stringMatching(/load \d+ complete/)]);
    }
    await poll();
    expect(await dumpData("env:ORCID_TEST_DB", "four_loaders")).toEqual(
      await dumpData("env:ORCID_TEST_DB", "one_loader"),
    );

    const feed = async (schema: string) =>
      (await db(["changes", "env:ORCID_TEST_DB", "--after", "0", "--schema", schema])).stdout;
    const event = (line: string) => {
      const { seq: _seq, at: _at, ...rest } = JSON.parse(line) as Record<string, unknown>;
      return JSON.stringify(rest);
    };
    const one = lines(await feed("one_loader"));
    const four = lines(await feed("four_loaders"));
    expect(one.length).toBeGreaterThan(20);
    expect(four.map(event).sort()).toEqual(one.map(event).sort());
    expect(polled).toEqual(four);
    const seqs = four.map((l) => Number(JSON.parse(l).seq));
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    await withDb("env:ORCID_TEST_DB", { schema: "four_loaders" }, async (e) => {
      expect(await e.all("SELECT status, count(*) AS n FROM loads GROUP BY status")).toEqual([
        { status: "complete", n: 8 },
      ]);
      // Day 2's four loads wrote the events (day 1 built the database: no news).
      const rows = await e.all("SELECT DISTINCT load_id FROM link_events ORDER BY load_id");
      expect(rows.map((r) => r.load_id)).toEqual([5, 6, 7, 8]);
    });
  }, 300_000);

  /** Terminates the loaders' server connections (`count` times, or until `until` settles), a pause between. */
  async function killLoaders(
    schemaRun: Promise<RunResult>,
    options: { count?: number; pauseMs: number },
  ): Promise<number> {
    let done = false;
    void schemaRun.finally(() => (done = true));
    let killed = 0;
    while (!done && (options.count === undefined || killed < options.count)) {
      await new Promise((resolve) => setTimeout(resolve, options.pauseMs));
      const out = pg.admin(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'orcid-db' AND pid <> pg_backend_pid()",
      );
      killed += Number(out.trim());
    }
    return killed;
  }

  /** Waits until the load into `schema` has committed `n` batches (the kills then hit batches, not the start). */
  async function batchesCommitted(schema: string, n: number): Promise<void> {
    for (;;) {
      try {
        if (Number(pg.admin(`SELECT coalesce(max(batches), 0) FROM ${schema}.loads`, pg.database).trim()) >= n) return;
      } catch {
        // the schema is not made yet
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  test("a connection killed mid-load: the batch is retried and the load ends equal to an uninterrupted one", async () => {
    const file = join(workdir(), "day1.ndjson");
    writeFileSync(file, toNdjson(extractRecordsOfDay({ ...DAY, ids: 1500, day: 1 })));
    expect((await db(["load", "env:ORCID_TEST_DB", file, "--schema", "clean"])).code).toBe(0);
    const run = db(["load", "env:ORCID_TEST_DB", file, "--schema", "killed", "--batch", "40"]);
    await batchesCommitted("killed", 1);
    const killed = await killLoaders(run, { count: 3, pauseMs: 400 });
    const result = await run;
    expect(killed).toBeGreaterThan(0);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/attempt 1 .*failed .*terminat.*; retrying/);
    expect(await dumpData("env:ORCID_TEST_DB", "killed")).toEqual(await dumpData("env:ORCID_TEST_DB", "clean"));
    await withDb("env:ORCID_TEST_DB", { schema: "killed" }, async (e) => {
      expect(await e.all("SELECT status FROM loads")).toEqual([{ status: "complete" }]);
    });
  }, 240_000);

  test("a batch that fails on every attempt: exit 3, whole iDs only, and the next run completes the load", async () => {
    const file = join(workdir(), "day1.ndjson");
    writeFileSync(file, toNdjson(extractRecordsOfDay({ ...DAY, ids: 1500, day: 1 })));
    expect((await db(["load", "env:ORCID_TEST_DB", file, "--schema", "clean2"])).code).toBe(0);
    const clean = await dumpData("env:ORCID_TEST_DB", "clean2");
    const run = db(["load", "env:ORCID_TEST_DB", file, "--schema", "failed", "--batch", "50"]);
    // Let a few batches commit, then kill every connection until the loader gives up.
    await batchesCommitted("failed", 3);
    await killLoaders(run, { pauseMs: 20 });
    const result = await run;
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/failed 5 times, last: .*run the load again to complete it/);
    // Every iD stored holds exactly what the uninterrupted load gave it: none half replaced.
    const partial = await dumpData("env:ORCID_TEST_DB", "failed");
    for (const table of DATA_TABLES) {
      const all = new Set(clean[table.name]);
      for (const row of partial[table.name]!) expect(all.has(row), `${table.name} ${row}`).toBe(true);
    }
    const stored = new Set(partial.persons!.map((r) => JSON.parse(r).orcid));
    for (const table of DATA_TABLES) {
      const expected = clean[table.name]!.filter((r) => stored.has(JSON.parse(r).orcid));
      expect(partial[table.name], table.name).toEqual(expected);
    }
    expect(partial.persons!.length).toBeLessThan(clean.persons!.length);
    const rerun = await db(["load", "env:ORCID_TEST_DB", file, "--schema", "failed"]);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(await dumpData("env:ORCID_TEST_DB", "failed")).toEqual(clean);
    await withDb("env:ORCID_TEST_DB", { schema: "failed" }, async (e) => {
      expect(await e.all("SELECT id, status FROM loads ORDER BY id")).toEqual([
        { id: 1, status: "interrupted" },
        { id: 2, status: "complete" },
      ]);
    });
  }, 240_000);

  test("wrong password, unknown database, no privileges: exit 3, one clear message, never the password", async () => {
    const secret = pg.password;
    const wrong = pg.url.replace(encodeURIComponent(secret), "not-the-password-42");
    const noDb = pg.url.replace(`/${pg.database}`, "/no_such_db");
    pg.admin(`CREATE ROLE reader_only LOGIN PASSWORD '${secret}x'`);
    const noPriv = pg.url
      .replace(`${pg.user}:`, "reader_only:")
      .replace(encodeURIComponent(secret), encodeURIComponent(`${secret}x`));
    const cases: [Record<string, string>, string[], RegExp][] = [
      [
        { DB_URL: wrong },
        ["load", "env:DB_URL"],
        /Cannot log in to postgres:\/\/orcid_loader@127\.0\.0\.1:\d+\/orcid_test \(schema orcid\): password authentication failed/,
      ],
      [
        { DB_URL: noDb },
        ["doi", "env:DB_URL", "10.1/x"],
        /Cannot (open|log in to) postgres:\/\/.*\/no_such_db .*database "no_such_db" does not exist/,
      ],
      [
        { DB_URL: noPriv },
        ["load", "env:DB_URL", "--schema", "not_mine"],
        /No privileges on .*permission denied for database orcid_test/,
      ],
      [
        { PGPASSWORD: "not-the-password-42", PGHOST: pg.host, PGPORT: String(pg.port), PGUSER: pg.user },
        ["load", pg.database, "--engine", "postgres"],
        /Cannot log in to .*password authentication failed/,
      ],
      [
        { DB_URL: "mysql://x" },
        ["load", "env:DB_URL"],
        /Environment variable DB_URL does not hold a postgres:\/\/ URL/,
      ],
    ];
    for (const [env, args, message] of cases) {
      const result = await db(args, { env, stdin: "" });
      expect([result.code, result.stdout], args.join(" ")).toEqual([3, ""]);
      expect(lines(result.stderr), result.stderr).toHaveLength(1);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toContain(secret);
      expect(result.stderr).not.toContain("not-the-password-42");
    }
    // A schema that is not ours, or from a newer orcid-db: exit 3, nothing touched.
    pg.admin(
      `CREATE SCHEMA theirs AUTHORIZATION ${pg.user}; CREATE TABLE theirs.accounts (id int); GRANT ALL ON theirs.accounts TO ${pg.user}`,
      pg.database,
    );
    const theirs = await db(["load", "env:ORCID_TEST_DB", "--schema", "theirs"], { stdin: "" });
    expect([theirs.code, lines(theirs.stderr)]).toEqual([
      3,
      [expect.stringMatching(/is not an orcid-db database: it has other tables/)],
    ]);
    expect(pg.admin("SELECT count(*) FROM pg_tables WHERE schemaname = 'theirs'", pg.database).trim()).toBe("1");
    expect((await db(["load", "env:ORCID_TEST_DB", "--schema", "newer"], { stdin: "" })).code).toBe(0);
    pg.admin("UPDATE newer.schema_info SET version = 99", pg.database);
    const newer = await db(["doi", "env:ORCID_TEST_DB", "10.1/x", "--schema", "newer"]);
    expect([newer.code, lines(newer.stderr)]).toEqual([
      3,
      [expect.stringMatching(/has schema version 99, newer than this orcid-db's 1: upgrade orcid-db/)],
    ]);
    // A role that may read but not write: the load stops at its first write, with one message.
    expect((await db(["load", "env:ORCID_TEST_DB", "--schema", "read_only"], { stdin: "" })).code).toBe(0);
    pg.admin(
      `GRANT USAGE ON SCHEMA read_only TO reader_only; GRANT SELECT ON ALL TABLES IN SCHEMA read_only TO reader_only;`,
      pg.database,
    );
    const readOnly = await db(["load", "env:DB_URL", "--schema", "read_only"], { env: { DB_URL: noPriv }, stdin: "" });
    expect(readOnly.code).toBe(3);
    expect(lines(readOnly.stderr)).toHaveLength(1);
    expect(readOnly.stderr).toMatch(/permission denied for table loads/);
    expect(readOnly.stderr).not.toContain(secret);
    // …and can run the query verbs.
    for (const args of [
      ["doi", "10.1/x"],
      ["orcid", "0000-0002-1825-0097"],
      ["changes", "--after", "0"],
      ["export", "links"],
    ]) {
      const query = await db([args[0]!, "env:DB_URL", ...args.slice(1), "--schema", "read_only"], {
        env: { DB_URL: noPriv },
      });
      expect([query.code, query.stdout], query.stderr).toEqual([0, ""]);
    }
    // With PGPASSWORD and the PG* variables only (nothing secret on the command line), it works.
    const ok = await db(["orcid", "-", "0000-0002-1825-0097", "--engine", "postgres", "--schema", "read_only"], {
      env: pg.env,
    });
    expect([ok.code, ok.stdout]).toEqual([0, ""]);
    expect(ok.stderr).toContain("nothing found for iD 0000-0002-1825-0097");
    // Or from ~/.pgpass, for a URL without a password.
    const home = workdir();
    writeFileSync(join(home, ".pgpass"), `${pg.host}:${pg.port}:${pg.database}:${pg.user}:${secret}\n`, {
      mode: 0o600,
    });
    const bare = `postgres://${pg.user}@${pg.host}:${pg.port}/${pg.database}`;
    const fromFile = await db(["orcid", bare, "0000-0002-1825-0097", "--schema", "read_only"], { env: { HOME: home } });
    expect([fromFile.code, fromFile.stdout], fromFile.stderr).toEqual([0, ""]);
    const noFile = await db(["orcid", bare, "0000-0002-1825-0097", "--schema", "read_only"], {
      env: { HOME: workdir() },
    });
    expect(noFile.code).toBe(3);
    expect(lines(noFile.stderr)).toHaveLength(1);
    expect(noFile.stderr).toMatch(/Cannot log in to .*: the server asks for a password and none was given/);
  }, 120_000);

  test("a load that is still running stays running while another starts and ends; one whose loader died is marked interrupted", async () => {
    const records = toNdjson(extractRecordsOfDay({ ...DAY, ids: 20, day: 1 }));
    const status = () =>
      pg.admin("SELECT string_agg(id || ' ' || status, ', ' ORDER BY id) FROM live.loads", pg.database).trim();
    const child = spawn(join(BIN_DIR, "orcid-db"), ["load", "env:ORCID_TEST_DB", "--schema", "live"], {
      env: { ...process.env, ...pgEnv() },
      stdio: ["pipe", "ignore", "ignore"],
    });
    const exited = new Promise((resolve) => child.on("exit", resolve));
    // Its input stays open: the load runs until we end or kill it.
    child.stdin.write(`${records.split("\n")[0]}\n`);
    for (;;) {
      try {
        if (status() === "1 running") break;
      } catch {
        // the schema is not made yet
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect((await db(["load", "env:ORCID_TEST_DB", "--schema", "live"], { stdin: records })).code).toBe(0);
    expect(status()).toBe("1 running, 2 complete");
    child.kill("SIGKILL");
    await exited;
    // The server sees the connection go, and with it the load's lock.
    while (pg.admin("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'orcid-db'").trim() !== "0") {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect((await db(["load", "env:ORCID_TEST_DB", "--schema", "live"], { stdin: records })).code).toBe(0);
    expect(status()).toBe("1 interrupted, 2 complete, 3 complete");
  }, 120_000);
});
