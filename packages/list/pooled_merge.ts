/** Running several async sequences at once and taking their items as they come. */

/**
 * Runs `fn` for up to `limit` items of `source` at a time and yields the items of the sequences it
 * returns as soon as each is ready, in whatever order they finish; a sequence's own items keep
 * their order. Each running sequence has at most one item waiting, which bounds memory.
 *
 * @example
 * ```ts
 * for await (const group of pooledMerge(32, folders, (folder) => listFolder(folder))) await write(group);
 * ```
 */
export async function* pooledMerge<T, R>(
  limit: number,
  source: Iterable<T> | AsyncIterable<T>,
  fn: (item: T) => AsyncIterable<R>,
): AsyncGenerator<R> {
  if (!Number.isInteger(limit) || limit < 1)
    throw new RangeError(`Cannot run a pool of ${limit}: need a whole number ≥ 1`);
  type Running = { iterator: AsyncIterator<R>; next: Promise<{ running: Running; result: IteratorResult<R> }> };
  const inputs = (
    Symbol.asyncIterator in source
      ? source
      : (async function* () {
          yield* source as Iterable<T>;
        })()
  )[Symbol.asyncIterator]();
  const running = new Set<Running>();
  let inputDone = false;
  const pull = (entry: Running) => {
    entry.next = entry.iterator.next().then((result) => ({ running: entry, result }));
  };
  const start = async () => {
    while (!inputDone && running.size < limit) {
      const input = await inputs.next();
      if (input.done) {
        inputDone = true;
        break;
      }
      const entry = { iterator: fn(input.value)[Symbol.asyncIterator]() } as Running;
      pull(entry);
      running.add(entry);
    }
  };
  try {
    await start();
    while (running.size > 0) {
      const { running: entry, result } = await Promise.race([...running].map((r) => r.next));
      if (result.done) {
        running.delete(entry);
        await start();
        continue;
      }
      pull(entry);
      yield result.value;
    }
  } finally {
    for (const entry of running) {
      entry.next.catch(() => {});
      await entry.iterator.return?.().catch(() => {});
    }
    await inputs.return?.();
  }
}
