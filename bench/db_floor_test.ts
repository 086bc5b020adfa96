import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "@orcid-sync/db";
import { extractRecordsOfDay } from "@orcid-sync/test-bed";
import { afterAll, describe, expect, test } from "vitest";
import { loaded, tables } from "./db_bounds_testing.ts";
import { type FloorPlan, stageFloor } from "./db_floor.ts";

const dir = mkdtempSync(join(tmpdir(), "bench-floor-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The floor is worth comparing with the loader only if it stores what the loader stores.
describe("the engine's floor", () => {
  for (const links of [false, true]) {
    test(`stores the rows a load stores (${links ? "link records" : "links from works"})`, async () => {
      const name = links ? "links" : "works";
      const records = join(dir, `${name}.ndjson`);
      const lines = [...extractRecordsOfDay({ ids: 300, links, seed: 7 })].map((r) => JSON.stringify(r));
      writeFileSync(records, `${lines.join("\n")}\n`);

      const { tables: expected, counts } = await loaded(records, join(dir, `${name}-load.duckdb`));

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
