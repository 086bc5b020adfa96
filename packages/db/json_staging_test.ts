/**
 * DuckDB builds the staged rows from the records' JSON text (json_staging.ts): the same database
 * as the rows built in JavaScript (rows.ts), record for record, on the generator's records and on
 * text that tests the JSON reader (escapes, non-ASCII, empty lists, nulls, a DOI not yet in lower case).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it, onTestFinished } from "vitest";
import { extractRecordsOfDay } from "../../test/generator/orcid_records.ts";
import { scratchDir } from "../core/testdata/scratch_dir.ts";
import { JsonStage } from "./json_staging.ts";
import type { LoaderInput } from "./loader.ts";
import { dumpData, loadInto, parseNdjson, sourced, tempDb, withDb } from "./testdata/helpers.ts";

const DAY1 = parseNdjson(readFileSync(new URL("./testdata/day1.ndjson", import.meta.url), "utf8"));
const CARBERRY = "0000-0002-1825-0097";
const dirs: { remove: () => void }[] = [];
afterAll(() => {
  for (const d of dirs) d.remove();
});

/** The data tables after loading `records` into a new DuckDB file, with or without their text. */
async function loaded(records: object[], text: boolean, batchRecords?: number): Promise<Record<string, string[]>> {
  const t = tempDb();
  dirs.push(t);
  await loadInto(t.path, sourced(records, { text }), { batchRecords });
  return withDb(t.path, dumpData);
}

const ODD = 'quote " back\\slash tab\t line\nbreak 中文 🙂 \u2028 / end\\';
const [person, work1, work2, affiliation, funding] = DAY1 as Record<string, unknown>[];
const EDGES: object[] = [
  {
    ...person,
    givenNames: ODD,
    otherNames: [ODD, "", "NULL"],
    researcherUrls: [{ name: ODD, url: null }],
    externalIds: [],
    keywords: ["[x]", "{k: v}"],
  },
  { ...work1, title: ODD, externalIds: [], dois: [], source: null },
  // Two works with one putCode and DOI: the later one's link is kept.
  { ...work2, title: "first", journal: ODD },
  { ...work2, title: "second", source: { kind: "orcid", id: CARBERRY, name: null, originId: null, originName: null } },
  { ...affiliation, department: ODD, source: null },
  { ...funding, externalIds: [{ type: ODD, value: null, normalized: null, url: null, relationship: null }] },
  { type: "person", orcid: "0000-0001-5109-3700", ...nulls(person!) },
  // Links: a DOI not yet in lower case, one twice (the later kept), one with control characters around.
  ...["10.5555/ABC ", "10.5555/dup", "10.5555/dup", "10.5555/x"].map((doi, i) => ({
    type: "link",
    doi,
    orcid: "0000-0001-5109-3700",
    putCode: i < 3 ? 7 : 8,
    relationship: "self",
    class: i === 2 ? "crossref" : "member",
    sourceId: null,
    sourceName: i === 3 ? "ctrl \u0001" : ODD,
    originId: null,
    originName: null,
    created: null,
    lastModified: null,
  })),
];

/** Sets (or, given undefined, unsets) the temporary folder Node reports. */
/** Sets TMPDIR for the rest of the test (a fresh folder unless one is given) and back after it. */
function useTmpdir(dir = scratchDir("json-staging-test-")): string {
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  onTestFinished(() => {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  });
  return dir;
}

/** A person's fields as null and empty lists. */
function nulls(record: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record))
    if (key !== "type" && key !== "orcid") out[key] = Array.isArray(value) ? [] : null;
  return out;
}

