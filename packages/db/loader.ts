/**
 * `orcid-db load`: input records into the database in batches of whole iDs. Each batch is staged
 * with the engine's bulk loader, then in one transaction its iDs' rows are deleted and inserted
 * again from the staging tables, and the links that changed become link events. Records the loader
 * does not consume wait until the batch that came before them has committed, then pass on. While a
 * batch commits (on the engine's threads or server), the next one is read: never more than one ahead.
 * A batch closes when full, or early (past a minimum) when the engine has finished the one before,
 * or when an iD comes again. An iD's records join its batch once they have ended.
 */
import type { LinkRecord, SourcedRecord, WorkRecord } from "@orcid-sync/core";
import type { SqlEngine, SqlValue } from "./engine.ts";
import { type InputRecord, isInputRecord } from "./input_records.ts";
import {
  JSON_STAGED_TYPES,
  JsonStage,
  type JsonStagedType,
  MAX_JSON_LINE_CHARS,
  type StagedLines,
  stagedLinkJson,
} from "./json_staging.ts";
import { linksFromWork } from "./links_from_work.ts";
import {
  affiliationRow,
  fundingRow,
  goneRow,
  linkRow,
  personRow,
  rejection,
  type RowValues,
  storedDoi,
  workIdRows,
  workRow,
} from "./rows.ts";
import { createTableSql } from "./schema.ts";
import { DATA_TABLES, LINK_COLUMNS } from "./tables.ts";

/**
 * Most records per batch unless told otherwise (`--batch`). Each batch costs a statement per table and,
 * when it replaces stored iDs, a delete that scans each table, so fewer batches cost less CPU; on
 * PostgreSQL two batches' rows are held in memory at once (on DuckDB their lines are in files).
 */
export const DEFAULT_BATCH_RECORDS = 100_000;

/**
 * Records a batch gathers before it may close early (`--batch` is then the cap): a batch closes at
 * the first iD that opens once it holds this many and the engine has finished the batch before, so
 * the engine commits while the input is read instead of waiting for a full batch, and the batch size
 * follows the speed of the two. Fewer would cost a statement per table for few rows.
 */
export const DEFAULT_MIN_BATCH_RECORDS = 20_000;

/** Options for {@linkcode loadRecords}. */
export interface LoadOptions {
  /** A batch closes at the first iD that opens after this many records. Default {@linkcode DEFAULT_BATCH_RECORDS}. */
  readonly batchRecords?: number;
  /**
   * A batch closes early, at the first iD that opens once it holds this many records, when the batch
   * before it has committed. Default {@linkcode DEFAULT_MIN_BATCH_RECORDS} (at most `batchRecords`).
   */
  readonly minBatchRecords?: number;
  /** The load's time (stored in `loads` and as every event's `at`). Default: now. */
  readonly now?: Date;
  /** Attempts at a batch whose failure the engine calls retryable (a lost connection, a deadlock). Default {@linkcode DEFAULT_BATCH_ATTEMPTS}. */
  readonly attempts?: number;
  /** Told of each failed attempt that will be retried. */
  readonly onRetry?: (error: unknown, attempt: number) => void;
}

/** Attempts at a batch before the load fails (PostgreSQL: a lost connection, a deadlock). */
export const DEFAULT_BATCH_ATTEMPTS = 5;

/** A batch failed on every attempt: the load ends; its iDs keep what they held before the batch. */
export class BatchFailedError extends Error {
  override name = "BatchFailedError";
}

/** What a load did, updated as it goes (for progress) and complete when it ends. */
export interface LoadCounts {
  loadId: number;
  batches: number;
  /** Input records consumed (openers and items). */
  records: number;
  /** iDs replaced. */
  ids: number;
  persons: number;
  gone: number;
  works: number;
  affiliations: number;
  fundings: number;
  links: number;
  /** Error records written for input that could not be stored. */
  errors: number;
  added: number;
  removed: number;
  /** `complete` when the input ended cleanly, else `incomplete`. */
  status: "running" | "complete" | "incomplete";
  /** Why the input ended early (a line cut short, a malformed line, a read error). */
  inputError?: Error;
  /** The iD whose records the early end cut off (not replaced). */
  cutOrcid?: string;
}

