import { ALL_FOLDERS } from "@orcid-sync/core";
import { describe, expect, test } from "vitest";
import { folderInShard, parseShard } from "./shard.ts";

describe("parseShard() and folderInShard()", () => {
  test("deal every folder to exactly one shard, evenly", () => {
    for (const count of [1, 3, 8, 1100]) {
      const sizes = Array.from({ length: count }, (_, i) => ALL_FOLDERS.filter((f) => folderInShard(f, { index: i + 1, count })).length);
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(1100);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
  });

  test("refuse shards that do not exist", () => {
    expect(parseShard("2/8")).toEqual({ index: 2, count: 8 });
    for (const text of ["0/8", "9/8", "1/0", "8", "a/b", "1/1101"]) expect(() => parseShard(text)).toThrow(/Invalid shard/);
  });
});