describe("rows from JSON text (DuckDB)", () => {
  it("equal the rows built in JavaScript: the test records and ones with escapes, nulls and duplicates", async () => {
    for (const records of [DAY1, EDGES]) {
      const rows = await loaded(records, false);
      expect(await loaded(records, true)).toEqual(rows);
      expect(rows.links!.length).toBeGreaterThan(0);
    }
  });

  it.each([
    ["work records (links derived from works)", false],
    ["link records", true],
  ])("equal the rows built in JavaScript on a generated day of %s, in batches", async (_, links) => {
    const records = [...extractRecordsOfDay({ ids: 300, seed: 5, day: 1, doiPool: 200, links })];
    const rows = await loaded(records, false, 500);
    expect(await loaded(records, true, 500)).toEqual(rows);
    expect(rows.links!.length).toBeGreaterThan(300);
    if (!links) expect(rows.work_ids!.length).toBeGreaterThan(300);
  });

  it("builds a batch's rows in JavaScript when DuckDB refuses a line JSON.parse takes (a key twice)", async () => {
    const texts = DAY1.map((record) => JSON.stringify(record));
    // A work whose title is given twice: JSON.parse keeps the last; DuckDB's reader refuses the line.
    texts[1] = texts[1]!.replace('"title":"Cracked pots"', '"title":"first","title":"Cracked pots, again"');
    async function* input(): AsyncGenerator<LoaderInput> {
      for (const [i, text] of texts.entries())
        yield { record: JSON.parse(text), source: "test", line: i + 1, text, bytes: Buffer.from(text) };
    }
    const t = tempDb();
    dirs.push(t);
    const { counts } = await loadInto(t.path, input());
    expect(counts).toMatchObject({ status: "complete", errors: 0, works: 2, links: 5 });
    const rows = await withDb(t.path, dumpData);
    expect(rows).toEqual(
      await loaded(
        texts.map((text) => JSON.parse(text)),
        false,
      ),
    );
    expect(rows.works!.some((row) => row.includes("Cracked pots, again"))).toBe(true);
  });

  it("stores bytes that are not UTF-8 as the JavaScript rows do (U+FFFD)", async () => {
    const texts = DAY1.map((record) => JSON.stringify(record));
    const lines = texts.map((text) => Buffer.from(text));
    // The family name's bytes with one that is no UTF-8.
    lines[0] = Buffer.concat([
      Buffer.from(texts[0]!.split("Carberry")[0]!),
      Buffer.from([0x43, 0xff]),
      Buffer.from(texts[0]!.split("Carberry").slice(1).join("Carberry")),
    ]);
    texts[0] = lines[0].toString("utf8");
    async function* input(): AsyncGenerator<LoaderInput> {
      for (const [i, text] of texts.entries())
        yield { record: JSON.parse(text), source: "test", line: i + 1, text, bytes: lines[i]! };
    }
    const t = tempDb();
    dirs.push(t);
    await loadInto(t.path, input());
    const rows = await withDb(t.path, dumpData);
    expect(rows).toEqual(
      await loaded(
        texts.map((text) => JSON.parse(text)),
        false,
      ),
    );
    expect(rows.persons!.some((row) => row.includes('"C\uFFFD"') || row.includes("C\uFFFD"))).toBe(true);
  });

  it("builds the rows in JavaScript when the temporary folder cannot be made", async () => {
    const t = tempDb();
    dirs.push(t);
    const expected = await loaded(DAY1, false);
    useTmpdir(join(t.dir, "missing"));
    const { counts } = await loadInto(t.path, sourced(DAY1));
    expect(counts).toMatchObject({ status: "complete", persons: 2, works: 2, links: 5 });
    expect(await withDb(t.path, dumpData)).toEqual(expected);
  });

  it("writes the lines to a folder of the system's temporary folder, removed when the load ends or fails", async () => {
    const t = tempDb();
    dirs.push(t);
    const tmp = useTmpdir();
    const during: string[][] = [];
    async function* input(fail: boolean): AsyncGenerator<LoaderInput> {
      yield* sourced(DAY1.slice(0, 5));
      during.push(readdirSync(tmp));
      yield* sourced(DAY1.slice(5));
      if (fail) throw new SyntaxError("Cannot parse record on stdin:12");
    }
    const { counts } = await loadInto(t.path, input(false), { batchRecords: 1 });
    expect(counts.status).toBe("complete");
    expect(readdirSync(tmp)).toEqual([]);
    expect((await loadInto(t.path, input(true), { batchRecords: 1 })).counts.status).toBe("incomplete");
    expect(readdirSync(tmp)).toEqual([]);
    // While loading: one folder, holding the files of the batch committed.
    expect(during.map((names) => names.map((n) => n.replace(/-\w+$/, "")))).toEqual([
      [`orcid-db-load-${process.pid}`],
      [`orcid-db-load-${process.pid}`],
    ]);
  });

  it("writes a batch's lines to its files as they are added, not all at its commit", async () => {
    const tmp = useTmpdir();
    const stage = await JsonStage.create();
    try {
      const lines = stage.batch();
      const line = Buffer.from(JSON.stringify(DAY1[0]));
      for (let i = 0; i < 2_000; i++) lines.add("person", line);
      const [folder] = readdirSync(tmp);
      const written = statSync(join(tmp, folder!, "batch-1-person.ndjson")).size;
      // Most of them are on disk already; the rest are written when the batch is finished.
      expect(written).toBeGreaterThan(1_000 * (line.length + 1));
      lines.finish();
      expect(statSync(join(tmp, folder!, "batch-1-person.ndjson")).size).toBe(2_000 * (line.length + 1));
      let read = 0;
      for await (const bytes of lines.read("person")) {
        expect(Buffer.from(bytes).equals(line)).toBe(true);
        read++;
      }
      expect(read).toBe(2_000);
      lines.remove();
      expect(readdirSync(join(tmp, folder!))).toEqual([]);
    } finally {
      await stage.remove();
    }
  });

  it("removes the folders of loads that were killed, not those of loads still running", async () => {
    const t = tempDb();
    dirs.push(t);
    const tmp = useTmpdir();
    // A process that has ended: its id is free (a load killed with SIGKILL leaves such a folder).
    const killed = spawnSync(process.execPath, ["-e", ""]).pid;
    for (const name of [`orcid-db-load-${killed}-AbC123`, `orcid-db-load-${process.ppid}-XyZ789`, "orcid-db-other"]) {
      mkdirSync(join(tmp, name));
      writeFileSync(join(tmp, name, "work.ndjson"), "{}\n");
    }
    const { counts } = await loadInto(t.path, sourced(DAY1));
    expect(counts.status).toBe("complete");
    expect(readdirSync(tmp).sort()).toEqual([`orcid-db-load-${process.ppid}-XyZ789`, "orcid-db-other"]);
  });
});