/** A fresh {@linkcode LoadCounts}. */
export function newLoadCounts(): LoadCounts {
  return {
    loadId: 0,
    batches: 0,
    records: 0,
    ids: 0,
    persons: 0,
    gone: 0,
    works: 0,
    affiliations: 0,
    fundings: 0,
    links: 0,
    errors: 0,
    added: 0,
    removed: 0,
    status: "running",
  };
}

/** An error record, as every tool writes them. */
export interface LoadErrorRecord {
  readonly type: "error";
  readonly tool: "orcid-db";
  readonly op: "load";
  readonly message: string;
  readonly code: string;
  readonly retryable: false;
  readonly attempts: 1;
  readonly orcid?: string;
}

/**
 * Records as their JSON text (UTF-8), for an engine that builds the rows itself (see json_staging.ts):
 * each record's type then its bytes, in one flat list (no object per record).
 */
type JsonLines = (JsonStagedType | Uint8Array)[];

/**
 * A work's link: its JSON text (UTF-8) when the work went as JSON text, made when the work is read
 * (the iD's group then holds the bytes, not the record and its strings, until they go to the
 * batch's files); else the record (its row is built when the iD's records end).
 */
type WorkLink = Uint8Array | LinkRecord;

/**
 * The records of the iD being read: rows built here, or lines the engine turns into rows. They join
 * the batch when the iD's records have ended (an iD cut off by a failing input never does). Its maps
 * are made when first needed (most iDs need few of them).
 */
interface IdGroup {
  readonly orcid: string;
  rows?: Map<string, RowValues[]>;
  /** Records (but links) as JSON text. */
  readonly lines: JsonLines;
  /** Links by identity, from `link` records: a row, or the record's JSON text. */
  links?: Map<string, RowValues | Uint8Array>;
  /** Links by identity, from `work` records (used when the iD has no `link` records). */
  workLinks?: Map<string, WorkLink>;
}

/**
 * A batch: its iDs, the rows built here, and the lines the engine builds rows from, written to
 * files as its iDs end (so that no line is held in memory until the commit).
 */
interface Batch {
  readonly ids: Set<string>;
  /** Rows by table. */
  readonly rows: Map<string, RowValues[]>;
  /** The lines, when the engine builds rows from them. */
  readonly lines?: StagedLines;
  /** Records read into the batch. */
  size: number;
}

function newBatch(jsonStage: JsonStage | undefined): Batch {
  return { ids: new Set(), rows: new Map(), lines: jsonStage?.batch(), size: 0 };
}

/**
 * A record read with its JSON text (read_input.ts), and the text's bytes as read when at hand: the
 * text lets DuckDB build its rows.
 */
export type LoaderInput = SourcedRecord & { readonly text?: string; readonly bytes?: Uint8Array };

// What JSON.stringify writes as `\u` escapes (control characters, lone surrogates) DuckDB's JSON
// reader refuses or writes back otherwise, and bytes that were not UTF-8 (read as U+FFFD, which
// DuckDB refuses): such lines take the JavaScript rows.
const ESCAPE = "\\u";
const NOT_UTF8 = "\uFFFD";
/** Whether a line can go to the engine as JSON text (see json_staging.ts). */
const jsonSafe = (text: string) =>
  text.charCodeAt(0) === 0x7b &&
  text.length < MAX_JSON_LINE_CHARS &&
  !text.includes(ESCAPE) &&
  !text.includes(NOT_UTF8);

const STAGE_IDS = "stage_ids";
const stageName = (table: string) => `stage_${table}`;
const linkKey = (link: LinkRecord) => `${storedDoi(link.doi)}\u0000${link.putCode}`;
const LINK_LIST = LINK_COLUMNS.map((c) => c.name).join(", ");
const sameLink = (a: string, b: string) =>
  `${a}.doi = ${b}.doi AND ${a}.orcid = ${b}.orcid AND ${a}.put_code = ${b}.put_code AND ` +
  `${a}.relationship IS NOT DISTINCT FROM ${b}.relationship AND ${a}.class IS NOT DISTINCT FROM ${b}.class`;

