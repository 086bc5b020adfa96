/** Splitting the work over N hosts by `<last3>` folder, the same way on every host (orcid-list --shard, orcid-place --shard). */
import { ALL_FOLDERS } from "./orcid_id.ts";

/** Shard `index` of `count`, 1-based. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

const FOLDER_INDEX = new Map(ALL_FOLDERS.map((folder, i) => [folder, i]));

/**
 * Parses `K/N` (1 ≤ K ≤ N ≤ 1100).
 *
 * @example
 * ```ts
 * parseShard("2/8"); // { index: 2, count: 8 }
 * ```
 */
export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || count > ALL_FOLDERS.length || index < 1 || index > count) {
    throw new RangeError(`Invalid shard '${text}': use K/N with 1 ≤ K ≤ N ≤ ${ALL_FOLDERS.length}, e.g. 2/8`);
  }
  return { index, count };
}

/**
 * Whether a folder belongs to a shard: shard K of N holds the K-th of N contiguous runs of the 1100
 * folders in S3's order (iDs spread evenly over folders, so shards are even), so a shard's full
 * listing is a few long key ranges rather than many short ones; the N shards cover each folder
 * exactly once.
 */
export function folderInShard(folder: string, shard: Shard | undefined): boolean {
  if (!shard) return true;
  const index = FOLDER_INDEX.get(folder);
  return index !== undefined && Math.floor((index * shard.count) / ALL_FOLDERS.length) === shard.index - 1;
}

/**
 * Whether two shards share a folder; undefined is the whole mirror, which shares every folder. Two
 * runs whose shards do not overlap can never touch the same iD.
 *
 * @example
 * ```ts
 * shardsOverlap({ index: 1, count: 2 }, { index: 2, count: 2 }); // false
 * shardsOverlap({ index: 1, count: 2 }, { index: 1, count: 3 }); // true
 * ```
 */
export function shardsOverlap(a: Shard | undefined, b: Shard | undefined): boolean {
  if (!a || !b) return true;
  return ALL_FOLDERS.some((folder) => folderInShard(folder, a) && folderInShard(folder, b));
}
