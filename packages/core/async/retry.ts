/** Retrying an async operation with exponential backoff and full jitter. */

/** The retry policy of every S3 request the tools make: attempts in all, the first included. */
export const DEFAULT_ATTEMPTS = 5;

/** Options for {@linkcode retry}. */
export interface RetryOptions {
  /** Attempts in all, the first included. Default {@linkcode DEFAULT_ATTEMPTS}. */
  readonly attempts?: number;
  /** Ceiling of the first backoff in ms. Default 100. */
  readonly minDelayMs?: number;
  /** Largest backoff in ms. Default 10 000. */
  readonly maxDelayMs?: number;
  /** Growth of the ceiling per attempt. Default 2. */
  readonly multiplier?: number;
  /** Which errors are worth another attempt. Default: all. */
  readonly isRetriable?: (error: unknown) => boolean;
  /** Called before each wait, e.g. to count or log retries. */
  readonly onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  /** Stops waiting and retrying once aborted. */
  readonly signal?: AbortSignal;
  /** Source of randomness in [0, 1); replaceable for tests. Default `Math.random`. */
  readonly random?: () => number;
}

/** Thrown when every attempt failed with a retriable error; `cause` is the last error. */
export class RetryError extends Error {
  override name = "RetryError";
  readonly attempts: number;
  constructor(cause: unknown, attempts: number) {
    super(`Gave up after ${attempts} attempts: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.attempts = attempts;
  }
}

/**
 * The backoff before attempt `attempt + 1`: a random time up to `min(max, min·multiplier^(attempt-1))`
 * ("full jitter", so many clients that failed together do not retry together).
 */
export function backoffDelay(attempt: number, options: RetryOptions = {}): number {
  const ceiling = Math.min(
    options.maxDelayMs ?? 10_000,
    (options.minDelayMs ?? 100) * (options.multiplier ?? 2) ** (attempt - 1),
  );
  return Math.floor((options.random ?? Math.random)() * ceiling);
}

/**
 * Calls `fn` until it succeeds, an error is not retriable (rethrown as is), or the attempts run out
 * ({@linkcode RetryError}). `fn` receives the attempt number, starting at 1.
 *
 * @example
 * ```ts
 * const body = await retry((attempt) => get(key), { isRetriable: isRetriableError });
 * ```
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? DEFAULT_ATTEMPTS;
  for (let attempt = 1; ; attempt++) {
    options.signal?.throwIfAborted();
    try {
      return await fn(attempt);
    } catch (error) {
      if (options.signal?.aborted || !(options.isRetriable?.(error) ?? true)) throw noteAttempts(error, attempt);
      if (attempt >= attempts) throw new RetryError(error, attempt);
      const delay = backoffDelay(attempt, options);
      options.onRetry?.(error, attempt, delay);
      await sleep(delay, options.signal);
    }
  }
}

const attemptsOf = new WeakMap<object, number>();

/** Notes on an error how many attempts ended in it, for {@linkcode attemptsMade}. */
function noteAttempts(error: unknown, attempts: number): unknown {
  if (typeof error === "object" && error !== null) attemptsOf.set(error, attempts);
  return error;
}

/**
 * How many attempts {@linkcode retry} made before it threw `error`: a RetryError's count, the
 * attempt a non-retriable error came on, or 1 for an error that did not come through `retry`. What
 * error records state as `attempts`.
 *
 * @example
 * ```ts
 * try { await retry(get); } catch (error) { record.attempts = attemptsMade(error); }
 * ```
 */
export function attemptsMade(error: unknown): number {
  if (error instanceof RetryError) return error.attempts;
  return (typeof error === "object" && error !== null ? attemptsOf.get(error) : undefined) ?? 1;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
