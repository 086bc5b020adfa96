/**
 * orcid-db on PostgreSQL end to end: the real binary against a throwaway PostgreSQL server — the
 * same answers as DuckDB for every verb, many loaders on a split mirror, a connection killed mid-load,
 * and the login, database and privilege errors (the password never printed).
 */
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { folderInShard, last3 } from "@orcid-sync/core";
import { DATA_TABLES, openDatabase, type SqlEngine } from "@orcid-sync/db";
import { changedIdsOnDay, type ExtractDayOptions, extractRecordsOfDay, toNdjson } from "../generator/orcid_records.ts";
import { type LocalPostgres, startLocalPostgres } from "../pg/server.ts";
import { BIN_DIR, type RunResult, runBin, scratch } from "./helpers.ts";

let pg: LocalPostgres;
const dirs: { remove: () => void }[] = [];
beforeAll(async () => {
  // No server, no test: a failure, never a skip.
  pg = await startLocalPostgres();
}, 60_000);
afterAll(async () => {
  dirs.forEach((d) => d.remove());
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

async function withDb<T>(path: string, options: { schema?: string }, work: (engine: SqlEngine) => Promise<T>): Promise<T> {
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
    for (const table of DATA_TABLES) out[table.name] = (await engine.all(`SELECT * FROM ${table.name}`)).map((r) => JSON.stringify(r)).sort();
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

describe("orcid-db on PostgreSQL", () => {
  test("the same answers as DuckDB for every verb, after day 1 and day 2's changes", async () => {
    const dir = workdir();
    const duck = join(dir, "orcid.duckdb");
    const day1 = join(dir, "day1.ndjson");
    const day2 = join(dir, "day2.ndjson");
    writeFileSync(day1, toNdjson(extractRecordsOfDay({ ...DAY, day: 1, links: true })));
    writeFileSync(day2, toNdjson(extractRecordsOfDay({ ...DAY, day: 2, links: true }, new Set(changedIdsOnDay({ ...DAY, day: 2 })))));
    for (const target of [duck, "env:ORCID_TEST_DB"]) {
      for (const file of [day1, day2]) {
        const load = await db(["load", target, file, "--batch", "300", "--schema", "same_answers"]);
        expect(load.code, load.stderr).toBe(0);
        expect(load.stderr).toMatch(/load \d complete/);
      }
    }
    const both = async (args: string[]) => {
      const [a, b] = [await db([args[0]!, duck, ...args.slice(1)]), await db([args[0]!, "env:ORCID_TEST_DB", ...args.slice(1), "--schema", "same_answers"])];
      const [x, y] = [answers(a), answers(b)];
      expect(y, args.join(" ")).toEqual(x);
      return x;
    };
    const exported = await both(["export", "links"]);
    expect(exported.length).toBeGreaterThan(500);
    // The export's own order too: sorted by (doi, orcid, putCode), byte-wise.
    const pgExport = lines((await db(["export", "env:ORCID_TEST_DB", "links", "--schema", "same_answers"])).stdout).map((l) => JSON.parse(l));
    const keys = pgExport.map((l) => [l.doi, l.orcid, String(l.putCode).padStart(12, "0")].join(" "));
    expect(keys).toEqual([...keys].sort((p, q) => (p < q ? -1 : p > q ? 1 : 0)));

    const links = exported.map((l) => JSON.parse(l) as { doi: string; orcid: string });
    const dois = [...new Set(links.map((l) => l.doi))].slice(0, 40);
    expect((await both(["doi", ...dois.map((d) => `https://doi.org/${d.toUpperCase()}`)])).length).toBeGreaterThanOrEqual(40);
    const ids = [...new Set(links.map((l) => l.orcid))].slice(0, 30);
    expect((await both(["orcid", ...ids])).length).toBeGreaterThan(30);
    const changes = await both(["changes", "--after", "0"]);
    expect(changes.length).toBeGreaterThan(10);
    expect(await both(["changes", "--since", "1h"])).toEqual(changes);
    expect(await both(["changes", "--after", "5"])).toHaveLength(changes.length - 5);
    for (const format of ["csv", "table"]) {
      const [a, b] = [await db(["doi", duck, dois[0]!, "--format", format]), await db(["doi", "env:ORCID_TEST_DB", dois[0]!, "--format", format, "--schema", "same_answers"])];
      expect(b.stdout).toEqual(a.stdout);
    }
    expect(await dumpData("env:ORCID_TEST_DB", "same_answers")).toEqual(await dumpData(duck));
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
        write(`day${i + 1}-shard${k}.ndjson`, records.filter((r) => folderInShard(last3(String(r.orcid)), { index: k, count: 4 }))),
      ),
    );
    for (const day of shards) for (const file of day) expect(lines(readFileSync(file, "utf8")).length).toBeGreaterThan(100);

    for (const file of whole) expect((await db(["load", "env:ORCID_TEST_DB", file, "--schema", "one_loader", "--batch", "250"])).code).toBe(0);
    for (const day of shards) {
      // Started together, into a schema none of them has created yet (day 1).
      const results = await Promise.all(day.map((file) => db(["load", "env:ORCID_TEST_DB", file, "--schema", "four_loaders", "--batch", "100"])));
      for (const r of results) expect([r.code, r.stderr]).toEqual([0, expect.stringMatching(/load \d+ complete/)]);
    }
    expect(await dumpData("env:ORCID_TEST_DB", "four_loaders")).toEqual(await dumpData("env:ORCID_TEST_DB", "one_loader"));

    const feed = async (schema: string) => (await db(["changes", "env:ORCID_TEST_DB", "--after", "0", "--schema", schema])).stdout;
    const event = (line: string) => {
      const { seq: _seq, at: _at, ...rest } = JSON.parse(line) as Record<string, unknown>;
      return JSON.stringify(rest);
    };
    const one = lines(await feed("one_loader"));
    const four = lines(await feed("four_loaders"));
    expect(one.length).toBeGreaterThan(20);
    expect(four.map(event).sort()).toEqual(one.map(event).sort());
    const seqs = four.map((l) => Number(JSON.parse(l).seq));
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    await withDb("env:ORCID_TEST_DB", { schema: "four_loaders" }, async (e) => {
      expect(await e.all("SELECT status, count(*) AS n FROM loads GROUP BY status")).toEqual([{ status: "complete", n: 8 }]);
      // Day 2's four loads wrote the events (day 1 built the database: no news).
      const rows = await e.all("SELECT DISTINCT load_id FROM link_events ORDER BY load_id");
      expect(rows.map((r) => r.load_id)).toEqual([5, 6, 7, 8]);
    });
  }, 300_000);
});
