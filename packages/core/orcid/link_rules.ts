/**
 * @module
 * ORCID's link rules alone (`@orcid-sync/core/link_rules`): the DOI normaliser, the provenance
 * classes and the relationship precedence, without the rest of core. orcid-extract's worker threads
 * import this, so each starts without loading core's S3 and CLI modules.
 */
export * from "./doi.ts";
export * from "./link_class.ts";
export * from "./link_relationship.ts";
