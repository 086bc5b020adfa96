/**
 * @module
 * The shared plumbing of the orcid-sync tools: the record protocol, NDJSON input and output, the
 * CLI runner, S3 access, retries, a bounded pool, atomic writes, ORCID iD and key helpers, and
 * ORCID's link rules (DOI normaliser, provenance classes, relationship precedence).
 */
export * from "./atomic_write.ts";
export * from "./aws_advice.ts";
export * from "./aws_cli_options.ts";
export * from "./bucket_layout.ts";
export * from "./buffered_response.ts";
export * from "./byte_budget.ts";
export * from "./cli_runner.ts";
export * from "./credentials.ts";
export * from "./doi.ts";
export * from "./error_record.ts";
export * from "./flag_checks.ts";
export * from "./http_dispatcher.ts";
export * from "./item_errors.ts";
export * from "./link_class.ts";
export * from "./link_relationship.ts";
export * from "./list_objects.ts";
export * from "./lock_file.ts";
export * from "./logger.ts";
export * from "./mirror_layout.ts";
export * from "./mirror_lock.ts";
export * from "./orcid_id.ts";
export * from "./orcid_key.ts";
export * from "./package_version.ts";
export * from "./pooled_map.ts";
export * from "./pooled_merge.ts";
export * from "./process_identity.ts";
export * from "./progress.ts";
export * from "./read_lines.ts";
export * from "./read_records.ts";
export * from "./records.ts";
export * from "./redact.ts";
export * from "./retry.ts";
export * from "./s3_client.ts";
export * from "./s3_errors.ts";
export * from "./s3_response_error.ts";
export * from "./s3_retry.ts";
export * from "./shard.ts";
export * from "./sigv4.ts";
export * from "./temp_files.ts";
export * from "./time.ts";
export * from "./unreachable_error.ts";
export * from "./undici_http_handler.ts";
export * from "./wasm_tiering.ts";
export * from "./write_records.ts";
export * from "./files/mod.ts";
