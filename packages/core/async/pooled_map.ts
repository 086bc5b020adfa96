/** Bounded concurrency over an async iterable, results in input order. */

/** Options for {@linkcode pooledMap}. */
export interface PooledMapOptions {
  /**
   * Items started and not yet yielded, done or not (≥ `limit`). Default `limit`. A larger window
   * lets calls behind a slow head of the line keep starting, `limit` at a time, while their
   * results wait their turn: memory is then bounded by the window.
   */
  readonly window?: number;
  /** Called as each result is about to be yielded, in order: for a caller that tracks the head of the line. */
  readonly onYield?: () => void;
}

/**
 * Applies `fn` to the items of `source` with at most `limit` calls pending (a call that returns a
 * value rather than a promise is done at once), yielding results in the
 * order of the input as soon as the head of the line is done (not when the input ends). Holding at
 * most `window` (default `limit`) results bounds memory. If `fn` throws, the error is thrown from
 * the iteration and no new calls start.
 *
 * @example
 * ```ts
 * for await (const body of pooledMap(32, keys, (key) => get(key))) await out.write(body);
 * ```
 */
export async function* pooledMap<T, R>(
  limit: number,
  source: AsyncIterable<T> | Iterable<T>,
  fn: (item: T) => Promise<R> | R,
  options: PooledMapOptions = {},
): AsyncGenerator<R> {
  if (!Number.isInteger(limit) || limit < 1)
    throw new RangeError(`Cannot run a pool of ${limit}: need a whole number ≥ 1`);
  const window = options.window ?? limit;
  if (!Number.isInteger(window) || window < limit)
    throw new RangeError(`Cannot hold a window of ${window} results: need a whole number ≥ the pool's ${limit}`);
  const pending: (Promise<R> | R)[] = [];
  // Calls not yet settled: counted only when the window is wider than the pool.
  const counted = window > limit;
  let running = 0;
  let sourceDone = false;
  let sourceError: { error: unknown } | undefined;
  let stopped = false;
  let wakeConsumer: (() => void) | undefined;
  let wakeProducer: (() => void) | undefined;
  const wake = () => {
    wakeConsumer?.();
    wakeConsumer = undefined;
  };
  const settled = () => {
    running--;
    wakeProducer?.();
    wakeProducer = undefined;
  };

  // The producer runs on its own; its end is seen through sourceDone and sourceError.
  void (async () => {
    try {
      for await (const item of source) {
        while ((pending.length >= window || (counted && running >= limit)) && !stopped)
          await new Promise<void>((resolve) => (wakeProducer = resolve));
        if (stopped) break;
        let result: Promise<R> | R;
        try {
          result = fn(item);
        } catch (error) {
          result = Promise.reject(error);
        }
        // A result known at once takes no place in the pool and no promise.
        if (result instanceof Promise) {
          // A rejection is observed when it reaches the head of the line.
          if (counted) {
            running++;
            result.then(settled, settled); // its end frees a place in the pool
          } else result.catch(() => {});
        }
        pending.push(result);
        wake();
      }
    } catch (error) {
      sourceError = { error };
    } finally {
      sourceDone = true;
      wake();
    }
  })();

  try {
    for (;;) {
      if (pending.length === 0) {
        if (sourceDone) break;
        await new Promise<void>((resolve) => (wakeConsumer = resolve));
        continue;
      }
      const value = await pending[0]!;
      pending.shift();
      wakeProducer?.();
      wakeProducer = undefined;
      options.onYield?.();
      yield value;
    }
    if (sourceError) throw sourceError.error;
  } finally {
    stopped = true;
    wakeProducer?.();
  }
}
