import { describe, expect, test } from "vitest";
import { pooledMerge } from "./pooled_merge.ts";

/** Every item of an async iterable, in order. */
async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function* counted(name: string, count: number, ms: number): AsyncGenerator<string> {
  for (let i = 0; i < count; i++) {
    await delay(ms);
    yield `${name}${i}`;
  }
}

describe("pooledMerge()", () => {
  test("yields every item, each sequence in its own order, interleaved as they finish", async () => {
    const items = await collect(
      pooledMerge(
        3,
        [
          ["a", 3, 5],
          ["b", 2, 1],
          ["c", 2, 2],
        ] as const,
        ([n, c, ms]) => counted(n, c, ms),
      ),
    );
    expect([...items].sort()).toEqual(["a0", "a1", "a2", "b0", "b1", "c0", "c1"]);
    expect(items.filter((i) => i.startsWith("a"))).toEqual(["a0", "a1", "a2"]);
    expect(items.indexOf("b0")).toBeLessThan(items.indexOf("a0"));
  });

  test("never runs more sequences than the limit", async () => {
    let running = 0;
    let peak = 0;
    async function* tracked(i: number): AsyncGenerator<number> {
      running++;
      peak = Math.max(peak, running);
      await delay(1 + (i % 3));
      yield i;
      running--;
    }
    const items = await collect(
      pooledMerge(
        4,
        Array.from({ length: 20 }, (_, i) => i),
        tracked,
      ),
    );
    expect(items).toHaveLength(20);
    expect(peak).toBe(4);
  });

  test("passes on the error of a sequence", async () => {
    async function* failing(): AsyncGenerator<number> {
      yield 1;
      throw new Error("listing failed");
    }
    await expect(collect(pooledMerge(2, [1], failing))).rejects.toThrow("listing failed");
  });
});
