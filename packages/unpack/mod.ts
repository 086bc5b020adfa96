/**
 * @module
 * orcid-unpack: ORCID's yearly public data files (and orcid-pack's archives) as the object records
 * orcid-fetch emits, streamed a member at a time, so a mirror or a database can start from them.
 */
export * from "./member_filter.ts";
export * from "./member_key.ts";
export * from "./object_line.ts";
export * from "./tar_bytes.ts";
export * from "./unpack_members.ts";
export * from "./run_unpack.ts";
