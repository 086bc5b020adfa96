/** `orcid-db export DB TABLE… [--format ndjson|csv|parquet] [-o PATH]`: tables out of the database. */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { ExitCode, UsageError } from "@orcid-sync/core";
import { EXPORT_TABLES, type ExportTable, exportParquet, tableRecords, tableRows } from "../table_export.ts";
import { emit } from "./emit.ts";
import type { Verb } from "./verb.ts";

const EXPORT_FORMATS = ["ndjson", "csv", "parquet"] as const;

export const exportVerb: Verb = {
  command: "export <db> <tables..>",
  describe: "Tables as protocol records (NDJSON), rows (CSV), or Parquet partitioned for DuckDB, Spark or BigQuery",
  options: (y) =>
    y
      .positional("db", { type: "string" })
      .positional("tables", {
        choices: [...EXPORT_TABLES, "all"],
        array: true,
        describe: "Tables to export (all: every one)",
      })
      .option("format", {
        choices: EXPORT_FORMATS,
        default: "ndjson",
        describe:
          "ndjson: protocol records (person, work, link…); csv: the table's columns; parquet: files under -o FOLDER/TABLE/",
      })
      .option("output", {
        alias: "o",
        type: "string",
        describe:
          "One table: the FILE to write (renamed into place when complete; default stdout). Several tables, or parquet: the FOLDER to write them in",
      }),
  prepare: (args) => {
    const named = (args.tables ?? []) as string[];
    const tables = [...new Set(named.includes("all") ? EXPORT_TABLES : (named as ExportTable[]))];
    const format = (args.format ?? "ndjson") as (typeof EXPORT_FORMATS)[number];
    const output = args.output === "-" ? undefined : args.output;
    const intoFolder = format === "parquet" || tables.length > 1;
    if (format === "parquet" && !output) throw new UsageError("--format parquet writes files: give -o FOLDER");
    return async (engine, ctx) => {
      if (intoFolder && output) await mkdir(output, { recursive: true });
      const done: string[] = [];
      for (const table of tables) {
        if (format === "parquet") {
          const { folder, rows } = await exportParquet(engine, table, output!);
          done.push(`${table} ${rows} (${folder})`);
          continue;
        }
        const file = output && intoFolder ? join(output, `${table}.${format}`) : output;
        const records = format === "ndjson" ? tableRecords(engine, table) : tableRows(engine, table);
        const count = await emit(records, ctx, { format, output: file });
        done.push(`${table} ${count}${file ? ` (${file})` : ""}`);
      }
      ctx.summary(`exported ${done.join(", ")}`);
      return ExitCode.Ok;
    };
  },
};
