/** DOIs as ORCID finds them: one normaliser for orcid-extract's records and orcid-db's queries. */

/**
 * ORCID's `DOINormalizer` pattern (ORCID-Source, orcid-core): a `10.` prefix, a registrant code, a
 * slash and a suffix of non-space characters without `"`, `&` or `'`, ending at a word boundary, so
 * trailing punctuation is dropped. It runs on the lowercased value.
 */
export const DOI_PATTERN: RegExp = /(10\.[0-9a-zA-Z]+\/(?:(?!["&'])\S)+)\b/;

/**
 * The DOI inside any text, as ORCID's `DOINormalizer` finds it: what {@linkcode DOI_PATTERN} finds
 * in the lowercased text (so a resolver prefix, `doi:` and trailing punctuation are dropped), else
 * `null`.
 *
 * @example
 * ```ts
 * findDoi("https://doi.org/10.1000/XYZ."); // "10.1000/xyz"
 * findDoi("nothing here"); // null
 * ```
 */
export function findDoi(text: string): string | null {
  const match = DOI_PATTERN.exec(text.toLowerCase());
  return match ? match[1]! : null;
}

/**
 * The DOI an external id of type `doi` names: `external-id-normalized` when present and non-empty
 * (lowercased, as ORCID writes it), otherwise {@linkcode findDoi} of the value, otherwise `null`.
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
  return findDoi(value);
}

/** Whether an external id's type names a DOI (`doi` in any case). */
export function isDoiType(type: string | null): boolean {
  return type !== null && type.length === 3 && type.toLowerCase() === "doi";
}