// Whether any of the batch's iDs is stored: every stored iD has its `person` or `gone` row.
const STORED_SQL = `SELECT 1 AS found FROM ${STAGE_IDS}
WHERE orcid IN (SELECT orcid FROM persons UNION ALL SELECT orcid FROM gone) LIMIT 1`;

const STAGE_EVENTS = "stage_events";
const EVENT_ORDER = "doi, orcid, put_code, change DESC";

// The links of the batch's iDs that are gone or changed (removed), then those new or changed
// (added), computed before the replace. Only the stored links of the batch's iDs are compared: a
// link's identity holds its iD, and the cost stays that of the batch, not of the whole table.
const DIFF_SQL = `INSERT INTO ${STAGE_EVENTS} (change, ${LINK_LIST})
WITH o AS (SELECT ${LINK_LIST} FROM links WHERE orcid IN (SELECT orcid FROM ${STAGE_IDS}))
SELECT 'removed', ${LINK_LIST} FROM o
WHERE NOT EXISTS (SELECT 1 FROM ${stageName("links")} n WHERE ${sameLink("n", "o")})
UNION ALL
SELECT 'added', ${LINK_LIST} FROM ${stageName("links")} n
WHERE NOT EXISTS (SELECT 1 FROM o WHERE ${sameLink("o", "n")})`;

// A batch none of whose iDs is stored: every link is new.
const ADDED_SQL = `INSERT INTO ${STAGE_EVENTS} (change, ${LINK_LIST})
SELECT 'added', ${LINK_LIST} FROM ${stageName("links")}`;

// Numbered after every event committed before (under the link_events lock, so seq order is commit
// order for a poller), in (doi, orcid, put_code) order, a removal before the addition of the same link.
const eventsSql = (engine: SqlEngine) => `INSERT INTO link_events (seq, "at", change, ${LINK_LIST}, load_id)
SELECT ${engine.eventSeqSql(EVENT_ORDER)}, $1, change, ${LINK_LIST}, $2 FROM ${STAGE_EVENTS} ORDER BY ${EVENT_ORDER}`;

/**
 * Loads input records and yields what passes on: records of other types (checkpoints among them)
 * and error records for input that cannot be stored, each only after the batch holding the
 * records before it has committed. The `person` or `gone` record of an iD replaces everything
 * stored for the iD with the records that follow it. `counts` is updated as batches commit.
 *
 * An input that fails (a line cut short by a dying producer, a malformed line) ends the load: the
 * iD it cut off is not replaced, the iDs before it are committed, `counts.inputError` is set and
 * the load is recorded as `incomplete`.
 *
 * @example
 * ```ts
 * const counts = newLoadCounts();
 * for await (const record of loadRecords(engine, readRecords(process.stdin), counts)) await out.write(record);
 * ```
 */
