/**
 * @module
 * orcid-list: what to sync. Changed records from the lambda file, a full listing of the buckets in
 * parallel by folder, or given iDs; key records, a manifest per iD, checkpoints for resume.
 */
export * from "./csv_fields.ts";
export * from "./lambda_changes.ts";
export * from "./lambda_rows.ts";
export * from "./list_records.ts";
export * from "./listing.ts";
export * from "./object_chunks.ts";
export * from "./summary_lines.ts";
export * from "./run_list.ts";
