/**
 * @module
 * orcid-state: the sync state. last_ran.config as the reference reads and writes it, the lock that
 * keeps a second sync out, resume checkpoints, and the reference's own resume files.
 */
export * from "./lambda_reach.ts";
export * from "./last_ran.ts";
export * from "./lock.ts";
export * from "./run_state.ts";
