/**
 * The least loader: the least work any `orcid-db load` must do on DuckDB, as a bound on how fast a
 * load can be. It reads a records file and hands each line, as it is read, to the files DuckDB
 * builds rows from (the loader's own `StagedLines` and statements), a chunk of whole iDs at a time,
 * each chunk inserted while the next is read; the database is opened while the first chunk is read.
 * It does less than a load must: no JSON.parse and no checks (a line's type is read from its first
 * bytes), no links derived from works, no replace of stored iDs, no events, and one transaction for
 * the whole input, large enough that DuckDB writes it straight into the file. Where even this is
 * slower than orcid-extract alone, a loader cannot keep up with orcid-extract on the same machine.
 */
import { createReadStream } from "node:fs";
import { LineSplitter } from "@orcid-sync/core";
import {
  DATA_TABLES,
  DEFAULT_MIN_BATCH_RECORDS,
  JSON_STAGED_TYPES,
  JsonStage,
  type JsonStagedType,
  openDatabase,
} from "@orcid-sync/db";

/** A line's type as orcid-extract writes it: the first key, `{"type":"…"`. */
const TYPE_PREFIX = Buffer.from('{"type":"');
const STAGED: ReadonlySet<string> = new Set(JSON_STAGED_TYPES);

function lineType(line: Buffer): string | undefined {
  if (!line.subarray(0, TYPE_PREFIX.length).equals(TYPE_PREFIX)) return undefined;
  const end = line.indexOf(0x22, TYPE_PREFIX.length);
  return end < 0 ? undefined : line.toString("latin1", TYPE_PREFIX.length, end);
}

/** Yields the lines of a file (without their newline), as views of the chunks read (no text). */
async function* fileLines(path: string): AsyncGenerator<Buffer> {
  const splitter = new LineSplitter({ source: path });
  for await (const chunk of createReadStream(path)) yield* splitter.push(chunk as Buffer);
  const last = splitter.end();
  if (last !== undefined) yield last;
}

/**
 * Stores the lines of `records` into `db` (a database with the loader's schema: made by
 * `orcid-db load DB /dev/null`), DuckDB on one thread as `orcid-db load` runs it.
 */
export async function leastLoad(db: string, records: string): Promise<void> {
  const stage = await JsonStage.create();
  const opened = openDatabase(db, { write: true, threads: 1 }).then(async (engine) => {
    // DuckDB's default: below the one commit's size, so the commit goes straight into the file.
    await engine.run("SET checkpoint_threshold = '16MB'");
    await engine.run("BEGIN TRANSACTION");
    return engine;
  });
  // A failure of the open is the inserts' (awaited there), not unhandled meanwhile.
  opened.catch(() => {});
  let inserting: Promise<void> = Promise.resolve();
  const insert = (lines: ReturnType<JsonStage["batch"]>) => {
    lines.finish();
    const before = inserting;
    inserting = (async () => {
      await before;
      const engine = await opened;
      try {
        for (const table of DATA_TABLES) for (const sql of lines.rowsSql(table.name, table.name)) await engine.run(sql);
      } finally {
        lines.remove();
      }
    })();
  };
  try {
    let chunk = stage.batch();
    let size = 0;
    for await (const line of fileLines(records)) {
      const type = lineType(line);
      if (type === undefined || !STAGED.has(type)) continue;
      // A chunk ends where an iD opens, once it is full; it waits for the one before it.
      if ((type === "person" || type === "gone") && size >= DEFAULT_MIN_BATCH_RECORDS) {
        await inserting;
        insert(chunk);
        chunk = stage.batch();
        size = 0;
      }
      chunk.add(type as JsonStagedType, line);
      size++;
    }
    insert(chunk);
    await inserting;
    const engine = await opened;
    await engine.run("COMMIT");
    await engine.run("CHECKPOINT");
    await engine.close();
  } finally {
    await stage.remove();
  }
}
