/**
 * The engine's floor for `orcid-db load`: DuckDB alone building the rows of a records file from the
 * lines the loader would stage (the loader's own statements) and storing them in one transaction
 * written straight into the file — the engine's share of a load with nothing of the loader around
 * it: no JavaScript per record, no batches, no commit per batch. The bench sets it beside
 * orcid-extract alone: the loader cannot store records faster than its engine does this work.
 * (Building the rows in JavaScript for DuckDB's appender instead costs more, on the JavaScript side.)
 */
import { createReadStream, writeFileSync } from "node:fs";
import {
  DEFAULT_MEMORY_LIMIT,
  DATA_TABLES,
  JSON_STAGED_TYPES,
  type JsonStagedType,
  linksFromWork,
  readTextRecords,
  STORAGE_VERSION,
  StagedLines,
  stagedLinkJson,
} from "@orcid-sync/db";
import type { WorkRecord } from "@orcid-sync/core";

/** What db_floor_main.ts runs: DuckDB's settings for a load, and the statements of the one transaction. */
export interface FloorPlan {
  readonly config: Record<string, string>;
  readonly statements: readonly string[];
}

const STAGED: ReadonlySet<string> = new Set(JSON_STAGED_TYPES);

/**
 * Stages the lines of `records` (orcid-extract's output) in `dir` as the loader would (links from
 * works where the input has no link records: orcid-extract writes them for every iD or for none)
 * and writes the plan to `planFile`. Every line goes as JSON text: the lines the loader would
 * turn into rows itself (`\u` escapes, very long lines) do not occur in generated records.
 */
export async function stageFloor(records: string, dir: string, planFile: string): Promise<void> {
  const lines = new StagedLines(dir, "floor");
  const derived = new StagedLines(dir, "floor-derived");
  for await (const { record, bytes } of readTextRecords(createReadStream(records), { source: records })) {
    const type = (record as { type?: string }).type ?? "";
    if (!STAGED.has(type)) continue;
    lines.add(type as JsonStagedType, bytes);
    if (type === "work")
      for (const link of linksFromWork(record as WorkRecord)) derived.add("link", Buffer.from(stagedLinkJson(link)));
  }
  lines.finish();
  derived.finish();
  const statements = DATA_TABLES.flatMap((table) =>
    table.name === "links" && lines.count("link") === 0
      ? derived.rowsSql("links", "links")
      : lines.rowsSql(table.name, table.name),
  );
  const config = {
    // As `orcid-db load` runs DuckDB (its LOAD_THREADS).
    threads: "1",
    memory_limit: DEFAULT_MEMORY_LIMIT,
    // Below the one commit's size (DuckDB's default; the loader's is CHECKPOINT_THRESHOLD): DuckDB
    // then writes the rows straight into the file instead of to its log and then into the file.
    checkpoint_threshold: "16MB",
    storage_compatibility_version: STORAGE_VERSION,
  };
  writeFileSync(planFile, JSON.stringify({ config, statements } satisfies FloorPlan));
}
