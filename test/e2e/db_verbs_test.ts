/**
 * orcid-db's verbs for its users, end to end through the real binary on generated data: prefix,
 * stats, sql and export, over a database loaded with day 1 and then day 2.
 */
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { DATA_TABLES, EXPORT_TABLES, LINK_EVENTS, LOADS, openDuckDb, tableRecords } from "@orcid-sync/db";
import { type ExtractDayOptions, extractRecordsOfDay, toNdjson } from "../generator/orcid_records.ts";
import { runBin, scratch } from "./helpers.ts";

const folder = scratch("orcid-db-verbs-");
afterAll(() => folder.remove());

const db = (args: string[], stdin?: string) => runBin("orcid-db", args, { stdin });
const lines = (text: string) =>
  text
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
const key = (l: Record<string, unknown>) => `${l.doi} ${l.orcid} ${l.putCode}`;

// link records (orcid-extract --links), so what each day holds is known apart from orcid-db.
const DAY: ExtractDayOptions = { ids: 400, seed: 11, changeRate: 0.3, doiPool: 300, links: true };
const day1 = [...extractRecordsOfDay({ ...DAY, day: 1 })];
const day2 = [...extractRecordsOfDay({ ...DAY, day: 2 })];
const linksOf = (records: Record<string, unknown>[]) => records.filter((r) => r.type === "link");
/** The PREFIX/… links of the records, sorted as orcid-db sorts them. */
const under = (records: Record<string, unknown>[], prefix: string) =>
  linksOf(records)
    .filter((l) => String(l.doi).startsWith(`${prefix}/`))
    .map(key)
    .sort();

/** day 1 only; day 1 then day 2. */
const DAY1_DB = join(folder.dir, "day1.duckdb");
const DAY2_DB = join(folder.dir, "day2.duckdb");

beforeAll(async () => {
  writeFileSync(join(folder.dir, "day1.ndjson"), toNdjson(day1));
  writeFileSync(join(folder.dir, "day2.ndjson"), toNdjson(day2));
  expect((await db(["load", DAY1_DB, join(folder.dir, "day1.ndjson")])).code).toBe(0);
  copyFileSync(DAY1_DB, DAY2_DB);
  expect((await db(["load", DAY2_DB, join(folder.dir, "day2.ndjson")])).code).toBe(0);
}, 120_000);

