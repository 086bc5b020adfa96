import { afterEach, describe, expect, it } from "vitest";
import { openDuckDb } from "./duckdb_engine.ts";
import { tempDb } from "./testdata/helpers.ts";

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

describe("openDuckDb()", () => {
  it("sets DuckDB's worker threads when told", async () => {
    const t = tempDb();
    cleanup = t.remove;
    for (const threads of [1, 3]) {
      const engine = await openDuckDb(t.path, { threads });
      try {
        expect(await engine.all("SELECT current_setting('threads') AS threads")).toEqual([{ threads }]);
      } finally {
        await engine.close();
      }
    }
  });
});
