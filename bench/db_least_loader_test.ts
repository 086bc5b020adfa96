import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "@orcid-sync/db";
import { extractRecordsOfDay } from "@orcid-sync/test-bed";
import { afterAll, describe, expect, test } from "vitest";
import { loaded, tables } from "./db_bounds_testing.ts";
import { leastLoad } from "./db_least_loader.ts";

const dir = mkdtempSync(join(tmpdir(), "bench-least-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A bound on the loader holds only if it stores no more than the loader: the same rows, but for
// the links a load derives from works.
describe("the least loader", () => {
  for (const links of [false, true]) {
    test(`stores the rows a load stores, ${links ? "link records included" : "but the links from works"}`, async () => {
      const name = links ? "links" : "works";
      const records = join(dir, `${name}.ndjson`);
      // Other types pass through a load: the least loader skips them. Over a chunk's size, so that
      // chunks follow each other in the one transaction.
      const lines = [...extractRecordsOfDay({ ids: 6_000, links, seed: 7 })].map((r) => JSON.stringify(r));
      lines.splice(1, 0, JSON.stringify({ type: "checkpoint", bucket: "b", folder: "097" }));
      writeFileSync(records, `${lines.join("\n")}\n`);

      const { tables: expected, counts } = await loaded(records, join(dir, `${name}-load.duckdb`));

      const db = join(dir, `${name}-least.duckdb`);
      await (await openDatabase(db, { write: true })).close();
      await leastLoad(db, records);
      const least = await openDatabase(db);
      const stored = await tables(least);
      await least.close();

      expect(counts.records).toBeGreaterThan(20_000);
      expect(counts.links).toBeGreaterThan(100);
      if (!links) expected.links = [];
      expect(stored).toEqual(expected);
    });
  }
});