describe("orcid-db prefix", () => {
  test("every current link under the prefix, in any form given, with the iD's names; nothing under a shorter prefix", async () => {
    const expected = under(day1, "10.1003");
    expect(expected.length).toBeGreaterThan(10);
    for (const form of ["10.1003", "doi:10.1003", "https://doi.org/10.1003/"]) {
      const result = await db(["prefix", DAY1_DB, form]);
      expect(result.code, form).toBe(0);
      expect(lines(result.stdout).map(key), form).toEqual(expected);
    }
    const [first] = lines((await db(["prefix", DAY1_DB, "10.1003"])).stdout);
    const orcidIndex = day1.findIndex((r) => r.type === "person" && r.orcid === first!.orcid);
    expect(first).toMatchObject({
      type: "link",
      givenNames: day1[orcidIndex]!.givenNames,
      familyName: day1[orcidIndex]!.familyName,
    });

    const two = await db(["prefix", DAY1_DB, "10.1003", "10.5555"]);
    expect(lines(two.stdout).map(key).sort()).toEqual([...expected, ...under(day1, "10.5555")].sort());

    // 10.100 is the start of 10.1000 … 10.1049, none of them under it.
    const none = await db(["prefix", DAY1_DB, "10.100"]);
    expect([none.code, none.stdout]).toEqual([0, ""]);
    expect(none.stderr).toContain("nothing found: no links under 10.100");
  }, 60_000);

  test("--after and --since: the changes under the prefix, a deprecated iD's links among the removed", async () => {
    const all = lines((await db(["changes", DAY2_DB, "--after", "0"])).stdout);
    const expected = all.filter((c) => String(c.doi).startsWith("10.5555/"));
    expect(expected.some((c) => c.change === "added") && expected.some((c) => c.change === "removed")).toBe(true);
    const after = await db(["prefix", DAY2_DB, "10.5555", "--after", "0"]);
    expect(after.code).toBe(0);
    expect(lines(after.stdout)).toEqual(expected);
    expect(lines((await db(["prefix", DAY2_DB, "10.5555", "--since", "1h"])).stdout)).toEqual(expected);
    const last = Number(expected.at(-1)!.seq);
    expect((await db(["prefix", DAY2_DB, "10.5555", "--after", String(last)])).stdout).toBe("");

    // The links removed under the prefix are exactly those of day 1 that day 2 no longer has (as
    // identities; a changed class or relationship is removed then added).
    const removed = expected.filter((c) => c.change === "removed").map(key);
    const kept = new Set(under(day2, "10.5555"));
    for (const link of under(day1, "10.5555")) if (!kept.has(link)) expect(removed).toContain(link);

    // An iD deprecated on day 2: each of its day-1 links is removed.
    const gone = day2.find((r) => r.type === "gone" && linksOf(day1).some((l) => l.orcid === r.orcid));
    expect(gone).toBeDefined();
    const goneLinks = linksOf(day1)
      .filter((l) => l.orcid === gone!.orcid)
      .map(key);
    const removedAll = all.filter((c) => c.change === "removed").map(key);
    for (const link of goneLinks) expect(removedAll).toContain(link);
  }, 60_000);

  test("-o writes the file; a DOI or a word is not a prefix (exit 2), nor both --since and --after", async () => {
    const out = join(folder.dir, "10.1003.ndjson");
    const written = await db(["prefix", DAY1_DB, "10.1003", "-o", out]);
    expect([written.code, written.stdout]).toEqual([0, ""]);
    expect(lines(readFileSync(out, "utf8")).map(key)).toEqual(under(day1, "10.1003"));
    for (const [args, message] of [
      [["prefix", DAY1_DB, "10.1003/syn.1"], "Not a DOI prefix: '10.1003/syn.1'"],
      [["prefix", DAY1_DB, "elsevier"], "Not a DOI prefix: 'elsevier'"],
      [["prefix", DAY1_DB, "10.1003", "--since", "1d", "--after", "3"], "not both"],
    ] as const) {
      const result = await db([...args]);
      expect([result.code, result.stdout], args.join(" ")).toEqual([2, ""]);
      expect(result.stderr).toContain(message);
    }
  }, 60_000);
});

/** The figures stats must give for a day's link records, computed here apart from orcid-db. */
function expectedFigures(records: Record<string, unknown>[]) {
  const links = new Map(linksOf(records).map((l) => [key(l), l]));
  const values = [...links.values()];
  const perId = new Map<string, number>();
  for (const l of values) perId.set(String(l.orcid), (perId.get(String(l.orcid)) ?? 0) + 1);
  const ranked = [...perId.values()].sort((a, b) => b - a);
  const held = (percent: number) =>
    ranked.slice(0, Math.ceil((ranked.length * percent) / 100)).reduce((a, b) => a + b, 0);
  const tally = (field: string) => {
    const out: Record<string, number> = {};
    for (const l of values) out[String(l[field])] = (out[String(l[field])] ?? 0) + 1;
    return out;
  };
  const gone: Record<string, number> = {};
  for (const r of records) if (r.type === "gone") gone[String(r.reason)] = (gone[String(r.reason)] ?? 0) + 1;
  return {
    dois: new Set(values.map((l) => l.doi)).size,
    links: values.length,
    pairs: new Set(values.map((l) => `${l.doi} ${l.orcid}`)).size,
    idsWithLinks: perId.size,
    persons: records.filter((r) => r.type === "person").length,
    gone: records.filter((r) => r.type === "gone").length,
    top: [held(0.1), held(1)],
    byClass: tally("class"),
    byRelationship: tally("relationship"),
    prefixes: tally("doi"),
    goneByReason: gone,
  };
}

