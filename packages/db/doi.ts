/** DOIs as users paste them, made into the form stored (orcid-extract's normalized DOI). */
import { findDoi } from "@orcid-sync/core";

/**
 * The stored form of a DOI given in any form users paste: `https://doi.org/…`,
 * `http://dx.doi.org/…`, `doi:…`, `DOI: …`, upper case. Undefined when the text holds no DOI.
 *
 * It is core's `findDoi` (ORCID's `DOINormalizer`, as orcid-extract applies it) with one step more,
 * for queries only: a resolver URL is percent-decoded first, since browsers copy
 * `https://doi.org/10.1000%2Fabc`. orcid-extract does not decode: ORCID's records are read as
 * ORCID reads them.
 *
 * @example
 * ```ts
 * normalizeDoi("https://doi.org/10.5438/3DFW-Z4KQ"); // "10.5438/3dfw-z4kq"
 * ```
 */
export function normalizeDoi(text: string): string | undefined {
  let value = text.trim();
  if (/^https?:\/\//i.test(value) && value.includes("%")) {
    try {
      value = decodeURIComponent(value);
    } catch {
      // Not valid percent-encoding: read it as it is.
    }
  }
  return findDoi(value) ?? undefined;
}
