import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { doiLinks, exportLinks, linkChanges, orcidRecords } from "./queries.ts";
import { type LocalPostgres, startLocalPostgres } from "../../test/pg/server.ts";
import { type DbTarget, loadInto, parseNdjson, tempDb, withDb } from "./testdata/helpers.ts";

const DAY1 = parseNdjson(readFileSync(new URL("./testdata/day1.ndjson", import.meta.url), "utf8"));
const collect = async <T>(items: AsyncIterable<T>) => {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
};

// The same tests on each engine: a DuckDB file, a schema on the throwaway PostgreSQL.
describe.each(["duckdb", "postgres"])("on %s", (engine) => {
  let pg: LocalPostgres | undefined;
  let dir: { remove: () => void } | undefined;
  let target: DbTarget;
  beforeAll(async () => {
    if (engine === "postgres") {
      // No server, no test: a failure, never a skip.
      pg = await startLocalPostgres();
      target = { path: pg.url, schema: "queries" };
    } else {
      const t = tempDb();
      dir = t;
      target = t.path;
    }
    await loadInto(target, DAY1);
    // Day 2: Haak's crossref link is now asserted by Haak (a class change).
    await loadInto(target, [DAY1[5]!, { ...DAY1[6], class: "self" }, DAY1[7]!], {
      now: new Date("2026-11-21T00:00:00.000Z"),
    });
  }, 60_000);
  afterAll(async () => {
    dir?.remove();
    await pg?.stop();
  });

  describe("doiLinks()", () => {
    it("answers a DOI's links ordered by iD, each with the iD's names", async () => {
      const links = await withDb(target, (e) => doiLinks(e, "10.5438/3dfw-z4kq"));
      expect(links.map((l) => [l.orcid, l.putCode, l.class, l.givenNames, l.familyName, l.creditName])).toEqual([
        ["0000-0001-5109-3700", 7, "self", "Laure", "Haak", null],
        ["0000-0002-1825-0097", 102, "datacite", "Josiah", "Carberry", "J. S. Carberry"],
      ]);
      expect(links[0]).toMatchObject({
        type: "link",
        doi: "10.5438/3dfw-z4kq",
        relationship: "self",
        sourceId: "0000-0001-9884-1913",
      });
      expect(await withDb(target, (e) => doiLinks(e, "10.9999/none"))).toEqual([]);
    });
  });

  describe("orcidRecords()", () => {
    it("answers the person record then its links, the gone record of a deprecated iD, nothing for an unknown one", async () => {
      const records = await withDb(target, (e) => orcidRecords(e, "0000-0002-1825-0097"));
      expect(records[0]).toEqual({ ...DAY1[0] });
      expect(records.slice(1).map((r) => (r as { doi: string }).doi)).toEqual([
        "10.5438/0000-00ss",
        "10.5438/3dfw-z4kq",
        "10.5555/12345678",
      ]);
      expect(await withDb(target, (e) => orcidRecords(e, "0000-0002-1694-233X"))).toEqual([DAY1[8]]);
      expect(await withDb(target, (e) => orcidRecords(e, "0000-0003-1419-2405"))).toEqual([]);
    });
  });

  describe("linkChanges()", () => {
    it("answers a change of class as removed then added, after a seq or since a time", async () => {
      const changes = await withDb(target, (e) => collect(linkChanges(e, { after: 0 })));
      expect(changes.map((c) => [c.seq, c.change, c.doi, c.class, c.at])).toEqual([
        [1, "removed", "10.5438/3dfw-z4kq", "crossref", "2026-11-21T00:00:00.000Z"],
        [2, "added", "10.5438/3dfw-z4kq", "self", "2026-11-21T00:00:00.000Z"],
      ]);
      expect(await withDb(target, (e) => collect(linkChanges(e, { after: 1 })))).toHaveLength(1);
      expect(await withDb(target, (e) => collect(linkChanges(e, { since: "2026-11-21T00:00:00.001Z" })))).toEqual([]);
      expect(await withDb(target, (e) => collect(linkChanges(e, { since: "2026-11-20T00:00:00.000Z" })))).toHaveLength(
        2,
      );
    });
  });

  describe("exportLinks()", () => {
    it("streams every link sorted by (doi, orcid, putCode)", async () => {
      const links = await withDb(target, (e) => collect(exportLinks(e)));
      const keys = links.map((l) => `${l.doi} ${l.orcid} ${l.putCode}`);
      expect(keys).toHaveLength(5);
      expect(keys).toEqual([...keys].sort());
    });
  });
});