describe("orcid-db stats", () => {
  test("--json gives every figure of the round trip, equal to what the loaded records hold", async () => {
    const result = await db(["stats", DAY2_DB, "--json"]);
    expect(result.code).toBe(0);
    const [stats, ...rest] = lines(result.stdout);
    expect(rest).toEqual([]);
    const want = expectedFigures(day2);
    expect(stats).toMatchObject({
      type: "stats",
      dois: want.dois,
      links: want.links,
      pairs: want.pairs,
      idsWithLinks: want.idsWithLinks,
      persons: want.persons,
      gone: want.gone,
      byClass: want.byClass,
      byRelationship: want.byRelationship,
      goneByReason: want.goneByReason,
    });
    expect(want.gone).toBeGreaterThan(0);
    expect((stats!.topIdShares as { links: number; share: number }[]).map((t) => [t.links, t.share])).toEqual(
      want.top.map((n) => [n, n / want.links]),
    );
    const byPrefix: Record<string, number> = {};
    for (const [doi, n] of Object.entries(want.prefixes))
      byPrefix[doi.split("/")[0]!] = (byPrefix[doi.split("/")[0]!] ?? 0) + n;
    const prefixes = stats!.topPrefixes as { prefix: string; links: number }[];
    expect(prefixes).toHaveLength(10);
    for (const p of prefixes) expect(p.links, p.prefix).toBe(byPrefix[p.prefix]);
    expect(prefixes[0]!.links).toBe(Math.max(...Object.values(byPrefix)));

    // Day 2's load is the only one with events, so both spans hold all of them.
    const changes = lines((await db(["changes", DAY2_DB, "--after", "0"])).stdout);
    const count = (change: string) => changes.filter((c) => c.change === change).length;
    expect(stats!.recent).toEqual([7, 30].map((days) => ({ days, added: count("added"), removed: count("removed") })));
    expect(count("removed")).toBeGreaterThan(0);
    const first = lines((await db(["stats", DAY1_DB, "--json"])).stdout)[0]!;
    expect(first.recent).toEqual([
      { days: 7, added: 0, removed: 0 },
      { days: 30, added: 0, removed: 0 },
    ]);
    expect(first.links).toBe(expectedFigures(day1).links);
  }, 60_000);

  test("without --json, a table with the same figures", async () => {
    const [json, table] = await Promise.all([db(["stats", DAY2_DB, "--json"]), db(["stats", DAY2_DB, "--top", "3"])]);
    expect(table.code).toBe(0);
    const stats = lines(json.stdout)[0]!;
    const rows = table.stdout.split("\n");
    const value = (label: string) =>
      rows
        .map((r) => r.trimStart())
        .find((r) => r.startsWith(`${label}  `))
        ?.slice(label.length)
        .trim();
    expect(value("DOIs with ≥ 1 linked iD")).toBe(Number(stats.dois).toLocaleString("en-US"));
    expect(value("distinct (doi, orcid) pairs")).toBe(Number(stats.pairs).toLocaleString("en-US"));
    expect(value("deprecated")).toBe(String((stats.goneByReason as Record<string, number>).deprecated));
    const prefixRows = rows.slice(rows.indexOf("top DOI prefixes") + 1).filter((r) => /^ {2}10\./.test(r));
    expect(prefixRows).toHaveLength(3);
  }, 60_000);
});

