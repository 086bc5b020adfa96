import { ALL_FOLDERS } from "./orcid_id.ts";
import { describe, expect, test } from "vitest";
import { folderInShard, parseShard, shardsOverlap } from "./shard.ts";

describe("parseShard() and folderInShard()", () => {
  test("deal every folder to exactly one shard, evenly", () => {
    for (const count of [1, 3, 8, 1100]) {
      const sizes = Array.from(
        { length: count },
        (_, i) => ALL_FOLDERS.filter((f) => folderInShard(f, { index: i + 1, count })).length,
      );
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(1100);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
  });

  test("refuse shards that do not exist", () => {
    expect(parseShard("2/8")).toEqual({ index: 2, count: 8 });
    for (const text of ["0/8", "9/8", "1/0", "8", "a/b", "1/1101"])
      expect(() => parseShard(text)).toThrow(/Invalid shard/);
  });
});

describe("shardsOverlap()", () => {
  test("is true exactly when some folder is in both shards; the whole mirror overlaps everything", () => {
    expect(shardsOverlap(undefined, { index: 3, count: 8 })).toBe(true);
    expect(shardsOverlap({ index: 3, count: 8 }, undefined)).toBe(true);
    expect(shardsOverlap({ index: 3, count: 8 }, { index: 3, count: 8 })).toBe(true);
    expect(shardsOverlap({ index: 3, count: 8 }, { index: 4, count: 8 })).toBe(false);
    for (const [a, b] of [
      [
        { index: 1, count: 2 },
        { index: 1, count: 3 },
      ],
      [
        { index: 2, count: 3 },
        { index: 2, count: 2 },
      ],
      [
        { index: 1, count: 2 },
        { index: 3, count: 3 },
      ],
    ] as const) {
      const shared = ALL_FOLDERS.filter((f) => folderInShard(f, a) && folderInShard(f, b)).length;
      expect(shardsOverlap(a, b)).toBe(shared > 0);
    }
  });
});
