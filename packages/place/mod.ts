/**
 * @module
 * orcid-place: files object records into a mirror in the reference's layout, atomically, and
 * keeps it deletion-correct with manifests; never writes or deletes outside the mirror.
 */
export * from "./verify_records.ts";
export * from "./run_place.ts";
