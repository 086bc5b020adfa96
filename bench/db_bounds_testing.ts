/** What the tests of the loader's bounds (the engine's floor, the least loader) share. */
import { createReadStream } from "node:fs";
import {
  DATA_TABLES,
  type LoadCounts,
  loadRecords,
  newLoadCounts,
  openDatabase,
  readTextRecords,
  type SqlEngine,
} from "@orcid-sync/db";

/** Every data table's rows, sorted. */
export async function tables(engine: SqlEngine): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const table of DATA_TABLES) out[table.name] = await engine.all(`SELECT * FROM ${table.name} ORDER BY ALL`);
  return out;
}

/** What `orcid-db load` stores from a records file into a new database at `db`: its tables and counts. */
export async function loaded(
  records: string,
  db: string,
): Promise<{ tables: Record<string, unknown[]>; counts: LoadCounts }> {
  const engine = await openDatabase(db, { write: true });
  try {
    const counts = newLoadCounts();
    for await (const _ of loadRecords(engine, readTextRecords(createReadStream(records)), counts));
    return { tables: await tables(engine), counts };
  } finally {
    await engine.close();
  }
}