export async function* loadRecords(
  engine: SqlEngine,
  input: AsyncIterable<LoaderInput>,
  counts: LoadCounts,
  options: LoadOptions = {},
): AsyncGenerator<object> {
  const batchRecords = options.batchRecords ?? DEFAULT_BATCH_RECORDS;
  const minBatchRecords = Math.min(options.minBatchRecords ?? DEFAULT_MIN_BATCH_RECORDS, batchRecords);
  const at = (options.now ?? new Date()).toISOString();
  // A first build is not news: until a load has completed, no events are written.
  let events = false;
  await retrying(engine, options, "The load's start", async () => {
    await startLoad(engine, counts, at);
    events = (await engine.all("SELECT 1 AS found FROM loads WHERE status = 'complete' LIMIT 1")).length > 0;
  });

  // Without a temporary folder to write to, the rows are built here.
  const jsonStage = engine.stagesJson ? await JsonStage.create().catch(() => undefined) : undefined;
  // Staging tables that may hold rows: emptied before the next batch uses them.
  const filled = new Set<string>();
  let batch = newBatch(jsonStage);
  let waiting: object[] = [];
  let open: IdGroup | undefined;
  // The batch committing while the next one is read (at most one: never more than a batch ahead), with
  // the records that wait for it.
  let committing: Promise<object[]> | undefined;
  /** Whether the engine is idle: no batch committing, or its commit has ended. */
  let idle = true;

  /** Starts the batch's commit (the one before has committed); resolves to what then passes on. */
  const startCommit = () => {
    const closed = batch;
    const out = waiting;
    const read = { records: counts.records, errors: counts.errors };
    batch = newBatch(jsonStage);
    waiting = [];
    const commit = async () => {
      try {
        if (closed.ids.size > 0)
          await commitWithRetries(engine, closed, counts, { events, at, json: true, filled, ...read }, options);
      } finally {
        closed.lines?.remove();
      }
      return out;
    };
    idle = false;
    committing = commit();
    // Awaited at the next batch boundary or the end; a failure meanwhile is not unhandled.
    const ended = () => {
      idle = true;
    };
    committing.then(ended, ended);
  };
  /** Waits for the batch committing (if any) and returns what passes on after it. */
  const committed = async () => {
    const pending = committing;
    committing = undefined;
    return pending ? await pending : [];
  };
  const reject = (code: string, message: string, orcid?: string) => {
    counts.errors++;
    const error: LoadErrorRecord = {
      type: "error",
      tool: "orcid-db",
      op: "load",
      message,
      code,
      retryable: false,
      attempts: 1,
    };
    waiting.push(orcid === undefined ? error : { ...error, orcid });
  };

  try {
    const iterator = input[Symbol.asyncIterator]();
    for (;;) {
      let next: IteratorResult<LoaderInput>;
      try {
        next = await iterator.next();
      } catch (error) {
        // The input ended early: the iD it was in the middle of is not replaced.
        counts.inputError = error as Error;
        if (open) {
          batch.ids.delete(open.orcid);
          counts.cutOrcid = open.orcid;
          open = undefined;
        }
        break;
      }
      if (next.done) break;
      const { record, source, line } = next.value;
      // The line goes to the engine whole when it can build the rows from it exactly.
      const { text, bytes } = next.value;
      const json = jsonStage && text && jsonSafe(text) ? (bytes ?? Buffer.from(text)) : undefined;
      if (!isInputRecord(record)) {
        waiting.push(record);
        continue;
      }
      const item = record as InputRecord;
      counts.records++;
      const problem = rejection(item);
      if (item.type === "person" || item.type === "gone") {
        // The records of the iD before have ended.
        if (open) addGroup(batch, open);
        open = undefined;
        // The same iD twice in a batch: the later records are its state, in a batch after.
        const again = !problem && batch.ids.has(item.orcid);
        if (again || batch.size >= batchRecords || (batch.size >= minBatchRecords && idle)) {
          // The batch before this one has committed by the time this one closes.
          const out = await committed();
          startCommit();
          yield* out;
        }
        if (problem) {
          open = undefined;
          reject(
            problem.code,
            `${source}:${line}: ${problem.message}`,
            typeof item.orcid === "string" ? item.orcid : undefined,
          );
          continue;
        }
        open = { orcid: item.orcid, lines: [] };
        batch.ids.add(item.orcid);
        if (json !== undefined) open.lines.push(item.type, json);
        else
          add(
            open,
            item.type === "person" ? "persons" : "gone",
            item.type === "person" ? personRow(item) : goneRow(item),
          );
        batch.size++;
        continue;
      }
      if (problem) {
        reject(
          problem.code,
          `${source}:${line}: ${problem.message}`,
          typeof item.orcid === "string" ? item.orcid : undefined,
        );
        continue;
      }
      if (!open || open.orcid !== item.orcid) {
        reject(
          "NotOpened",
          `${source}:${line}: A ${item.type} record of ${item.orcid} does not follow a person or gone record of its iD`,
          item.orcid,
        );
        continue;
      }
      addItem(open, item, json);
      batch.size++;
    }
    if (open) addGroup(batch, open);
    yield* await committed();
    startCommit();
    yield* await committed();
  } finally {
    // Stopped early (the consumer went away, a failure): the engine is not closed under a commit.
    await committing?.catch(() => {});
    batch.lines?.remove();
    await jsonStage?.remove();
  }
  counts.status = counts.inputError ? "incomplete" : "complete";
  const ended = new Date().toISOString();
  await retrying(engine, options, "The load's end", () =>
    engine.run("UPDATE loads SET status = $1, ended = $2 WHERE id = $3", [counts.status, ended, counts.loadId]),
  );
}

