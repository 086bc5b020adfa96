/** DOIs as users paste them, made into the form stored (orcid-extract's normalized DOI). */

// ORCID's DOINormalizer, as orcid-extract applies it: a DOI inside any text, trailing punctuation dropped.
const DOI_IN_TEXT = /(10\.[0-9a-zA-Z]+\/(?:(?!["&'])\S)+)\b/;

/**
 * The stored form of a DOI given in any form users paste: `https://doi.org/…`,
 * `http://dx.doi.org/…`, `doi:…`, `DOI: …`, upper case. Undefined when the text holds no DOI.
 *
 * @example
 * ```ts
 * normalizeDoi("https://doi.org/10.5438/3DFW-Z4KQ"); // "10.5438/3dfw-z4kq"
 * ```
 */
export function normalizeDoi(text: string): string | undefined {
  let value = text.trim().toLowerCase();
  // A resolver URL may carry a percent-encoded DOI (10.1000%2Fabc).
  if (/^https?:\/\//.test(value) && value.includes("%")) {
    try {
      value = decodeURIComponent(value);
    } catch {
      // Not valid percent-encoding: read it as it is.
    }
  }
  return DOI_IN_TEXT.exec(value)?.[1];
}
