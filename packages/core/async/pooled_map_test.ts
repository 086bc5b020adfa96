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

  test("with a window, calls behind a slow head keep starting, the limit at a time, and results keep their order", async () => {
    let release!: () => void;
    const head = new Promise<void>((resolve) => (release = resolve));
    const started: number[] = [];
    let running = 0;
    let peak = 0;
    const results = pooledMap(
      2,
      Array.from({ length: 8 }, (_, i) => i),
      async (i) => {
        started.push(i);
        running++;
        peak = Math.max(peak, running);
        if (i === 0) await head;
        else await delay(1);
        running--;
        return i;
      },
      { window: 5 },
    );
    const first = results.next();
    await delay(30);
    // Item 0 holds the head; items 1..4 started and finished behind it, and the window (5) is full.
    expect(started).toEqual([0, 1, 2, 3, 4]);
    release();
    expect((await first).value).toBe(0);
    const rest: number[] = [];
    for await (const n of results) rest.push(n);
    expect(rest).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(peak).toBe(2);
  });

  test("without a window, a slow head stops new calls once the pool's results are held", async () => {
    let release!: () => void;
    const head = new Promise<void>((resolve) => (release = resolve));
    const started: number[] = [];
    const results = pooledMap(2, [0, 1, 2, 3], async (i) => {
      started.push(i);
      if (i === 0) await head;
      return i;
    });
    const first = results.next();
    await delay(30);
    expect(started).toEqual([0, 1]);
    release();
    await first;
    for await (const _ of results);
    expect(started).toEqual([0, 1, 2, 3]);
  });

  test("values returned at once take their turn in input order among promised ones", async () => {
    const results: number[] = [];
    for await (const value of pooledMap(3, [0, 1, 2, 3, 4, 5], (i) => (i % 2 === 0 ? delay(20 - i).then(() => i) : i), {
      window: 6,
    }))
      results.push(value);
    expect(results).toEqual([0, 1, 2, 3, 4, 5]);
  });

  test("a call that throws at once is thrown from the iteration at its turn", async () => {
    const seen: number[] = [];
    const run = async () => {
      for await (const value of pooledMap(2, [0, 1, 2], (i) => {
        if (i === 1) throw new Error("bad 1");
        return delay(5).then(() => i);
      }))
        seen.push(value);
    };
    await expect(run()).rejects.toThrow("bad 1");
    expect(seen).toEqual([0]);
  });

  test("refuses a window smaller than the pool", async () => {
    await expect(pooledMap(4, [1], async (n) => n, { window: 2 }).next()).rejects.toThrow(RangeError);
  });
});
