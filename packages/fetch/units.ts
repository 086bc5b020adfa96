/** Sizes as people type them on a command line. */

const BYTE_UNITS: Record<string, number> = { "": 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30 };

/**
 * Parses `256M`, `1G`, `512k`, `1048576` (binary units, an optional `B` or `iB`).
 *
 * @example
 * ```ts
 * parseBytes("256M"); // 268435456
 * ```
 */
export function parseBytes(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([kmg]?)(i?b)?$/i.exec(text.trim());
  const bytes = match ? Math.floor(Number(match[1]) * BYTE_UNITS[match[2]!.toLowerCase()]!) : NaN;
  if (!(bytes > 0)) throw new RangeError(`Invalid size '${text}': use a number with K, M or G, like 256M`);
  return bytes;
}
