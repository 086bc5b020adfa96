/** The one retry policy of S3 requests: {@linkcode DEFAULT_ATTEMPTS} attempts, backoff with full jitter, retrying what `classifyError` calls retryable. */
import { retry, type RetryOptions } from "../async/mod.ts";
import { isRetriableError } from "./s3_errors.ts";

/** Options for {@linkcode retryS3}: the policy's knobs, without the classifier. */
export type S3RetryOptions = Omit<RetryOptions, "isRetriable" | "random">;

/**
 * Calls `fn` under the S3 retry policy; what it throws carries the attempts made
 * ({@linkcode attemptsMade}).
 *
 * @example
 * ```ts
 * const page = await retryS3(() => s3.request(bucket, ""), { signal });
 * ```
 */
export function retryS3<T>(fn: (attempt: number) => Promise<T>, options: S3RetryOptions = {}): Promise<T> {
  return retry(fn, { ...options, isRetriable: isRetriableError });
}
