/**
 * `orcid-db export`: every table, as protocol records (NDJSON), as its rows (CSV), or as Parquet
 * partitioned for engines that read it directly (DuckDB, Spark, BigQuery).
 */
import { rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { tempPathFor, trackTempFile, untrackTempFile } from "@orcid-sync/core";
import type { Row, SqlEngine } from "./engine.ts";
import {
  affiliationRecord,
  fundingRecord,
  goneRecord,
  linkRecord,
  personRecord,
  workIdOf,
  workRecord,
} from "./table_records.ts";
import { DATA_TABLES, LINK_EVENTS, LOADS, type TableDef } from "./tables.ts";

/** The tables `orcid-db export` writes. */
export const EXPORT_TABLES = [
  "persons",
  "gone",
  "works",
  "work_ids",
  "links",
  "affiliations",
  "fundings",
  "link_events",
  "loads",
] as const;

/** A table `orcid-db export` writes. */
export type ExportTable = (typeof EXPORT_TABLES)[number];

interface ExportSpec {
  readonly table: TableDef;
  /** A total order of the rows, so an export is the same every time. */
  readonly order: string;
  /** The Parquet partition column and how it is computed. */
  readonly partition?: { readonly name: string; readonly expression: string };
}

// Links by DOI prefix (a publisher reads its own); per-iD tables by the iD's last three
// characters, as ORCID's buckets and the mirror group them.
const BY_PREFIX = { name: "doi_prefix", expression: "split_part(doi, '/', 1)" };
const BY_LAST3 = { name: "orcid_last3", expression: "right(orcid, 3)" };
const data = (name: string) => DATA_TABLES.find((t) => t.name === name)!;

const SPECS: Readonly<Record<ExportTable, ExportSpec>> = {
  persons: { table: data("persons"), order: "orcid", partition: BY_LAST3 },
  gone: { table: data("gone"), order: "orcid", partition: BY_LAST3 },
  works: { table: data("works"), order: "orcid, put_code", partition: BY_LAST3 },
  work_ids: {
    table: data("work_ids"),
    order: "orcid, put_code, type, value, normalized, url, relationship",
    partition: BY_LAST3,
  },
  links: { table: data("links"), order: "doi, orcid, put_code", partition: BY_PREFIX },
  affiliations: { table: data("affiliations"), order: "orcid, affiliation_type, put_code", partition: BY_LAST3 },
  fundings: { table: data("fundings"), order: "orcid, put_code", partition: BY_LAST3 },
  link_events: { table: LINK_EVENTS, order: "seq, doi, orcid, put_code", partition: BY_PREFIX },
  loads: { table: LOADS, order: "id" },
};

const columnList = (table: TableDef) => table.columns.map((c) => `"${c.name}"`).join(", ");

/**
 * Every row of a table in a fixed order, as the engine gives it (snake_case columns): what
 * `--format csv` writes.
 *
 * @example
 * ```ts
 * for await (const row of tableRows(engine, "loads")) console.log(row.id, row.status);
 * ```
 */
export async function* tableRows(engine: SqlEngine, table: ExportTable): AsyncGenerator<Row> {
  const spec = SPECS[table];
  yield* engine.stream(`SELECT ${columnList(spec.table)} FROM ${table} ORDER BY ${spec.order}`);
}

/**
 * Every row of a table as a protocol record, in a fixed order: `person`, `gone`, `work` (with its
 * `externalIds` from `work_ids`, in (type, value) order), `link`, `affiliation`, `funding`;
 * `link_events` as `link` records with `change`, `seq`, `at` and `loadId` (as `orcid-db changes`
 * answers, plus the load). `work_ids` (inside the `work` records) and `loads` have no record type:
 * their rows come as they are.
 *
 * @example
 * ```ts
 * for await (const record of tableRecords(engine, "persons")) out.write(record);
 * ```
 */
export async function* tableRecords(engine: SqlEngine, table: ExportTable): AsyncGenerator<object> {
  if (table === "works") {
    yield* workRecords(engine);
    return;
  }
  const convert: ((row: Row) => object) | undefined = {
    persons: personRecord,
    gone: goneRecord,
    links: linkRecord,
    affiliations: affiliationRecord,
    fundings: fundingRecord,
    link_events: (row: Row) => ({
      ...linkRecord(row),
      change: row.change,
      seq: Number(row.seq),
      at: String(row.at),
      loadId: Number(row.load_id),
    }),
  }[table as string];
  for await (const row of tableRows(engine, table)) yield convert ? convert(row) : row;
}

/** Works joined with their external ids, grouped back into one record per work. */
async function* workRecords(engine: SqlEngine): AsyncGenerator<object> {
  const ids = ["type", "value", "normalized", "url", "relationship"];
  const rows = engine.stream(
    `SELECT w.*, i.orcid AS id_orcid, ${ids.map((c) => `i."${c}" AS id_${c}`).join(", ")}
     FROM works w LEFT JOIN work_ids i ON i.orcid = w.orcid AND i.put_code = w.put_code
     ORDER BY w.orcid, w.put_code, ${ids.map((c) => `i."${c}"`).join(", ")}`,
  );
  let work: Row | undefined;
  let externalIds: ReturnType<typeof workIdOf>[] = [];
  for await (const row of rows) {
    if (!work || row.orcid !== work.orcid || row.put_code !== work.put_code) {
      if (work) yield workRecord(work, externalIds);
      work = row;
      externalIds = [];
    }
    if (row.id_orcid !== null) {
      externalIds.push(workIdOf(row, "id_"));
    }
  }
  if (work) yield workRecord(work, externalIds);
}

/**
 * Writes a table as Parquet into `folder/<table>/`: links and link events in `doi_prefix=…/`
 * sub-folders, per-iD tables in `orcid_last3=…/`, loads (and any empty table) in one file. Columns as in the table
 * (JSON as text), plus the partition column in the folder names. Written beside and renamed into
 * place, replacing an earlier export of the table. Returns the folder and how many rows.
 *
 * @example
 * ```ts
 * await exportParquet(engine, "links", "export"); // export/links/doi_prefix=10.5438/data_0.parquet …
 * ```
 */
export async function exportParquet(
  engine: SqlEngine,
  table: ExportTable,
  folder: string,
): Promise<{ folder: string; rows: number }> {
  const spec = SPECS[table];
  const target = join(folder, table);
  const temp = tempPathFor(target);
  const columns = spec.table.columns.map((c) =>
    c.kind === "json" ? `CAST("${c.name}" AS VARCHAR) AS "${c.name}"` : `"${c.name}"`,
  );
  if (spec.partition) columns.push(`${spec.partition.expression} AS ${spec.partition.name}`);
  let rows = 0;
  // A signal mid-export removes the half-written folder (a kill -9 cannot: the next export replaces it).
  trackTempFile(temp);
  try {
    // An empty table gets one empty file, without the partition column: readers see its columns
    // rather than no files at all.
    const [count] = await engine.all(`SELECT count(*) AS n FROM ${table}`);
    rows = Number(count!.n);
    const partitionBy = rows > 0 ? spec.partition?.name : undefined;
    if (!partitionBy && spec.partition) columns.pop();
    await engine.copyToParquet(`SELECT ${columns.join(", ")} FROM ${table} ORDER BY ${spec.order}`, temp, {
      partitionBy,
    });
    if (await stat(target).catch(() => undefined)) await rm(target, { recursive: true });
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  } finally {
    untrackTempFile(temp);
  }
  return { folder: target, rows };
}
