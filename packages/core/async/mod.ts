/**
 * @module
 * Async helpers: a bounded pool that keeps input order, and retrying with backoff.
 */

export { pooledMap } from "./pooled_map.ts";
export { attemptsMade, DEFAULT_ATTEMPTS, retry, RetryError, type RetryOptions } from "./retry.ts";