describe("orcid-db sql", () => {
  test("a read answers plain rows (no type), as NDJSON or CSV", async () => {
    const query = "SELECT class, count(*) AS n FROM links GROUP BY class ORDER BY class";
    const result = await db(["sql", DAY1_DB, query]);
    expect(result.code).toBe(0);
    const want = expectedFigures(day1).byClass;
    expect(lines(result.stdout)).toEqual(
      Object.keys(want)
        .sort()
        .map((k) => ({ class: k, n: want[k] })),
    );
    const csv = await db([
      "sql",
      DAY1_DB,
      "SELECT orcid, given_names FROM persons ORDER BY orcid LIMIT 1",
      "--format",
      "csv",
    ]);
    expect(csv.stdout.split("\n")[0]).toBe("orcid,given_names");
    const none = await db(["sql", DAY1_DB, "SELECT * FROM links WHERE false"]);
    expect([none.code, none.stdout]).toEqual([0, ""]);
    expect(none.stderr).toContain("nothing found");
  }, 60_000);

  test("a write, a second statement, ATTACH or COPY is refused (exit 2) and changes nothing", async () => {
    const count = async () => lines((await db(["sql", DAY1_DB, "SELECT count(*) AS n FROM links"])).stdout)[0]!.n;
    const before = await count();
    expect(before).toBe(expectedFigures(day1).links);
    const elsewhere = join(folder.dir, "elsewhere");
    for (const [query, message] of [
      ["DELETE FROM links", "statement type DELETE"],
      ["CREATE TABLE notes (x INTEGER)", "statement type CREATE"],
      ["SELECT 1; DELETE FROM links", "Give one SQL statement, not 2"],
      [`ATTACH '${elsewhere}.duckdb' AS other`, "statement type ATTACH"],
      [`COPY links TO '${elsewhere}.csv'`, "statement type COPY"],
      ["SELEC 1", "Parser Error"],
    ] as const) {
      const result = await db(["sql", DAY1_DB, query]);
      expect([result.code, result.stdout], query).toEqual([2, ""]);
      expect(result.stderr.split("\n")[0], query).toContain(`orcid-db: error: Cannot run the query: `);
      expect(result.stderr, query).toContain(message);
    }
    expect(await count()).toBe(before);
    expect(existsSync(`${elsewhere}.duckdb`) || existsSync(`${elsewhere}.csv`)).toBe(false);
  }, 60_000);
});

