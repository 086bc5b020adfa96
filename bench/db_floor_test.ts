import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DATA_TABLES, loadRecords, newLoadCounts, openDatabase, readTextRecords, type SqlEngine } from "@orcid-sync/db";
import { extractRecordsOfDay } from "@orcid-sync/test-bed";
import { afterAll, describe, expect, test } from "vitest";
import { type FloorPlan, stageFloor } from "./db_floor.ts";

const dir = mkdtempSync(join(tmpdir(), "bench-floor-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function tables(engine: SqlEngine): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const table of DATA_TABLES) out[table.name] = await engine.all(`SELECT * FROM ${table.name} ORDER BY ALL`);
  return out;
}

// The floor is worth comparing with the loader only if it stores what the loader stores.
describe("the engine's floor", () => {
  for (const links of [false, true]) {
    test(`stores the rows a load stores (${links ? "link records" : "links from works"})`, async () => {
      const name = links ? "links" : "works";
      const records = join(dir, `${name}.ndjson`);
      const lines = [...extractRecordsOfDay({ ids: 300, links, seed: 7 })].map((r) => JSON.stringify(r));
      writeFileSync(records, `${lines.join("\n")}\n`);

      const loaded = await openDatabase(join(dir, `${name}-load.duckdb`), { write: true });
      const counts = newLoadCounts();
      for await (const _ of loadRecords(loaded, readTextRecords(createReadStream(records)), counts));
      const expected = await tables(loaded);
      await loaded.close();

      const plan = join(dir, `${name}-plan.json`);
      await stageFloor(records, join(dir, `${name}-staged`), plan);
      const floor = await openDatabase(join(dir, `${name}-floor.duckdb`), { write: true });
      const { statements } = JSON.parse(readFileSync(plan, "utf8")) as FloorPlan;
      await floor.transaction(async () => {
        for (const statement of statements) await floor.run(statement);
      });
      const stored = await tables(floor);
      await floor.close();

      expect(counts.links).toBeGreaterThan(100);
      expect(expected.works!.length).toBe(links ? 0 : counts.works);
      expect(stored).toEqual(expected);
    });
  }
});