/** Adds an iD's records, once they have ended, to its batch: rows as rows, lines to the batch's files. */
function addGroup(batch: Batch, group: IdGroup): void {
  for (const [table, rows] of group.rows ?? []) for (const row of rows) addRow(batch.rows, table, row);
  // Lines are made only when the batch has files for them.
  for (let i = 0; i < group.lines.length; i += 2)
    batch.lines!.add(group.lines[i] as JsonStagedType, group.lines[i + 1] as Uint8Array);
  for (const link of (group.links ?? group.workLinks)?.values() ?? []) {
    if (link instanceof Uint8Array) batch.lines!.add("link", link);
    else addRow(batch.rows, "links", Array.isArray(link) ? link : linkRow(link as LinkRecord));
  }
}

function addRow(rows: Map<string, RowValues[]>, table: string, row: RowValues): void {
  let list = rows.get(table);
  if (!list) {
    list = [];
    rows.set(table, list);
  }
  list.push(row);
}

function add(group: IdGroup, table: string, row: RowValues): void {
  group.rows ??= new Map();
  addRow(group.rows, table, row);
}

/** Adds an item to its iD's group: as its `json` text when given, else as rows. */
function addItem(group: IdGroup, item: Exclude<InputRecord, { type: "person" | "gone" }>, json?: Uint8Array): void {
  switch (item.type) {
    case "work": {
      if (json !== undefined) group.lines.push("work", json);
      else {
        add(group, "works", workRow(item));
        for (const row of workIdRows(item)) add(group, "work_ids", row);
      }
      // Links from works matter only while the iD has no link records.
      if (!group.links) {
        for (const link of linksFromWork(item as WorkRecord)) {
          const text = json !== undefined ? stagedLinkJson(link) : undefined;
          group.workLinks ??= new Map();
          group.workLinks.set(linkKey(link), text !== undefined && jsonSafe(text) ? Buffer.from(text) : link);
        }
      }
      return;
    }
    case "link":
      group.workLinks = undefined;
      group.links ??= new Map();
      // The engine stores the DOI as given: one that is not yet trimmed and lower case takes a row.
      group.links.set(linkKey(item), json !== undefined && item.doi === storedDoi(item.doi) ? json : linkRow(item));
      return;
    case "affiliation":
      if (json !== undefined) group.lines.push("affiliation", json);
      else add(group, "affiliations", affiliationRow(item));
      return;
    case "funding":
      if (json !== undefined) group.lines.push("funding", json);
      else add(group, "fundings", fundingRow(item));
  }
}

async function startLoad(engine: SqlEngine, counts: LoadCounts, at: string): Promise<void> {
  await engine.transaction(async () => {
    // Loaders sharing a database (PostgreSQL) take their ids one at a time.
    await engine.lock("loads");
    // A load still `running` whose writer is gone was killed.
    await engine.run(
      `UPDATE loads SET status = 'interrupted' WHERE status = 'running' AND NOT (${engine.liveLoadSql("loads.id")})`,
    );
    const [row] = await engine.all("SELECT coalesce(max(id), 0) + 1 AS id FROM loads");
    counts.loadId = Number(row!.id);
    await engine.holdLoad(counts.loadId);
    await engine.run(
      `INSERT INTO loads (id, started, status, batches, records, ids, persons, gone, works, affiliations, fundings, links, errors, added, removed)
       VALUES ($1, $2, 'running', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)`,
      [counts.loadId, at],
    );
  });
  await prepareStaging(engine);
}

/** (Re)creates the connection's empty staging tables. */
async function prepareStaging(engine: SqlEngine): Promise<void> {
  await engine.run(`DROP TABLE IF EXISTS ${STAGE_IDS}`);
  await engine.run(`CREATE TEMP TABLE ${STAGE_IDS} (orcid ${engine.typeOf("text")})`);
  await engine.run(`DROP TABLE IF EXISTS ${STAGE_EVENTS}`);
  await engine.run(
    createTableSql(
      engine,
      { name: STAGE_EVENTS, columns: [{ name: "change", kind: "text" }, ...LINK_COLUMNS] },
      { temp: true },
    ),
  );
  for (const table of DATA_TABLES) {
    await engine.run(`DROP TABLE IF EXISTS ${stageName(table.name)}`);
    await engine.run(createTableSql(engine, table, { temp: true, name: stageName(table.name) }));
  }
}

