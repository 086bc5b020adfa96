/**
 * @module
 * ORCID facts: iDs and their check digit, keys and the gate from a key to a path (`parseKey`), the
 * buckets and their layout, the mirror's folder layout, shards of `<last3>` folders, and ORCID's
 * link rules (DOI normaliser, provenance classes, relationship precedence).
 */
export * from "./bucket_layout.ts";
export * from "./doi.ts";
export * from "./link_class.ts";
export * from "./link_relationship.ts";
export * from "./mirror_layout.ts";
export * from "./orcid_id.ts";
export * from "./orcid_key.ts";
export * from "./shard.ts";
