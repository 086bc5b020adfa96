/** A value of a user's query as JSON, the same from every engine (see `SqlEngine.readOnlyQuery`). */

/**
 * Whole numbers beyond 2^53 as strings, times as ISO UTC, blobs as base64; lists and objects kept.
 *
 * @example
 * ```ts
 * jsonValue(2n ** 60n); // "1152921504606846976"
 * ```
 */
export function jsonValue(value: unknown): unknown {
  if (typeof value === "bigint") return Number.isSafeInteger(Number(value)) ? Number(value) : String(value);
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  if (Array.isArray(value)) return value.map(jsonValue);
  if (value !== null && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonValue(v)]));
  return value;
}
