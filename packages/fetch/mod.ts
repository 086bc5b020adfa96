/**
 * @module
 * orcid-fetch: concurrent, verified downloads. Key records in; object, missing, unchanged and
 * error records out, in input order, with memory bounded by bytes in flight.
 */
export * from "./fetch_object.ts";
export * from "./fetch_records.ts";
export * from "./local_copy.ts";
export * from "./units.ts";
export * from "./run_fetch.ts";