describe("orcid-db export", () => {
  // work, affiliation and funding records this time, so every table has rows.
  const WORKS: ExtractDayOptions = { ids: 300, seed: 12, changeRate: 0.3, doiPool: 200 };
  const path = join(folder.dir, "works.duckdb");
  const works1 = [...extractRecordsOfDay({ ...WORKS, day: 1 })];
  const works2 = [...extractRecordsOfDay({ ...WORKS, day: 2 })];
  beforeAll(async () => {
    expect((await db(["load", path], toNdjson(works1))).code).toBe(0);
    expect((await db(["load", path], toNdjson(works2))).code).toBe(0);
  }, 60_000);

  test("NDJSON: every table as protocol records; persons and gone equal the records loaded", async () => {
    const out = join(folder.dir, "ndjson");
    const result = await db(["export", path, "all", "-o", out]);
    expect([result.code, result.stdout]).toEqual([0, ""]);
    expect(readdirSync(out).sort()).toEqual(EXPORT_TABLES.map((t) => `${t}.ndjson`).sort());
    const read = (table: string) => lines(readFileSync(join(out, `${table}.ndjson`), "utf8"));
    const byOrcid = (a: Record<string, unknown>, b: Record<string, unknown>) =>
      String(a.orcid).localeCompare(String(b.orcid));
    expect(read("persons")).toEqual(works2.filter((r) => r.type === "person").sort(byOrcid));
    expect(read("gone")).toEqual(works2.filter((r) => r.type === "gone").sort(byOrcid));
    const types = (table: string) => [...new Set(read(table).map((r) => r.type))];
    expect(["works", "links", "affiliations", "fundings", "link_events"].map(types)).toEqual([
      ["work"],
      ["link"],
      ["affiliation"],
      ["funding"],
      ["link"],
    ]);
    // A work's externalIds come back whole (in (type, value) order); its dois in their order.
    const loaded = works2.filter((r) => r.type === "work");
    const exported = read("works");
    expect(exported).toHaveLength(loaded.length);
    const sortIds = (w: Record<string, unknown>) => ({
      ...w,
      externalIds: (w.externalIds as { type: string; value: string }[]).toSorted((a, b) =>
        `${a.type} ${a.value}`.localeCompare(`${b.type} ${b.value}`),
      ),
    });
    const want = new Map(loaded.map((w) => [`${w.orcid} ${w.putCode}`, sortIds(w)]));
    for (const work of exported) expect(sortIds(work)).toEqual(want.get(`${work.orcid} ${work.putCode}`));
    expect(read("link_events")[0]).toMatchObject({ type: "link", seq: 1, loadId: 2 });
    expect(read("loads").map((r) => r.status)).toEqual(["complete", "complete"]);
    // One table: the file named, or stdout.
    const links = await db(["export", path, "links"]);
    expect(links.stdout).toBe(readFileSync(join(out, "links.ndjson"), "utf8"));
  }, 120_000);

  test("Parquet: partitioned by DOI prefix and by <last3>; read back with read_parquet it equals the NDJSON export", async () => {
    const out = join(folder.dir, "parquet");
    const ndjson = join(folder.dir, "ndjson-again");
    const [parquet, records] = await Promise.all([
      db(["export", path, "all", "--format", "parquet", "-o", out]),
      db(["export", path, "all", "-o", ndjson]),
    ]);
    expect([parquet.code, parquet.stdout, records.code]).toEqual([0, "", 0]);
    const prefixes = readdirSync(join(out, "links")).sort();
    expect(prefixes).toEqual([...new Set(linksOfDb(lines(readFileSync(join(ndjson, "links.ndjson"), "utf8"))))].sort());
    expect(readdirSync(join(out, "persons")).every((d) => /^orcid_last3=[0-9X]{3}$/.test(d))).toBe(true);
    expect(readdirSync(join(out, "loads"))).toEqual(["data_0.parquet"]);

    // The tables as views over the Parquet files, in a database of their own: the export's own
    // record-making reads them, and must give what the NDJSON export gave.
    const engine = await openDuckDb(join(folder.dir, "from-parquet.duckdb"));
    try {
      for (const table of [...DATA_TABLES, LINK_EVENTS, LOADS]) {
        const columns = table.columns.map((c) => `"${c.name}"`).join(", ");
        await engine.run(
          `CREATE VIEW ${table.name} AS SELECT ${columns} FROM read_parquet('${join(out, table.name)}/**/*.parquet', hive_partitioning = true)`,
        );
      }
      for (const table of EXPORT_TABLES) {
        const back: unknown[] = [];
        for await (const record of tableRecords(engine, table)) back.push(JSON.parse(JSON.stringify(record)));
        const want = lines(readFileSync(join(ndjson, `${table}.ndjson`), "utf8"));
        expect(want.length, table).toBeGreaterThan(0);
        expect(back, table).toEqual(want);
      }
    } finally {
      await engine.close();
    }
  }, 120_000);

  test("CSV: the table's columns; parquet without -o, or an unknown table, is a usage error", async () => {
    const csv = await db(["export", path, "loads", "--format", "csv"]);
    const rows = csv.stdout.trim().split("\n");
    expect(rows[0]).toBe(LOADS.columns.map((c) => c.name).join(","));
    expect(rows).toHaveLength(3);
    for (const [args, message] of [
      [["export", path, "links", "--format", "parquet"], "give -o FOLDER"],
      [["export", path, "schema_info"], "Invalid values"],
    ] as const) {
      const result = await db([...args]);
      expect([result.code, result.stdout], args.join(" ")).toEqual([2, ""]);
      expect(result.stderr).toContain(message);
    }
  }, 60_000);
});

/** The Hive folder of each link's DOI prefix. */
function linksOfDb(links: Record<string, unknown>[]): string[] {
  return links.map((l) => `doi_prefix=${String(l.doi).split("/")[0]}`);
}
