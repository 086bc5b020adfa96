/** A link's `relationship`: which one a DOI keeps when a work names it more than once. */
import { doiOf, isDoiType } from "./doi.ts";
import type { ItemExternalId } from "../pipe/mod.ts";

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

/**
 * Adds to `into` the DOI of each external id of type `doi` (see {@linkcode doiOf}) with its
 * relationship (lowercased, `self` when absent; the one that {@linkcode outranks} the others when a
 * DOI appears twice), in the order first seen. Returns how many `doi` ids held no DOI. It allocates
 * nothing but the map's entries: orcid-extract runs it on every work.
 *
 * @example
 * ```ts
 * const dois = new Map<string, string>();
 * addDoiRelationships([{ type: "doi", value: "10.1/A", normalized: null, url: null, relationship: "part-of" }], dois);
 * dois.get("10.1/a"); // "part-of"
 * ```
 */
export function addDoiRelationships(externalIds: readonly ItemExternalId[], into: Map<string, string>): number {
  let doiless = 0;
  for (let i = 0; i < externalIds.length; i++) {
    const id = externalIds[i]!;
    if (!isDoiType(id.type)) continue;
    const doi = doiOf(id.value, id.normalized);
    if (doi === null) {
      doiless++;
      continue;
    }
    const relationship = id.relationship?.toLowerCase() ?? "self";
    const held = into.get(doi);
    if (held === undefined || outranks(relationship, held)) into.set(doi, relationship);
  }
  return doiless;
}