/** The record type whose lines are a table's rows (one row a line; `work_ids` has none). */
const TYPE_OF_TABLE: Readonly<Record<string, JsonStagedType>> = {
  persons: "person",
  gone: "gone",
  works: "work",
  affiliations: "affiliation",
  fundings: "funding",
  links: "link",
};

/**
 * Runs `work` (one transaction, or a statement), again when the engine calls its failure retryable
 * (after reconnecting if the connection was lost and making the staging tables again): a failed
 * attempt left nothing behind.
 */
async function retrying(
  engine: SqlEngine,
  options: LoadOptions,
  what: string,
  work: () => Promise<void>,
): Promise<void> {
  const attempts = options.attempts ?? DEFAULT_BATCH_ATTEMPTS;
  for (let attempt = 1; ; attempt++) {
    try {
      await work();
      return;
    } catch (error) {
      if (!engine.retryable(error)) throw error;
      if (attempt >= attempts) {
        throw new BatchFailedError(
          `${what} failed ${attempts} times, last: ${(error as Error).message}; its iDs keep what they held before it: run the load again to complete it`,
        );
      }
      options.onRetry?.(error, attempt);
      await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** (attempt - 1)));
      // Reconnecting fails again while the server is away: that is the next attempt's failure.
      try {
        await engine.reconnect();
        await prepareStaging(engine);
      } catch (reconnectError) {
        options.onRetry?.(reconnectError, attempt);
      }
    }
  }
}

/** How a batch is committed: with events or not, the load's time, and the input read up to its end. */
interface BatchOptions {
  readonly events: boolean;
  readonly at: string;
  /** Input records consumed up to the batch's end (the next batch is read meanwhile). */
  readonly records: number;
  /** Error records up to the batch's end. */
  readonly errors: number;
  /** Whether the engine builds rows from the batch's lines (else they are built here). */
  readonly json: boolean;
  /** Staging tables that may hold rows (of a batch before, or of a failed attempt at this one). */
  readonly filled: Set<string>;
}

/** Commits a batch, again after a retryable failure. */
function commitWithRetries(
  engine: SqlEngine,
  batch: Batch,
  counts: LoadCounts,
  batchOptions: BatchOptions,
  options: LoadOptions,
): Promise<void> {
  const [first] = batch.ids;
  return retrying(engine, options, `Batch ${counts.batches + 1} (${batch.ids.size} iDs from ${first})`, () =>
    commitBatch(engine, batch, counts, batchOptions).catch((error: unknown) => {
      // DuckDB refused a line that JSON.parse took (a key twice in an object): nothing of the batch
      // was committed, and its rows are built here from the same lines instead.
      if (!batch.lines || !batchOptions.json || !/JSON/.test((error as Error).message)) throw error;
      return commitBatch(engine, batch, counts, { ...batchOptions, json: false });
    }),
  );
}

/** Rows of a record given as its JSON text, built here (when the engine cannot build them). */
function rowsOfLine(type: JsonStagedType, json: Uint8Array): [table: string, row: RowValues][] {
  const record = JSON.parse(Buffer.from(json.buffer, json.byteOffset, json.byteLength).toString("utf8"));
  switch (type) {
    case "person":
      return [["persons", personRow(record)]];
    case "gone":
      return [["gone", goneRow(record)]];
    case "work":
      return [["works", workRow(record)], ...workIdRows(record).map((row): [string, RowValues] => ["work_ids", row])];
    case "affiliation":
      return [["affiliations", affiliationRow(record)]];
    case "funding":
      return [["fundings", fundingRow(record)]];
    case "link":
      return [["links", linkRow(record)]];
  }
}

