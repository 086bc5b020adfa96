/** DOI prefixes (`10.5438`) as publishers give them, and the range of stored DOIs under one. */

/**
 * The stored form of a DOI prefix given as users paste it: `10.5438`, `10.5438/`, `doi:10.5438`,
 * `https://doi.org/10.5438/`. Undefined when the text is not a prefix (`10.` then digits and dots).
 *
 * @example
 * ```ts
 * normalizeDoiPrefix("https://doi.org/10.5438/"); // "10.5438"
 * normalizeDoiPrefix("10.5438/3dfw-z4kq"); // undefined: a DOI, not a prefix
 * ```
 */
export function normalizeDoiPrefix(text: string): string | undefined {
  const value = text
    .trim()
    .toLowerCase()
    .replace(/^(https?:\/\/(dx\.)?doi\.org\/|doi:\s*)/, "")
    .replace(/\/$/, "");
  return /^10\.\d+(\.\d+)*$/.test(value) ? value : undefined;
}

/**
 * The DOIs under a prefix as a half-open range of text, `[low, high)`: `doi >= low AND doi < high`
 * is a predicate an index on `doi` can serve (a B-tree range; `LIKE 'x%'` is not, in every engine).
 * Stored DOIs are lower case and `/` is followed by `0` in byte order.
 *
 * @example
 * ```ts
 * doiPrefixRange("10.5438"); // ["10.5438/", "10.54380"]
 * ```
 */
export function doiPrefixRange(prefix: string): [low: string, high: string] {
  return [`${prefix}/`, `${prefix}0`];
}
