/**
 * @module
 * orcid-pack: .tar.gz archives in the layout of ORCID's public data file, from object records or a
 * mirror folder, compressed on every core, reproducible, written atomically.
 */
export * from "./archive_entries.ts";
export * from "./parallel_gzip.ts";
export * from "./split.ts";
export * from "./tar_gz_writer.ts";
export * from "./run_pack.ts";
