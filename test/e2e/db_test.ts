/**
 * orcid-db end to end: the real binary through real pipes — load, the query verbs, bad input, the
 * one-writer lock, and loads killed at random points.
 */
import { spawn } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, onTestFinished, test } from "vitest";
import { DATA_TABLES, openDatabase, openDuckDb, type SqlEngine } from "@orcid-sync/db";
import { type ExtractDayOptions, extractRecordsOfDay, toNdjson } from "../generator/orcid_records.ts";
import { BIN_DIR, ROOT, runBin, runPipeline, scratch } from "./helpers.ts";

const dirs: { remove: () => void }[] = [];
afterAll(() => {
  for (const d of dirs) d.remove();
});
function workdir(): string {
  const dir = scratch("orcid-db-");
  dirs.push(dir);
  return dir.dir;
}

const FIXTURE = join(ROOT, "packages", "db", "testdata", "day1.ndjson");
const DAY1 = readFileSync(FIXTURE, "utf8");
const db = (args: string[], stdin?: string) => runBin("orcid-db", args, { stdin });
const lines = (text: string) =>
  text
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

async function withDb<T>(path: string, work: (engine: SqlEngine) => Promise<T>): Promise<T> {
  const engine = await openDatabase(path);
  try {
    return await work(engine);
  } finally {
    await engine.close();
  }
}

/** Each iD's rows in every data table, as one comparable string per iD. */
async function idStates(path: string): Promise<Map<string, string>> {
  return withDb(path, async (engine) => {
    const byId = new Map<string, Record<string, string[]>>();
    for (const table of DATA_TABLES) {
      for (const row of await engine.all(`SELECT * FROM ${table.name}`)) {
        const state = byId.get(String(row.orcid)) ?? {};
        const rows = state[table.name] ?? [];
        rows.push(JSON.stringify(row));
        state[table.name] = rows;
        byId.set(String(row.orcid), state);
      }
    }
    return new Map(
      [...byId].map(([id, state]) => [
        id,
        JSON.stringify(
          Object.entries(state)
            .map(([t, rows]) => [t, rows.sort()])
            .sort(),
        ),
      ]),
    );
  });
}

const events = (path: string) =>
  withDb(path, async (e) =>
    (await e.all("SELECT seq, change, doi, orcid, put_code, relationship, class FROM link_events ORDER BY seq")).map(
      (r) => JSON.stringify(r),
    ),
  );

