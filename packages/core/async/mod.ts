/**
 * @module
 * Async helpers: a bounded pool that keeps input order, and retrying with backoff.
 */
export * from "./pooled_map.ts";
export * from "./retry.ts";
