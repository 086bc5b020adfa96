/**
 * ORCID iDs for the generator, written apart from packages/core so the tools are not checked
 * against their own arithmetic.
 */
import type { Random } from "./random.ts";

/** MOD 11-2 over the 15 base digits. */
export function mod112(base: string): string {
  let total = 0;
  for (const ch of base) total = (total + Number(ch)) * 2;
  const remainder = total % 11;
  const result = (12 - remainder) % 11;
  return result === 10 ? "X" : String(result);
}

function hyphenate(sixteen: string): string {
  return `${sixteen.slice(0, 4)}-${sixteen.slice(4, 8)}-${sixteen.slice(8, 12)}-${sixteen.slice(12)}`;
}

/** The issued ranges of base numbers (check character excluded), lowest and highest. */
const RANGES: readonly [number, number][] = [
  [15_000_000, 35_000_000], // 0000-0001-5000-000 … 0000-0003-5000-000
  [900_000_000_000, 900_100_000_000], // 0009-0000-0000-000 … 0009-0010-0000-000
];

/** A random iD from one of the issued ranges (the newer range one time in three). */
export function randomOrcid(random: Random): string {
  const [low, high] = RANGES[random.chance(1 / 3) ? 1 : 0]!;
  const base = String(low + Math.floor(random.next() * (high - low))).padStart(15, "0");
  return hyphenate(base + mod112(base));
}

/** An iD with a deliberately wrong check character, for bad lambda rows. */
export function corruptOrcid(orcid: string): string {
  const last = orcid.at(-1)!;
  const wrong = last === "0" ? "1" : "0";
  return orcid.slice(0, -1) + wrong;
}
