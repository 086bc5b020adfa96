import { readFileSync } from "node:fs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { SourcedRecord } from "@orcid-sync/core";
import { type LocalPostgres, startLocalPostgres } from "../../test/pg/server.ts";
import { loadRecords, newLoadCounts } from "./loader.ts";
import {
  type DbTarget,
  dumpData,
  dumpTable,
  loadInto,
  openTarget,
  parseNdjson,
  sourced,
  tempDb,
  withDb,
} from "./testdata/helpers.ts";

const DAY1 = parseNdjson(readFileSync(new URL("./testdata/day1.ndjson", import.meta.url), "utf8"));
const CARBERRY = "0000-0002-1825-0097";
const HAAK = "0000-0001-5109-3700";

let cleanup: (() => void) | undefined;
afterEach(() => {
  cleanup?.();
  cleanup = undefined;
});
let pg: LocalPostgres | undefined;
let schemas = 0;
// The same tests on each engine: a DuckDB file, a fresh schema on the throwaway PostgreSQL.
const engines: Record<string, () => DbTarget> = {
  duckdb: () => {
    const t = tempDb();
    cleanup = t.remove;
    return t.path;
  },
  postgres: () => ({ path: pg!.url, schema: `loader_${++schemas}` }),
};

describe.each(Object.keys(engines))("loadRecords() on %s", (engine) => {
  const db = engines[engine]!;
  if (engine === "postgres") {
    // No server, no test: a failure, never a skip.
    beforeAll(async () => {
      pg = await startLocalPostgres();
    }, 60_000);
    afterAll(() => pg?.stop());
  }
  it("stores every record type, derives links from works, and passes other records on", async () => {
    const path = db();
    const { out, counts } = await loadInto(path, DAY1);
    expect(out).toEqual([{ type: "checkpoint", bucket: "v3.0-summaries", folder: "097" }]);
    expect(counts).toMatchObject({
      status: "complete",
      ids: 3,
      persons: 2,
      gone: 1,
      works: 2,
      affiliations: 1,
      fundings: 1,
      links: 5,
      errors: 0,
    });
    await withDb(path, async (engine) => {
      const links = await engine.all(
        "SELECT doi, orcid, put_code, relationship, class FROM links ORDER BY doi, orcid, put_code",
      );
      expect(links).toEqual([
        { doi: "10.1000/xyz", orcid: HAAK, put_code: 8, relationship: "self", class: "self-via-member" },
        { doi: "10.5438/0000-00ss", orcid: CARBERRY, put_code: 102, relationship: "part-of", class: "datacite" },
        { doi: "10.5438/3dfw-z4kq", orcid: HAAK, put_code: 7, relationship: "self", class: "crossref" },
        { doi: "10.5438/3dfw-z4kq", orcid: CARBERRY, put_code: 102, relationship: "self", class: "datacite" },
        { doi: "10.5555/12345678", orcid: CARBERRY, put_code: 101, relationship: "self", class: "self" },
      ]);
      expect(await engine.all("SELECT * FROM gone")).toEqual([
        { orcid: "0000-0002-1694-233X", reason: "deprecated", redirect: CARBERRY, code: 9007 },
      ]);
      const [person] = await engine.all("SELECT other_names, researcher_urls FROM persons WHERE orcid = $1", [
        CARBERRY,
      ]);
      expect(person).toEqual({
        other_names: ["Josiah Stinkney Carberry"],
        researcher_urls: '[{"name":"Brown","url":"https://library.brown.edu/carberry"}]',
      });
      expect(await dumpTable(engine, "work_ids", "orcid, put_code, type, normalized")).toHaveLength(4);
      expect(await engine.all("SELECT count(*) AS n FROM link_events")).toEqual([{ n: 0 }]);
    });
  });

  it("replaces everything stored for an iD with what follows its opener, and writes the changed links as events", async () => {
    const path = db();
    await loadInto(path, DAY1);
    const [person] = DAY1;
    const work = DAY1[1] as Record<string, unknown>;
    // Carberry's day 2: one work left, now asserted by another person; Haak deprecated.
    await loadInto(
      path,
      [
        person!,
        { ...work, source: { kind: "orcid", id: HAAK, name: "Laure Haak", originId: null, originName: null } },
        { type: "gone", orcid: HAAK, reason: "deprecated", redirect: CARBERRY, code: 9007 },
      ],
      { now: new Date("2026-11-21T00:00:00.000Z") },
    );
    await withDb(path, async (engine) => {
      expect(await engine.all("SELECT orcid FROM persons")).toEqual([{ orcid: CARBERRY }]);
      expect(await engine.all("SELECT count(*) AS n FROM affiliations")).toEqual([{ n: 0 }]);
      expect(await engine.all("SELECT count(*) AS n FROM fundings")).toEqual([{ n: 0 }]);
      expect(await engine.all("SELECT orcid FROM gone ORDER BY orcid")).toEqual([
        { orcid: HAAK },
        { orcid: "0000-0002-1694-233X" },
      ]);
      const events = await engine.all(
        'SELECT seq, "at", change, doi, orcid, put_code, class FROM link_events ORDER BY seq',
      );
      expect(events).toEqual([
        {
          seq: 1,
          at: "2026-11-21T00:00:00.000Z",
          change: "removed",
          doi: "10.1000/xyz",
          orcid: HAAK,
          put_code: 8,
          class: "self-via-member",
        },
        {
          seq: 2,
          at: "2026-11-21T00:00:00.000Z",
          change: "removed",
          doi: "10.5438/0000-00ss",
          orcid: CARBERRY,
          put_code: 102,
          class: "datacite",
        },
        {
          seq: 3,
          at: "2026-11-21T00:00:00.000Z",
          change: "removed",
          doi: "10.5438/3dfw-z4kq",
          orcid: HAAK,
          put_code: 7,
          class: "crossref",
        },
        {
          seq: 4,
          at: "2026-11-21T00:00:00.000Z",
          change: "removed",
          doi: "10.5438/3dfw-z4kq",
          orcid: CARBERRY,
          put_code: 102,
          class: "datacite",
        },
        {
          seq: 5,
          at: "2026-11-21T00:00:00.000Z",
          change: "removed",
          doi: "10.5555/12345678",
          orcid: CARBERRY,
          put_code: 101,
          class: "self",
        },
        {
          seq: 6,
          at: "2026-11-21T00:00:00.000Z",
          change: "added",
          doi: "10.5555/12345678",
          orcid: CARBERRY,
          put_code: 101,
          class: "other-person",
        },
      ]);
    });
  });

  it("deletes nothing for a batch of iDs none of which is stored, and replaces an iD stored only as gone", async () => {
    const path = db();
    const engine = await openTarget(path, { write: true });
    const deletes: string[] = [];
    const run = engine.run.bind(engine);
    engine.run = (sql, params) => {
      if (/^DELETE FROM (?!stage_)/.test(sql)) deletes.push(sql);
      return run(sql, params);
    };
    try {
      for await (const _ of loadRecords(engine, sourced(DAY1), newLoadCounts()));
      expect(deletes).toEqual([]);
      // The deprecated iD, reinstated, in a batch with a new iD: the batch holds a stored iD.
      const reinstated = { type: "person", orcid: "0000-0002-1694-233X", givenNames: "Back" };
      const fresh = { type: "person", orcid: "0000-0003-1415-9269", givenNames: "New" };
      for await (const _ of loadRecords(engine, sourced([fresh, reinstated]), newLoadCounts()));
      expect(deletes.length).toBeGreaterThan(0);
    } finally {
      await engine.close();
    }
    await withDb(path, async (engine) => {
      expect(await engine.all("SELECT orcid FROM gone")).toEqual([]);
      expect(await engine.all("SELECT given_names FROM persons ORDER BY given_names")).toEqual([
        { given_names: "Back" },
        { given_names: "Josiah" },
        { given_names: "Laure" },
        { given_names: "New" },
      ]);
    });
  });

  it("writes every link of a batch of new iDs as added, after a first load", async () => {
    const path = db();
    await loadInto(path, DAY1.slice(5));
    // Carberry's records, none of whose iDs is stored yet.
    const { counts } = await loadInto(path, DAY1.slice(0, 5), { now: new Date("2026-11-21T00:00:00.000Z") });
    expect(counts).toMatchObject({ added: 3, removed: 0 });
    await withDb(path, async (engine) => {
      expect(await engine.all("SELECT change, doi, orcid, put_code FROM link_events ORDER BY seq")).toEqual([
        { change: "added", doi: "10.5438/0000-00ss", orcid: CARBERRY, put_code: 102 },
        { change: "added", doi: "10.5438/3dfw-z4kq", orcid: CARBERRY, put_code: 102 },
        { change: "added", doi: "10.5555/12345678", orcid: CARBERRY, put_code: 101 },
      ]);
    });
  });

  it("is idempotent: the same input again changes no row and writes no event", async () => {
    const path = db();
    await loadInto(path, DAY1);
    await loadInto(path, DAY1.slice(0, 5));
    const before = await withDb(path, dumpData);
    const { counts } = await loadInto(path, DAY1);
    expect(counts).toMatchObject({ added: 0, removed: 0 });
    await withDb(path, async (engine) => {
      expect(await dumpData(engine)).toEqual(before);
      expect(await engine.all("SELECT count(*) AS n FROM link_events")).toEqual([{ n: 0 }]);
      expect(await engine.all("SELECT id, status FROM loads ORDER BY id")).toEqual([
        { id: 1, status: "complete" },
        { id: 2, status: "complete" },
        { id: 3, status: "complete" },
      ]);
    });
  });

  it("writes an error record for an invalid iD, a record of an iD not opened and a link without a DOI, and goes on", async () => {
    const path = db();
    const { out, counts } = await loadInto(path, [
      { ...DAY1[0], orcid: "0000-0002-1825-0098" },
      { ...DAY1[1], orcid: "0000-0002-1825-0098" },
      DAY1[5]!,
      { ...DAY1[6], doi: null },
      DAY1[1]!,
      DAY1[7]!,
    ]);
    expect(out.map((r) => (r as { code: string }).code)).toEqual([
      "InvalidOrcid",
      "InvalidOrcid",
      "NoDoi",
      "NotOpened",
    ]);
    expect(out[0]).toMatchObject({
      type: "error",
      tool: "orcid-db",
      op: "load",
      message: expect.stringContaining("test:1"),
      retryable: false,
    });
    expect(counts).toMatchObject({ status: "complete", errors: 4, ids: 1, links: 1 });
  });

  it("stores the later records of an iD that comes twice in the input, in a batch of their own", async () => {
    const path = db();
    const [person, work1, work2] = DAY1 as Record<string, unknown>[];
    const haak = DAY1.slice(5);
    const { counts } = await loadInto(path, [person!, work1!, ...haak, person!, work2!]);
    expect(counts).toMatchObject({ status: "complete", batches: 2, ids: 4, works: 2, errors: 0 });
    await withDb(path, async (engine) => {
      expect(await engine.all("SELECT orcid, put_code FROM works ORDER BY orcid")).toEqual([
        { orcid: CARBERRY, put_code: (work2 as { putCode: number }).putCode },
      ]);
      expect(await engine.all("SELECT count(*) AS n FROM persons")).toEqual([{ n: 2 }]);
      expect(await engine.all("SELECT DISTINCT put_code FROM links WHERE orcid = $1", [CARBERRY])).toEqual([
        { put_code: (work2 as { putCode: number }).putCode },
      ]);
    });
  });

  it("holds each checkpoint until the batch with the records before it has committed, and never splits an iD", async () => {
    const path = db();
    const engine = await openTarget(path, { write: true });
    try {
      const counts = newLoadCounts();
      const seen: number[] = [];
      for await (const record of loadRecords(engine, sourced(DAY1), counts, { batchRecords: 1 })) {
        if ((record as { type: string }).type === "checkpoint") {
          seen.push(
            Number((await engine.all("SELECT count(*) AS n FROM persons"))[0]!.n) +
              Number((await engine.all("SELECT count(*) AS n FROM gone"))[0]!.n),
          );
        }
      }
      expect(seen).toEqual([3]);
      expect(counts.batches).toBe(3);
    } finally {
      await engine.close();
    }
  });

  it("reads the next batch while one commits, at most one batch ahead", async () => {
    const path = db();
    const engine = await openTarget(path, { write: true });
    let pulled = 0;
    async function* counted(): AsyncGenerator<SourcedRecord> {
      for await (const record of sourced(DAY1)) {
        pulled++;
        yield record;
      }
    }
    // Input pulled when each transaction begins (the load's start, then one per batch), once the
    // in-memory input has had a turn of the event loop to be read ahead.
    const atCommit: number[] = [];
    const watched = new Proxy(engine, {
      get(target, key) {
        const value = Reflect.get(target, key);
        if (key !== "transaction") return typeof value === "function" ? value.bind(target) : value;
        return async <T>(work: () => Promise<T>) => {
          await new Promise((resolve) => setImmediate(resolve));
          atCommit.push(pulled);
          return target.transaction(work);
        };
      },
    });
    try {
      const counts = newLoadCounts();
      for await (const _ of loadRecords(watched, counted(), counts, { batchRecords: 1 })) {
        // passed on
      }
      expect(counts.batches).toBe(3);
      // Batch 1 (Carberry) commits while batch 2 (Haak) is read, up to the opener that closes it
      // (the 9th record); batch 2 commits while the rest is read.
      expect(atCommit).toEqual([0, 9, 10, 10]);
      expect(await engine.all("SELECT batches, records FROM loads")).toEqual([{ batches: 3, records: 9 }]);
    } finally {
      await engine.close();
    }
  });

  it("closes a batch early, past the minimum, when the batch before has committed, and not while it commits", async () => {
    const path = db();
    const engine = await openTarget(path, { write: true });
    // The first batch's transaction waits until the input has ended: the engine is busy meanwhile.
    let release!: () => void;
    const inputEnded = new Promise<void>((resolve) => {
      release = resolve;
    });
    let transactions = 0;
    const held = new Proxy(engine, {
      get(target, key) {
        const value = Reflect.get(target, key);
        if (key !== "transaction") return typeof value === "function" ? value.bind(target) : value;
        return async <T>(work: () => Promise<T>) => {
          // The load's start, then the first batch.
          if (++transactions === 2) await inputEnded;
          return target.transaction(work);
        };
      },
    });
    async function* input(): AsyncGenerator<SourcedRecord> {
      yield* sourced(DAY1);
      release();
    }
    try {
      const counts = newLoadCounts();
      const out: object[] = [];
      for await (const record of loadRecords(held, input(), counts, { batchRecords: 1000, minBatchRecords: 1 })) {
        out.push(record);
      }
      // Carberry's batch closes at Haak's opener (nothing committing then, though far below the cap
      // of 1,000); Haak and the gone iD stay in one batch, since Carberry's commits meanwhile.
      expect(counts.batches).toBe(2);
      expect(out).toEqual([{ type: "checkpoint", bucket: "v3.0-summaries", folder: "097" }]);
      expect(counts).toMatchObject({ status: "complete", ids: 3, records: 9, links: 5 });
    } finally {
      await engine.close();
    }
  });

  it("stores lists of text exactly: quotes, backslashes, brackets, commas, NULL, control characters", async () => {
    const path = db();
    const names = [
      'a "b", c',
      "back\\slash",
      "end\\",
      "[x]",
      "{k: v}",
      "NULL",
      "",
      " spaced ",
      "tab\there",
      "line\nbreak",
      "x'y",
      "中文 🙂",
    ];
    await loadInto(path, [{ ...DAY1[0], otherNames: names, keywords: ["plain"], emails: ["\u0001"] }]);
    await withDb(path, async (engine) => {
      expect(await engine.all("SELECT other_names, keywords, emails FROM persons")).toEqual([
        { other_names: names, keywords: ["plain"], emails: ["\u0001"] },
      ]);
    });
  });

  it("stores the rows built here once when later batches have none (their staging tables emptied)", async () => {
    const path = db();
    // Carberry's person and one of Haak's links take the JavaScript rows (a control character, a DOI
    // not in lower case); the batches after them have none.
    const input = DAY1.map((record, i) =>
      i === 0
        ? { ...record, emails: ["\u0001"] }
        : i === 6
          ? { ...record, doi: (record as { doi: string }).doi.toUpperCase() }
          : record,
    );
    for (const load of [1, 2]) {
      const { counts } = await loadInto(path, input, { batchRecords: 1 });
      expect(counts).toMatchObject({ batches: 3, persons: 2, links: 5, added: 0, removed: 0 });
      await withDb(path, async (engine) => {
        expect(await engine.all("SELECT count(*) AS n FROM persons"), `load ${load}`).toEqual([{ n: 2 }]);
        expect(await engine.all("SELECT count(*) AS n FROM links"), `load ${load}`).toEqual([{ n: 5 }]);
        expect(await engine.all("SELECT count(*) AS n FROM link_events"), `load ${load}`).toEqual([{ n: 0 }]);
      });
    }
  });

  it("leaves an iD cut off by a failing input as it was, and records the load as incomplete", async () => {
    const path = db();
    await loadInto(path, DAY1);
    const before = await withDb(path, dumpData);
    async function* failing(): AsyncGenerator<SourcedRecord> {
      yield* sourced([DAY1[0]!, DAY1[1]!]);
      throw new SyntaxError("Cannot parse record on stdin:3");
    }
    const { counts } = await loadInto(path, failing());
    expect(counts).toMatchObject({ status: "incomplete", cutOrcid: CARBERRY, ids: 0 });
    expect(counts.inputError?.message).toContain("stdin:3");
    await withDb(path, async (engine) => {
      expect(await dumpData(engine)).toEqual(before);
      expect(await engine.all("SELECT status FROM loads ORDER BY id")).toEqual([
        { status: "complete" },
        { status: "incomplete" },
      ]);
    });
  });
});
