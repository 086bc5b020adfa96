/**
 * @module
 * The orcid-fetch library. Download the objects of key records read from stdin (or files) and emit object records.
 */
export {};
