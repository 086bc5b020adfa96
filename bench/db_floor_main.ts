/**
 * `node bench/dist/db_floor_main.js DB PLAN`: the engine's floor (db_floor.ts). Opens DB (made by
 * `orcid-db load DB /dev/null`, so its schema is the loader's) with the plan's settings, runs the
 * plan's statements in one transaction, checkpoints and closes. It imports DuckDB's binding alone:
 * its start-up is the engine's, not the bench's.
 */
import { readFileSync } from "node:fs";
import { DuckDBInstance } from "@duckdb/node-api";
import type { FloorPlan } from "./db_floor.ts";

const [db, planFile] = process.argv.slice(2);
if (!db || !planFile) {
  process.stderr.write("usage: db_floor_main.js DB PLAN\n");
  process.exit(2);
}
const plan = JSON.parse(readFileSync(planFile, "utf8")) as FloorPlan;
const instance = await DuckDBInstance.create(db, plan.config);
const connection = await instance.connect();
await connection.run("BEGIN TRANSACTION");
for (const statement of plan.statements) await connection.run(statement);
await connection.run("COMMIT");
// As a load's close does; little is left for it, the commit having gone straight into the file.
await connection.run("CHECKPOINT");
connection.closeSync();
instance.closeSync();
