/**
 * @module
 * orcid-extract: ORCID record summaries (XML) to compact records — person, work, affiliation,
 * funding, gone, and DOI links with who asserted them — in one streaming pass, on every core.
 */
export * from "./client_table.ts";
export * from "./summary_extractor.ts";
export * from "./summary_task.ts";
export * from "./extract_records.ts";
export * from "./summary_files.ts";
export * from "./worker_pool.ts";
export * from "./run_extract.ts";
