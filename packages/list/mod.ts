/**
 * @module
 * The orcid-list library. Emit the keys to sync as NDJSON key records: changed records since a time, from ORCID's lambda file, or a full bucket listing.
 */
export {};
