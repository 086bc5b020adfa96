/** Sizes and durations as people type them on a command line. */

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

const TIME_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000 };

/**
 * Parses `30s`, `500ms`, `2m` into milliseconds; a bare number is seconds.
 *
 * @example
 * ```ts
 * parseDuration("30s"); // 30000
 * ```
 */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  const ms = match ? Number(match[1]) * TIME_UNITS[match[2] ?? "s"]! : NaN;
  if (!(ms > 0)) throw new RangeError(`Invalid duration '${text}': use a number with ms, s or m, like 30s`);
  return ms;
}
