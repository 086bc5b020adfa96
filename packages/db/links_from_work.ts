/** The links of a `work` record, for input without orcid-extract's `link` records. */
import type { LinkRecord, SourceObject, WorkRecord } from "./input_records.ts";

/** Member clients whose links have a class of their own (orcid-extract's table). */
const CLIENT_CLASSES: Readonly<Record<string, "crossref" | "datacite">> = {
  "0000-0001-9884-1913": "crossref",
  "0000-0001-8099-6984": "datacite",
};

const RELATIONSHIP_RANK = ["self", "version-of", "part-of"];

/**
 * Who asserted an iD's item, from its source, in orcid-extract's order: the iD itself (`self`),
 * another iD (`other-person`), a client acting for the iD (`self-via-member`), Crossref's or
 * DataCite's auto-update (`crossref`, `datacite`), any other client (`member`).
 *
 * @example
 * ```ts
 * linkClass("0000-0002-1825-0097", { kind: "orcid", id: "0000-0002-1825-0097", name: null, originId: null, originName: null }); // "self"
 * ```
 */
export function linkClass(orcid: string, source: SourceObject | null): string | null {
  if (!source) return null;
  if (source.kind === "orcid") return source.id === orcid ? "self" : "other-person";
  if (source.originId === orcid) return "self-via-member";
  return (source.id && CLIENT_CLASSES[source.id]) || "member";
}

function rank(relationship: string): number {
  const at = RELATIONSHIP_RANK.indexOf(relationship);
  return at === -1 ? RELATIONSHIP_RANK.length : at;
}

/**
 * One `link` record per DOI of a work, as `orcid-extract --links` would write it: the DOI's
 * relationship among the work's `doi` external ids (`self` over `version-of` over `part-of` over
 * others; `self` when none is given), the class from the work's source.
 *
 * @example
 * ```ts
 * for (const link of linksFromWork(work)) console.log(link.doi, link.class);
 * ```
 */
export function linksFromWork(work: WorkRecord): LinkRecord[] {
  const links: LinkRecord[] = [];
  for (const doi of new Set(work.dois ?? [])) {
    let relationship: string | undefined;
    for (const id of work.externalIds ?? []) {
      if (id.type?.toLowerCase() !== "doi") continue;
      const matches = (id.normalized ?? "").toLowerCase() === doi || (id.value ?? "").toLowerCase().includes(doi);
      if (!matches) continue;
      const candidate = id.relationship ?? "self";
      if (relationship === undefined || rank(candidate) < rank(relationship)) relationship = candidate;
    }
    links.push({
      type: "link",
      doi,
      orcid: work.orcid,
      putCode: work.putCode,
      relationship: relationship ?? "self",
      class: linkClass(work.orcid, work.source),
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
