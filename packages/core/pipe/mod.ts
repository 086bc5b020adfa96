/**
 * @module
 * The record pipe: record types, NDJSON in and out, error records, the CLI runner (flags, stdio,
 * signals, exit codes, progress and logging on stderr), shared flag checks, and times and durations
 * as people type them.
 */
export * from "./cli_runner.ts";
export * from "./error_record.ts";
export * from "./flag_checks.ts";
export * from "./package_version.ts";
export * from "./read_records.ts";
export * from "./records.ts";
export * from "./redact.ts";
export * from "./time.ts";
export * from "./write_records.ts";
