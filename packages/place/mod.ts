/**
 * @module
 * The orcid-place library. File object records under a mirror folder by the iD's checksum folder, atomically, and emit placed records.
 */
export {};
