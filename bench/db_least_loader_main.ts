/**
 * `node bench/dist/db_least_loader_main.js DB RECORDS`: the least loader (db_least_loader.ts) storing
 * a records file into DB, a database made by `orcid-db load DB /dev/null`.
 */
import { leastLoad } from "./db_least_loader.ts";

const [db, records] = process.argv.slice(2);
if (!db || !records) {
  process.stderr.write("usage: db_least_loader_main.js DB RECORDS\n");
  process.exit(2);
}
await leastLoad(db, records);
