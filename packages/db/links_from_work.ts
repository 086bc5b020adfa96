/** The links of a `work` record, for input without orcid-extract's `link` records. */
import { addDoiRelationships, classOf, type LinkRecord, type WorkRecord } from "@orcid-sync/core";

/**
 * One `link` record per DOI of a work, as `orcid-extract --links` would write it, by core's link
 * rules: the DOI's relationship among the work's `doi` external ids (`self` over `version-of` over
 * `part-of` over others, lowercased; `self` when none is given), the class from the work's source
 * (built-in client table; `member` when it has none).
 *
 * @example
 * ```ts
 * for (const link of linksFromWork(work)) console.log(link.doi, link.class);
 * ```
 */
export function linksFromWork(work: WorkRecord): LinkRecord[] {
  const relationships = new Map<string, string>();
  addDoiRelationships(work.externalIds ?? [], relationships);
  const klass = classOf(work.orcid, work.source);
  const links: LinkRecord[] = [];
  for (const doi of new Set(work.dois ?? [])) {
    links.push({
      type: "link",
      doi,
      orcid: work.orcid,
      putCode: work.putCode,
      relationship: relationships.get(doi) ?? "self",
      class: klass,
      sourceId: work.source?.id ?? null,
      sourceName: work.source?.name ?? null,
      originId: work.source?.originId ?? null,
      originName: work.source?.originName ?? null,
      created: work.created,
      lastModified: work.lastModified,
    });
  }
  return links;
}