describe("orcid-db", () => {
  test("--help, --version, and usage errors (exit 2) before the database is touched", async () => {
    const help = await db(["--help"]);
    expect([help.code, help.stderr]).toEqual([0, ""]);
    for (const text of [
      "orcid-db load <db>",
      "orcid-db doi <db>",
      "orcid-db changes <db>",
      "--wait-lock",
      "--memory-limit",
      "--threads",
      "Examples:",
    ]) {
      expect(help.stdout).toContain(text);
    }
    expect((await db(["--version"])).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    const missing = join(workdir(), "missing.duckdb");
    for (const [args, message] of [
      [["changes", missing], "Give one of --since WHEN or --after SEQ"],
      [["doi", missing, "not a doi"], "No DOI in 'not a doi'"],
      [["orcid", missing, "0000-0002-1825-0098"], "Not an ORCID iD: '0000-0002-1825-0098'"],
      [["load", missing, "--batch", "0"], "--batch takes a whole number"],
      [["load", missing, "--threads", "0.5"], "--threads takes a whole number"],
      [["doi", missing, "10.1/x", "--memory-limit", "lots"], "--memory-limit: Invalid memory limit 'lots'"],
      [["doi", missing, "10.1/x", "--format", "xml"], "Invalid values"],
    ] as const) {
      const result = await db([...args]);
      expect([result.code, result.stdout], args.join(" ")).toEqual([2, ""]);
      expect(result.stderr).toContain(message);
    }
    const query = await db(["doi", missing, "10.1/x"]);
    expect([query.code, query.stderr]).toEqual([
      3,
      `orcid-db: error: Cannot open database '${missing}': no such file\n`,
    ]);
  }, 120_000);

  test("load from a pipe, then doi, orcid, changes and export answer from the database", async () => {
    const dir = workdir();
    const path = join(dir, "orcid.duckdb");
    const load = await runPipeline(`cat '${FIXTURE}' | orcid-db load '${path}'`);
    expect(load.code).toBe(0);
    expect(lines(load.stdout)).toEqual([{ type: "checkpoint", bucket: "v3.0-summaries", folder: "097" }]);
    expect(load.stderr).toMatch(/orcid-db: load 1 complete: 9 records, 3 iDs \(1 gone\), 2 works, 5 links/);

    const doi = await db(["doi", path, "https://doi.org/10.5438/3DFW-Z4KQ", "doi:10.5555/12345678"]);
    expect(doi.code).toBe(0);
    expect(lines(doi.stdout).map((l) => [l.doi, l.orcid, l.class, l.familyName])).toEqual([
      ["10.5438/3dfw-z4kq", "0000-0001-5109-3700", "crossref", "Haak"],
      ["10.5438/3dfw-z4kq", "0000-0002-1825-0097", "datacite", "Carberry"],
      ["10.5555/12345678", "0000-0002-1825-0097", "self", "Carberry"],
    ]);
    const csv = await db(["doi", path, "10.5555/12345678", "--format", "csv"]);
    expect(csv.stdout.split("\n")[0]).toBe(
      "type,doi,orcid,putCode,relationship,class,sourceId,sourceName,originId,originName,created,lastModified,givenNames,familyName,creditName",
    );

    const gone = await db(["orcid", path, "https://orcid.org/0000-0002-1694-233X"]);
    expect(lines(gone.stdout)).toEqual([
      { type: "gone", orcid: "0000-0002-1694-233X", reason: "deprecated", redirect: "0000-0002-1825-0097", code: 9007 },
    ]);

    const none = await db(["doi", path, "10.9999/nothing"]);
    expect([none.code, none.stdout]).toEqual([0, ""]);
    expect(none.stderr).toContain("nothing found for DOI 10.9999/nothing");

    // Day 2: Haak's Crossref link removed.
    const day2 = DAY1.split("\n")
      .filter((l) => !l.includes('"putCode":7,'))
      .join("\n");
    expect((await db(["load", path], day2)).code).toBe(0);
    const changes = await db(["changes", path, "--after", "0"]);
    expect(lines(changes.stdout)).toEqual([
      expect.objectContaining({
        type: "link",
        change: "removed",
        seq: 1,
        doi: "10.5438/3dfw-z4kq",
        orcid: "0000-0001-5109-3700",
        putCode: 7,
      }),
    ]);
    expect((await db(["changes", path, "--after", "1"])).stdout).toBe("");
    expect(lines((await db(["changes", path, "--since", "1h"])).stdout)).toHaveLength(1);

    const out = join(dir, "links.ndjson");
    const exported = await db(["export", path, "links", "-o", out]);
    expect([exported.code, exported.stdout]).toEqual([0, ""]);
    const keys = lines(readFileSync(out, "utf8")).map((l) => `${l.doi} ${l.orcid} ${l.putCode}`);
    expect(keys).toHaveLength(4);
    expect(keys).toEqual([...keys].sort());
  }, 120_000);

  test("bad records become error records and exit 1; a cut last line leaves its iD alone and the load incomplete", async () => {
    const path = join(workdir(), "orcid.duckdb");
    const bad = DAY1.replace(
      '"orcid":"0000-0001-5109-3700","givenNames"',
      '"orcid":"0000-0001-5109-3701","givenNames"',
    );
    const load = await db(["load", path], bad);
    expect(load.code).toBe(1);
    expect(
      lines(load.stdout)
        .filter((r) => r.type === "error")
        .map((r) => r.code),
    ).toEqual(["InvalidOrcid", "NotOpened", "NotOpened"]);

    // Carberry's person record changed, then a work record cut short.
    const cut = DAY1.split("\n")
      .slice(0, 2)
      .join("\n")
      .replace("Josiah", "Changed")
      .replace('"Brown University"', '"Brown')
      .slice(0, -40);
    const killed = await db(["load", path], cut);
    expect(killed.code).toBe(1);
    expect(killed.stderr).toMatch(
      /Input ended in the middle of a record: .*0000-0002-1825-0097 was not replaced; load 2 recorded as incomplete/,
    );
    await withDb(path, async (e) => {
      expect(await e.all("SELECT given_names FROM persons WHERE orcid = '0000-0002-1825-0097'")).toEqual([
        { given_names: "Josiah" },
      ]);
      expect(await e.all("SELECT status FROM loads ORDER BY id")).toEqual([
        { status: "complete" },
        { status: "incomplete" },
      ]);
    });

    const malformed = await db(["load", path], `${DAY1.split("\n")[0]}\n{not json\n${DAY1}`);
    expect(malformed.code).toBe(3);
    expect(malformed.stderr).toContain("stdin:2");
  }, 120_000);

  test("a file that is not our database, or from a newer schema, exits 3 with one message", async () => {
    const dir = workdir();
    const text = join(dir, "notes.txt");
    writeFileSync(text, "not a database\n");
    const notDb = await db(["doi", text, "10.1/x"]);
    expect(notDb.code).toBe(3);
    expect(notDb.stderr).toMatch(/orcid-db: error: Cannot open database .*notes.txt.*not a valid DuckDB database/);

    const other = join(dir, "other.duckdb");
    const engine = await openDuckDb(other);
    await engine.run("CREATE TABLE things (x INTEGER)");
    await engine.close();
    expect((await db(["load", other], DAY1)).stderr).toContain("is not an orcid-db database");

    const newer = join(dir, "newer.duckdb");
    expect((await db(["load", newer], DAY1)).code).toBe(0);
    const writer = await openDuckDb(newer);
    await writer.run("UPDATE schema_info SET version = version + 1");
    await writer.close();
    const refused = await db(["export", newer, "links"]);
    expect([refused.code, refused.stdout]).toEqual([3, ""]);
    expect(refused.stderr).toMatch(/has schema version 2, newer than this orcid-db's 1: upgrade orcid-db/);
  }, 120_000);

  test("DuckDB out of its memory limit: exit 3 with one line that says what to do", async () => {
    const dir = workdir();
    const path = join(dir, "orcid.duckdb");
    // Far below what DuckDB's JSON reader takes for a batch.
    const load = await db(["load", path, "--memory-limit", "10MB"], DAY1);
    expect([load.code, load.stdout]).toEqual([3, ""]);
    expect(load.stderr.split("\n").filter(Boolean)).toEqual([
      expect.stringMatching(
        /^orcid-db: error: DuckDB ran out of memory: .*\. Raise --memory-limit: a load holds the database's indexes in memory .* running it again completes it$/,
      ),
    ]);
    const rerun = await db(["load", path], DAY1);
    expect(rerun.code).toBe(0);
  }, 120_000);

  test("one writer: a query during a load exits 3 naming the holder, or waits with --wait-lock", async () => {
    const path = join(workdir(), "orcid.duckdb");
    expect((await db(["load", path], DAY1)).code).toBe(0);
    // The load may meet one of the queries below holding the file: it waits for it.
    const load = spawn(join(BIN_DIR, "orcid-db"), ["load", path, "--wait-lock", "60"], {
      stdio: ["pipe", "pipe", "pipe"],
    });
    const closed = new Promise<number | null>((resolve) => load.on("close", resolve));
    // The load holds the file once it has read its first record.
    load.stdin.write(`${DAY1.split("\n")[0]}\n`);
    let busy = await db(["doi", path, "10.5555/12345678"]);
    for (let i = 0; i < 100 && busy.code === 0; i++) busy = await db(["doi", path, "10.5555/12345678"]);
    expect(busy.code).toBe(3);
    expect(busy.stderr).toMatch(
      new RegExp(`is busy: process ${load.pid} .* holds it \\(wait for it with --wait-lock SECONDS\\)`),
    );
    // Haak's link: the load replaces Carberry (a person record and nothing else), not Haak.
    const waiting = db(["doi", path, "10.1000/xyz", "--wait-lock", "120"]);
    setTimeout(() => load.stdin.end(), 500);
    const waited = await waiting;
    expect(await closed).toBe(0);
    expect([waited.code, lines(waited.stdout).length]).toEqual([0, 1]);
  }, 120_000);

  test("a load killed at random points 10 times: the database opens, holds whole iDs, and a rerun equals an uninterrupted load", async () => {
    const dir = workdir();
    const day: ExtractDayOptions = { ids: 300, seed: 5, changeRate: 0.3, doiPool: 200, checkpointEvery: 15 };
    const day1 = join(dir, "day1.ndjson");
    const day2 = join(dir, "day2.ndjson");
    writeFileSync(day1, toNdjson(extractRecordsOfDay({ ...day, day: 1 })));
    writeFileSync(day2, toNdjson(extractRecordsOfDay({ ...day, day: 2 })));
    const base = join(dir, "base.duckdb");
    const reference = join(dir, "reference.duckdb");
    expect((await db(["load", base, day1, "--batch", "200"])).code).toBe(0);
    copyFileSync(base, reference);
    expect((await db(["load", reference, day2, "--batch", "200"])).code).toBe(0);
    const before = await idStates(base);
    const after = await idStates(reference);
    const referenceEvents = await events(reference);
    expect(referenceEvents.length).toBeGreaterThan(20);

    // The loads' staging folders go to a folder of the test's own: a killed load leaves its folder,
    // and the next load removes it.
    const tmp = join(dir, "tmp");
    mkdirSync(tmp);
    const savedTmp = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
    onTestFinished(() => {
      if (savedTmp === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = savedTmp;
    });
    let killed = 0;
    for (let run = 0; run < 10; run++) {
      const path = join(dir, `killed-${run}.duckdb`);
      copyFileSync(base, path);
      // Kill after a random number of committed batches (seen as checkpoints) and a random delay.
      const checkpoints = Math.floor(Math.random() * 20);
      const delayMs = Math.floor(Math.random() * 200);
      const child = spawn(join(BIN_DIR, "orcid-db"), ["load", path, day2, "--batch", "200"], {
        stdio: ["ignore", "pipe", "ignore"],
      });
      const closed = new Promise<void>((resolve) => child.on("close", () => resolve()));
      let seen = 0;
      child.stdout.on("data", (chunk: Buffer) => {
        seen += chunk
          .toString()
          .split("\n")
          .filter((l) => l.includes('"checkpoint"')).length;
        if (seen >= checkpoints) setTimeout(() => child.kill("SIGKILL"), delayMs);
      });
      if (checkpoints === 0) setTimeout(() => child.kill("SIGKILL"), delayMs + 300);
      await closed;
      if (child.signalCode === "SIGKILL") killed++;

      const states = await idStates(path);
      for (const [id, state] of states) {
        expect(
          [before.get(id), after.get(id)],
          `run ${run} (${checkpoints} checkpoints + ${delayMs} ms): ${id} is whole`,
        ).toContain(state);
      }
      const rerun = await db(["load", path, day2, "--batch", "200"]);
      expect(rerun.code).toBe(0);
      expect(await idStates(path)).toEqual(after);
      expect(await events(path)).toEqual(referenceEvents);
      // (Node 22 and later keep their compile cache there too.)
      const staging = readdirSync(tmp).filter((name) => name.startsWith("orcid-db-load-"));
      expect(staging, `run ${run}: staging folders left behind`).toEqual([]);
    }
    expect(killed).toBeGreaterThan(0);
  }, 900_000);
});
