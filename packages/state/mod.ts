/**
 * @module
 * The orcid-state library. Read and write the sync state: last_ran.config, the lock and resume checkpoints.
 */
export {};
