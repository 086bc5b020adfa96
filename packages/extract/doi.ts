/** The DOI of an external id, as ORCID itself finds it. */

/**
 * ORCID's `DOINormalizer` pattern (ORCID-Source, orcid-core): a `10.` prefix, a registrant code, a
 * slash and a suffix of non-space characters without `"`, `&` or `'`, ending at a word boundary, so
 * trailing punctuation is dropped. It runs on the lowercased value.
 */
export const DOI_PATTERN: RegExp = /(10\.[0-9a-zA-Z]+\/(?:(?!["&'])\S)+)\b/;

/**
 * The DOI an external id of type `doi` names: `external-id-normalized` when present and non-empty
 * (lowercased, as ORCID writes it), otherwise what {@linkcode DOI_PATTERN} finds in the lowercased
 * value, otherwise `null`.
 *
 * @example
 * ```ts
 * doiOf("DOI: 10.1/ABC.", null); // "10.1/abc"
 * doiOf("https://doi.org/10.1000/XYZ", null); // "10.1000/xyz"
 * doiOf("nothing here", null); // null
 * ```
 */
export function doiOf(value: string | null, normalized: string | null): string | null {
  if (normalized) return normalized.toLowerCase();
  if (!value) return null;
  const match = DOI_PATTERN.exec(value.toLowerCase());
  return match ? match[1]! : null;
}

/** Whether an external id's type names a DOI (`doi` in any case). */
export function isDoiType(type: string | null): boolean {
  return type !== null && type.length === 3 && type.toLowerCase() === "doi";
}

const RELATIONSHIP_RANK: ReadonlyMap<string, number> = new Map([
  ["self", 0],
  ["version-of", 1],
  ["part-of", 2],
]);

/**
 * Whether relationship `a` wins over `b` when one DOI appears twice in a work:
 * `self` over `version-of` over `part-of` over anything else; the first seen wins a tie.
 */
export function outranks(a: string, b: string): boolean {
  return (RELATIONSHIP_RANK.get(a) ?? 3) < (RELATIONSHIP_RANK.get(b) ?? 3);
}
