/**
 * @module
 * orcid-db: orcid-extract's records in a database that follows every sync — iDs replaced whole,
 * links from DOI to iD with who asserted them, and a feed of the links added and removed. The
 * engine sits behind one small interface (engine.ts); DuckDB is the first.
 */
export * from "./doi.ts";
export * from "./doi_prefix.ts";
export * from "./duckdb_engine.ts";
export * from "./engine.ts";
export * from "./format_records.ts";
export * from "./input_records.ts";
export * from "./json_staging.ts";
export * from "./links_from_work.ts";
export * from "./loader.ts";
export * from "./open_database.ts";
export * from "./queries.ts";
export * from "./read_input.ts";
export * from "./rows.ts";
export * from "./schema.ts";
export * from "./stats.ts";
export * from "./stats_table.ts";
export * from "./table_export.ts";
export * from "./table_records.ts";
export * from "./tables.ts";