async function commitBatch(engine: SqlEngine, batch: Batch, counts: LoadCounts, options: BatchOptions): Promise<void> {
  // The files are complete before the engine reads them, or before they are read back here.
  batch.lines?.finish();
  const json = batch.lines !== undefined && options.json;
  let staged = batch.rows;
  if (batch.lines && !json) {
    // A copy: the batch's own rows stay as they are for another attempt.
    staged = new Map([...batch.rows].map(([table, rows]) => [table, [...rows]]));
    for (const type of JSON_STAGED_TYPES)
      for await (const line of batch.lines.read(type))
        for (const [table, row] of rowsOfLine(type, line)) addRow(staged, table, row);
  }
  // Emptied first, not after the commit: once committed, nothing may fail and have the batch retried.
  // Only those that may hold rows: most batches stage their rows as lines, and a statement costs.
  const { filled } = options;
  for (const table of [STAGE_IDS, STAGE_EVENTS, ...DATA_TABLES.map((t) => stageName(t.name))]) {
    if (!filled.has(table)) continue;
    await engine.run(`DELETE FROM ${table}`);
    filled.delete(table);
  }
  filled.add(STAGE_IDS);
  await engine.append(
    STAGE_IDS,
    [{ name: "orcid", kind: "text" }],
    [...batch.ids].map((orcid): SqlValue[] => [orcid]),
  );
  for (const table of DATA_TABLES) {
    const rows = staged.get(table.name);
    if (!rows?.length) continue;
    filled.add(stageName(table.name));
    await engine.append(stageName(table.name), table.columns, rows);
  }
  // Links are staged when events compare them with the stored ones; the other rows go from the
  // lines into the tables in the transaction, without a staging copy.
  const linksFromLines = json && options.events;
  if (linksFromLines) {
    filled.add(stageName("links"));
    for (const sql of batch.lines!.rowsSql("links", stageName("links"))) await engine.run(sql);
  }

  // Rows per table, however staged.
  const n = (table: string) => (batch.rows.get(table)?.length ?? 0) + (batch.lines?.count(TYPE_OF_TABLE[table]!) ?? 0);
  const { added, removed } = await engine.transaction(async () => {
    let added = 0;
    let removed = 0;
    // Each delete scans its whole table, and so does the search for the links to compare: a batch
    // of iDs none of which is stored (every batch of a first build) has nothing to delete or compare.
    const stored = (await engine.all(STORED_SQL)).length > 0;
    if (options.events) {
      filled.add(STAGE_EVENTS);
      await engine.run(stored ? DIFF_SQL : ADDED_SQL);
    }
    for (const table of DATA_TABLES) {
      if (stored) await engine.run(`DELETE FROM ${table.name} WHERE orcid IN (SELECT orcid FROM ${STAGE_IDS})`);
      if (staged.get(table.name)?.length || (linksFromLines && table.name === "links"))
        await engine.run(`INSERT INTO ${table.name} SELECT * FROM ${stageName(table.name)}`);
      if (json && !(linksFromLines && table.name === "links"))
        for (const sql of batch.lines!.rowsSql(table.name, table.name)) await engine.run(sql);
    }
    if (options.events) {
      // Last, so the lock that orders events across loaders is held only to the commit.
      await engine.lock("link_events");
      await engine.run(eventsSql(engine), [options.at, counts.loadId]);
      for (const row of await engine.all(`SELECT change, count(*) AS n FROM ${STAGE_EVENTS} GROUP BY change`)) {
        if (row.change === "added") added = Number(row.n);
        else removed = Number(row.n);
      }
    }
    await engine.run(
      `UPDATE loads SET batches = $1, records = $2, ids = $3, persons = $4, gone = $5, works = $6, affiliations = $7,
         fundings = $8, links = $9, errors = $10, added = $11, removed = $12 WHERE id = $13`,
      [
        counts.batches + 1,
        options.records,
        counts.ids + batch.ids.size,
        counts.persons + n("persons"),
        counts.gone + n("gone"),
        counts.works + n("works"),
        counts.affiliations + n("affiliations"),
        counts.fundings + n("fundings"),
        counts.links + n("links"),
        options.errors,
        counts.added + added,
        counts.removed + removed,
        counts.loadId,
      ],
    );
    return { added, removed };
  });
  counts.added += added;
  counts.removed += removed;
  counts.batches++;
  counts.ids += batch.ids.size;
  counts.persons += n("persons");
  counts.gone += n("gone");
  counts.works += n("works");
  counts.affiliations += n("affiliations");
  counts.fundings += n("fundings");
  counts.links += n("links");
}
