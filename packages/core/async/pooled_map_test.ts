import { describe, expect, test } from "vitest";
import { pooledMap } from "./pooled_map.ts";
import { collect } from "../testdata/collect.ts";

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("pooledMap()", () => {
  test("keeps input order although later items finish first", async () => {
    const results = await collect(
      pooledMap(3, [30, 1, 20, 2, 10], async (ms) => {
        await delay(ms);
        return ms;
      }),
    );
    expect(results).toEqual([30, 1, 20, 2, 10]);
  });

  test("never runs more than the limit at once", async () => {
    let running = 0;
    let peak = 0;
    await collect(
      pooledMap(
        4,
        Array.from({ length: 20 }, (_, i) => i),
        async (i) => {
          running++;
          peak = Math.max(peak, running);
          await delay(i % 3);
          running--;
        },
      ),
    );
    expect(peak).toBe(4);
  });

  test("yields finished results before the input ends", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    async function* source() {
      yield 1;
      await gate;
      yield 2;
    }
    const iterator = pooledMap(8, source(), async (n) => n * 10);
    expect((await iterator.next()).value).toBe(10);
    release();
    expect((await iterator.next()).value).toBe(20);
    expect((await iterator.next()).done).toBe(true);
  });

  test("throws the first error in input order and starts nothing after", async () => {
    const started: number[] = [];
    const run = collect(
      pooledMap(1, [1, 2, 3], async (n) => {
        started.push(n);
        if (n === 2) throw new Error("boom");
        return n;
      }),
    );
    await expect(run).rejects.toThrow("boom");
    expect(started).toEqual([1, 2]);
  });

  test("passes on an error of the source after the results before it", async () => {
    async function* source() {
      yield 1;
      throw new Error("bad input");
    }
    const seen: number[] = [];
    const run = (async () => {
      for await (const n of pooledMap(2, source(), async (n) => n)) seen.push(n);
    })();
    await expect(run).rejects.toThrow("bad input");
    expect(seen).toEqual([1]);
  });
});
