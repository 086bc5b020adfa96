// The scripts with --db, end to end: download.sh --db and sync.sh --db keep an orcid-db database
// equal to one built from the mirror; a load that fails fails the run and leaves last_ran.config,
// and the rerun loads what the failed run placed; build-db.sh from a mirror or an archive, and an
// archive that ends early leaves the load recorded as incomplete; sharded-sync.sh --db into a DuckDB
// file (loaded after the shards) and into PostgreSQL (loaded by every shard, here and through -S).
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type LocalPostgres, startLocalPostgres } from "../pg/server.ts";
import { ROOT, runBin, runCommand, scratch, type SeededS3, startSeededS3 } from "./helpers.ts";

const script = (name: string) => join(ROOT, "scripts", name);
let s3: SeededS3;
const work = scratch("orcid-sync-scripts-db-");

beforeAll(async () => {
  // "now" is the real clock: sync.sh's cutoff comes from last_ran.config, which download.sh writes.
  s3 = await startSeededS3({ records: 200, seed: 43, now: new Date(), variety: true });
});
afterAll(async () => {
  await s3?.close();
  work.remove();
});

function folder(name: string): string {
  const dir = join(work.dir, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

const lines = (text: string) =>
  text
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
const linkId = (l: Record<string, unknown>) => `${l.doi} ${l.orcid} ${l.putCode} ${l.relationship} ${l.class}`;

/** The tables that hold the iDs' state, as the NDJSON export gives them. */
async function contents(db: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const table of ["persons", "gone", "works", "links", "affiliations", "fundings"]) {
    const result = await runBin("orcid-db", ["export", db, table]);
    expect(result.code, result.stderr).toBe(0);
    out[table] = result.stdout;
  }
  return out;
}

async function lastLoadStatus(db: string): Promise<string> {
  const result = await runBin("orcid-db", ["sql", db, "SELECT status FROM loads ORDER BY id DESC LIMIT 1"]);
  return String(lines(result.stdout)[0]?.status);
}

describe("download.sh and sync.sh with --db", () => {
  test("keep the database equal to a build from the mirror; a failed load fails the run, and the rerun loads what it placed", async () => {
    const cwd = folder("main");
    const db = join(cwd, "orcid.duckdb");
    const mirror = join(cwd, "data", "ORCID_public_data_files");
    const download = await runCommand(script("download.sh"), ["-p", "data", "-s", "--db", db], { cwd, env: s3.env });
    expect(download.code, download.stderr).toBe(0);
    const built = join(cwd, "built-1.duckdb");
    const build = await runCommand(script("build-db.sh"), [built, "--mirror", mirror], { cwd });
    expect(build.code, build.stderr).toBe(0);
    const day1 = await contents(db);
    expect(lines(day1.links!).length).toBeGreaterThan(50);
    expect(day1).toEqual(await contents(built));
    const day1Links = new Set(lines(day1.links!).map(linkId));

    // Day 2, with the database replaced by a file that is not one: the load fails, so does the run.
    await s3.seedDay(2);
    const lastRan = readFileSync(join(cwd, "last_ran.config"), "utf8");
    renameSync(db, `${db}.aside`);
    writeFileSync(db, "not a database\n");
    const failed = await runCommand(script("sync.sh"), ["-p", "data", "-s", "--db", db], { cwd, env: s3.env });
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toContain("orcid-db: error: Cannot open database");
    expect(failed.stderr).toContain("sync.sh: last_ran.config is unchanged; run again");
    expect(readFileSync(join(cwd, "last_ran.config"), "utf8")).toBe(lastRan);

    // The database back: the rerun finds the files the failed run placed unchanged, and loads them.
    renameSync(`${db}.aside`, db);
    const sync = await runCommand(script("sync.sh"), ["-p", "data", "-s", "--db", db], { cwd, env: s3.env });
    expect(sync.code, sync.stderr).toBe(0);
    expect(readFileSync(join(cwd, "last_ran.config"), "utf8") > lastRan).toBe(true);
    const rebuilt = join(cwd, "built-2.duckdb");
    expect((await runCommand(script("build-db.sh"), [rebuilt, "--mirror", mirror], { cwd })).code).toBe(0);
    const day2 = await contents(db);
    expect(day2).toEqual(await contents(rebuilt));
    expect(day2).not.toEqual(day1);

    // The links that differ between the days are in changes: removed and added.
    const day2Links = new Set(lines(day2.links!).map(linkId));
    const changes = lines((await runBin("orcid-db", ["changes", db, "--after", "0"])).stdout);
    const of = (change: string) =>
      changes
        .filter((c) => c.change === change)
        .map(linkId)
        .sort();
    expect(of("removed")).toEqual([...day1Links].filter((l) => !day2Links.has(l)).sort());
    expect(of("added")).toEqual([...day2Links].filter((l) => !day1Links.has(l)).sort());
    expect(of("removed").length).toBeGreaterThan(0);
  }, 300_000);

  test("--db needs a value and -s", async () => {
    const cwd = folder("flags");
    const noValue = await runCommand(script("sync.sh"), ["-s", "--db"], { cwd });
    expect([noValue.code, noValue.stderr]).toEqual([2, "sync.sh: error: --db needs a value (see --help)\n"]);
    const noSummaries = await runCommand(script("download.sh"), ["-a", "--db", "x.duckdb"], { cwd });
    expect([noSummaries.code, noSummaries.stderr]).toEqual([2, "download.sh: error: --db loads summaries: add -s\n"]);
    expect((await runCommand(script("sync.sh"), ["--help"], { cwd })).stdout).toContain("--db DB");
    const sharded = await runCommand(script("sharded-sync.sh"), ["-N", "2", "-a", "--db", "x.duckdb"], { cwd });
    expect([sharded.code, sharded.stderr]).toEqual([2, "sharded-sync.sh: error: --db loads summaries: add -s\n"]);
    const unset = await runCommand(script("sharded-sync.sh"), ["-N", "2", "-s", "--db", "env:ORCID_NOT_SET"], {
      cwd,
      env: { ORCID_NOT_SET: "" },
    });
    expect([unset.code, unset.stderr]).toEqual([
      2,
      "sharded-sync.sh: error: --db env:ORCID_NOT_SET: the environment variable ORCID_NOT_SET is not set\n",
    ]);
    expect((await runCommand(script("sharded-sync.sh"), ["--help"], { cwd })).stdout).toContain("--db DB");
  });
});

describe("sharded-sync.sh with --db", () => {
  test("a DuckDB file is loaded after the shards: equal to a build from the mirror; a failed load leaves the state, the rerun loads", async () => {
    const cwd = folder("sharded-duck");
    const db = join(cwd, "orcid.duckdb");
    const mirror = join(cwd, "ORCID_public_data_files");
    writeFileSync(db, "not a database\n");
    const failed = await runCommand(script("sharded-sync.sh"), ["-N", "3", "-s", "-d", "400", "--db", db], {
      cwd,
      env: s3.env,
    });
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toContain("orcid-db: error: Cannot open database");
    expect(failed.stderr).toContain("sharded-sync.sh: last_ran.config is unchanged; run again");
    expect(existsSync(join(cwd, "last_ran.config"))).toBe(false);

    rmSync(db);
    const sync = await runCommand(script("sharded-sync.sh"), ["-N", "3", "-s", "-d", "400", "--db", db], {
      cwd,
      env: s3.env,
    });
    expect(sync.code, sync.stderr).toBe(0);
    expect(existsSync(join(cwd, "last_ran.config"))).toBe(true);
    const built = join(cwd, "built.duckdb");
    expect((await runCommand(script("build-db.sh"), [built, "--mirror", mirror], { cwd })).code).toBe(0);
    const loaded = await contents(db);
    expect(lines(loaded.persons!).length).toBeGreaterThan(100);
    expect(loaded).toEqual(await contents(built));

    // On other hosts each holds a mirror of its own: a DuckDB file cannot be loaded from them.
    const remote = await runCommand(script("sharded-sync.sh"), ["-N", "2", "-S", ":", "-s", "--db", db], {
      cwd,
      env: s3.env,
    });
    expect([remote.code, remote.stderr]).toEqual([
      2,
      `sharded-sync.sh: error: --db ${db}: a DuckDB file is loaded on this host from one mirror; with -S give a PostgreSQL database (env:NAME)\n`,
    ]);
  }, 300_000);

  describe("into PostgreSQL", () => {
    let pg: LocalPostgres;
    beforeAll(async () => {
      // No server, no test: a failure, never a skip.
      pg = await startLocalPostgres();
    }, 60_000);
    afterAll(async () => {
      await pg?.stop();
    });

    test("every shard loads, here and on -S hosts (the URL on ssh's stdin): equal to a build from the mirror; a failed load leaves the state", async () => {
      const url = (database: string) => pg.url.replace(new RegExp(`/${pg.database}$`), `/${database}`);
      pg.admin(`CREATE DATABASE via_ssh OWNER ${pg.user}`);
      const env = {
        ...s3.env,
        SHARDS_DB: pg.url,
        SHARDS_SSH_DB: url("via_ssh"),
        SHARDS_NO_DB: url("no_such_database"),
      };
      process.env.SHARDS_DB = env.SHARDS_DB;
      process.env.SHARDS_SSH_DB = env.SHARDS_SSH_DB;

      const cwd = folder("sharded-pg");
      const failed = await runCommand(
        script("sharded-sync.sh"),
        ["-N", "3", "-s", "-d", "400", "--db", "env:SHARDS_NO_DB"],
        { cwd, env },
      );
      expect(failed.code).not.toBe(0);
      expect(failed.stderr).toMatch(/orcid-db: error: Cannot open postgres:\/\/.*no_such_database/);
      expect(failed.stderr).toContain("sharded-sync.sh: last_ran.config is unchanged; run again");
      expect(failed.stderr).not.toContain(pg.password);
      expect(existsSync(join(cwd, "last_ran.config"))).toBe(false);

      const here = await runCommand(
        script("sharded-sync.sh"),
        ["-N", "3", "-s", "-d", "400", "--db", "env:SHARDS_DB"],
        { cwd, env },
      );
      expect(here.code, here.stderr).toBe(0);
      expect(here.stderr).not.toContain(pg.password);
      const remote = folder("sharded-pg-ssh");
      const viaSsh = await runCommand(
        script("sharded-sync.sh"),
        ["-N", "2", "-S", ":", "-s", "-d", "400", "--db", "env:SHARDS_SSH_DB"],
        { cwd: remote, env },
      );
      expect(viaSsh.code, viaSsh.stderr).toBe(0);
      expect(viaSsh.stderr).not.toContain(pg.password);

      const built = join(cwd, "built.duckdb");
      expect(
        (await runCommand(script("build-db.sh"), [built, "--mirror", join(cwd, "ORCID_public_data_files")], { cwd }))
          .code,
      ).toBe(0);
      const want = await contents(built);
      expect(lines(want.persons!).length).toBeGreaterThan(100);
      expect(await contents("env:SHARDS_DB")).toEqual(want);
      expect(await contents("env:SHARDS_SSH_DB")).toEqual(want);
      // One load per shard.
      expect(Number(pg.admin("SELECT count(*) FROM orcid.loads WHERE status = 'complete'", pg.database))).toBe(3);
      expect(Number(pg.admin("SELECT count(*) FROM orcid.loads WHERE status = 'complete'", "via_ssh"))).toBe(2);
    }, 300_000);
  });
});

describe("build-db.sh", () => {
  test("from an archive equals a build from the mirror; an archive that ends early leaves the load incomplete", async () => {
    const cwd = folder("archives");
    const mirror = join(cwd, "ORCID_public_data_files");
    const download = await runCommand(script("download.sh"), ["-s"], { cwd, env: s3.env });
    expect(download.code, download.stderr).toBe(0);
    const archive = join(cwd, "summaries.tar.gz");
    expect((await runBin("orcid-pack", ["--from", join(mirror, "summaries"), "-o", archive])).code).toBe(0);

    const fromMirror = join(cwd, "mirror.duckdb");
    const fromArchive = join(cwd, "archive.duckdb");
    expect((await runCommand(script("build-db.sh"), [fromMirror, "--mirror", mirror], { cwd })).code).toBe(0);
    const built = await runCommand(script("build-db.sh"), [fromArchive, archive, "-j", "1"], { cwd });
    expect(built.code, built.stderr).toBe(0);
    expect(await contents(fromArchive)).toEqual(await contents(fromMirror));
    expect(await lastLoadStatus(fromArchive)).toBe("complete");

    const cut = join(cwd, "cut.tar.gz");
    copyFileSync(archive, cut);
    truncateSync(cut, Math.floor(statSync(archive).size / 2));
    const partial = join(cwd, "partial.duckdb");
    const result = await runCommand(script("build-db.sh"), [partial, cut], { cwd });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/orcid-unpack: error: Cannot read .*cut.tar.gz/);
    expect(result.stderr).toMatch(/orcid-db: error: Input ended in the middle of a record: .*recorded as incomplete/);
    expect(await lastLoadStatus(partial)).toBe("incomplete");
    const persons = (db: string) =>
      runBin("orcid-db", ["sql", db, "SELECT count(*) AS n FROM persons"]).then((r) => Number(lines(r.stdout)[0]!.n));
    const [some, all] = await Promise.all([persons(partial), persons(fromMirror)]);
    expect(some).toBeGreaterThan(0);
    expect(some).toBeLessThan(all);
  }, 300_000);

  test("usage errors exit 2", async () => {
    const cwd = folder("build-flags");
    for (const [args, message] of [
      [[], "name the database file"],
      [["x.duckdb"], "give --mirror DIR or the summaries archives"],
      [["x.duckdb", "--mirror", "nowhere"], "--mirror: no folder 'nowhere'"],
      [["x.duckdb", "--mirror", ".", "a.tar.gz"], "not both"],
      [["x.duckdb", "-q"], "unknown flag '-q'"],
    ] as const) {
      const result = await runCommand(script("build-db.sh"), [...args], { cwd });
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stderr, args.join(" ")).toMatch(/^build-db\.sh: error: [^\n]*\n$/);
      expect(result.stderr).toContain(message);
    }
  });
});
