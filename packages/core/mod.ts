/**
 * @module
 * The shared plumbing of the orcid-sync tools, one folder per concern, each with its own public
 * surface (`<folder>/mod.ts`, also importable as `@orcid-sync/core/<folder>`): `s3/` (S3 access),
 * `pipe/` (the record pipe and the CLI runner), `orcid/` (ORCID facts), `async/` (pools, retry),
 * `files/` (atomic writes, locks, the mirror). docs/architecture.md says what may import what.
 */
export * from "./async/mod.ts";
export * from "./files/mod.ts";
export * from "./orcid/mod.ts";
export * from "./pipe/mod.ts";
export * from "./s3/mod.ts";
