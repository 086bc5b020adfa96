/**
 * The differential test: a database loaded from day 1 and then only day 2's changed iDs equals one
 * built from scratch from day 2 (every table but link_events and loads), and its change feed holds
 * exactly the links that differ between the two days, computed here from the generator's own
 * link records (not through orcid-db's derivation from works). On both engines: DuckDB, and
 * PostgreSQL on the test bed's throwaway server.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { changedIdsOnDay, type ExtractDayOptions, extractRecordsOfDay } from "../../test/generator/orcid_records.ts";
import { linkChanges } from "./queries.ts";
import { type LocalPostgres, startLocalPostgres } from "../../test/pg/server.ts";
import { type DbTarget, dumpData, loadInto, tempDb, withDb } from "./testdata/helpers.ts";

const DAY: ExtractDayOptions = { ids: 600, seed: 11, changeRate: 0.25, doiPool: 400 };
const dirs: { remove: () => void }[] = [];
afterAll(() => {
  for (const d of dirs) d.remove();
});
let pg: LocalPostgres | undefined;
let schemas = 0;
const engines: Record<string, () => DbTarget> = {
  duckdb: () => {
    const t = tempDb();
    dirs.push(t);
    return t.path;
  },
  postgres: () => ({ path: pg!.url, schema: `differential_${++schemas}` }),
};

/** A day's links as `doi orcid putCode relationship class` lines, from the generator's link records. */
function linkSet(day: number): Set<string> {
  const out = new Set<string>();
  for (const r of extractRecordsOfDay({ ...DAY, day, links: true })) {
    if (r.type === "link") out.add([r.doi, r.orcid, r.putCode, r.relationship, r.class].join(" "));
  }
  return out;
}

describe.each(Object.keys(engines))("orcid-db load, day after day, on %s", (engine) => {
  const db = engines[engine]!;
  if (engine === "postgres") {
    // No server, no test: a failure, never a skip.
    beforeAll(async () => {
      pg = await startLocalPostgres();
    }, 60_000);
    afterAll(() => pg?.stop());
  }
  it.each([
    ["work records", false],
    ["link records", true],
  ])(
    "from %s: day 1 + day 2's changes equals day 2 from scratch, and changes lists exactly the links that differ",
    async (_, links) => {
      const changed = new Set(changedIdsOnDay({ ...DAY, day: 2 }));
      expect(changed.size).toBeGreaterThan(50);
      const incremental = db();
      const scratch = db();
      await loadInto(incremental, extractRecordsOfDay({ ...DAY, day: 1, links }), { batchRecords: 700 });
      const { counts } = await loadInto(incremental, extractRecordsOfDay({ ...DAY, day: 2, links }, changed), {
        batchRecords: 700,
      });
      await loadInto(scratch, extractRecordsOfDay({ ...DAY, day: 2, links }), { batchRecords: 900 });

      const built = await withDb(scratch, dumpData);
      expect(built.links!.length).toBeGreaterThan(1000);
      expect(await withDb(incremental, dumpData)).toEqual(built);

      const day1 = linkSet(1);
      const day2 = linkSet(2);
      const removed = [...day1].filter((l) => !day2.has(l)).sort();
      const added = [...day2].filter((l) => !day1.has(l)).sort();
      expect(removed.length).toBeGreaterThan(0);
      const events: { change: string; line: string; seq: number }[] = [];
      await withDb(incremental, async (engine) => {
        for await (const c of linkChanges(engine, { after: 0 })) {
          events.push({
            change: c.change,
            seq: c.seq,
            line: [c.doi, c.orcid, c.putCode, c.relationship, c.class].join(" "),
          });
        }
      });
      expect(
        events
          .filter((e) => e.change === "removed")
          .map((e) => e.line)
          .sort(),
      ).toEqual(removed);
      expect(
        events
          .filter((e) => e.change === "added")
          .map((e) => e.line)
          .sort(),
      ).toEqual(added);
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      expect(counts).toMatchObject({ added: added.length, removed: removed.length, status: "complete" });
      // A first build is not news.
      await withDb(scratch, async (engine) =>
        expect(await engine.all("SELECT count(*) AS n FROM link_events")).toEqual([{ n: 0 }]),
      );
    },
    120_000,
  );
});
