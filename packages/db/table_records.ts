/**
 * Table rows as the protocol's records (camelCase, with `type`): what `orcid-db export --format
 * ndjson` writes, and what the queries answer.
 */
import type {
  AffiliationRecord,
  FundingRecord,
  GoneRecord,
  ItemExternalId,
  ItemSource,
  LinkRecord,
  PersonRecord,
  WorkRecord,
} from "@orcid-sync/core";
import type { Row } from "./engine.ts";

const text = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));
const int = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));
const list = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : []);
const parsed = (value: unknown): never[] => (typeof value === "string" ? JSON.parse(value) : []);

/** The `source_*` and `origin_*` columns as an item's source; null when all are null. */
function sourceOf(row: Row): ItemSource | null {
  const source = {
    kind: text(row.source_kind) as ItemSource["kind"],
    id: text(row.source_id),
    name: text(row.source_name),
    originId: text(row.origin_id),
    originName: text(row.origin_name),
  };
  return Object.values(source).every((v) => v === null) ? null : source;
}

/** A `persons` row as a `person` record. */
export function personRecord(row: Row): PersonRecord {
  return {
    type: "person",
    orcid: String(row.orcid),
    givenNames: text(row.given_names),
    familyName: text(row.family_name),
    creditName: text(row.credit_name),
    otherNames: list(row.other_names),
    biography: text(row.biography),
    keywords: list(row.keywords),
    researcherUrls: parsed(row.researcher_urls),
    externalIds: parsed(row.external_ids),
    emails: list(row.emails),
    created: text(row.created),
    lastModified: text(row.last_modified),
  };
}

/** A `gone` row as a `gone` record. */
export function goneRecord(row: Row): GoneRecord {
  // Stored from a gone record that passed the protocol's checks, so one of its reasons.
  const reason = String(row.reason) as GoneRecord["reason"];
  return { type: "gone", orcid: String(row.orcid), reason, redirect: text(row.redirect), code: int(row.code) };
}

/**
 * A `links` row as a `link` record. Its relationship and class are never null: the loader stores
 * link records that passed the protocol's checks and those `linksFromWork` makes.
 */
export function linkRecord(row: Row): LinkRecord {
  return {
    type: "link",
    doi: String(row.doi),
    orcid: String(row.orcid),
    putCode: Number(row.put_code),
    relationship: String(row.relationship),
    class: String(row.class),
    sourceId: text(row.source_id),
    sourceName: text(row.source_name),
    originId: text(row.origin_id),
    originName: text(row.origin_name),
    created: text(row.created),
    lastModified: text(row.last_modified),
  };
}

/** A `work_ids` row as a work's external id; `prefix` names its columns in a join (`id_type`…). */
export function workIdOf(row: Row, prefix = ""): ItemExternalId {
  const field = (name: string) => text(row[`${prefix}${name}`]);
  return {
    type: field("type"),
    value: field("value"),
    normalized: field("normalized"),
    url: field("url"),
    relationship: field("relationship"),
  };
}

/** A `works` row and its `work_ids` rows as a `work` record. */
export function workRecord(row: Row, externalIds: readonly ItemExternalId[]): WorkRecord {
  return {
    type: "work",
    orcid: String(row.orcid),
    putCode: int(row.put_code),
    title: text(row.title),
    workType: text(row.work_type),
    journal: text(row.journal),
    year: int(row.year),
    month: int(row.month),
    day: int(row.day),
    url: text(row.url),
    externalIds,
    dois: list(row.dois),
    source: sourceOf(row),
    created: text(row.created),
    lastModified: text(row.last_modified),
    visibility: text(row.visibility),
  };
}

/** An `affiliations` row as an `affiliation` record. */
export function affiliationRecord(row: Row): AffiliationRecord {
  return {
    type: "affiliation",
    orcid: String(row.orcid),
    affiliationType: String(row.affiliation_type) as AffiliationRecord["affiliationType"],
    putCode: int(row.put_code),
    department: text(row.department),
    role: text(row.role),
    startDate: text(row.start_date),
    endDate: text(row.end_date),
    orgName: text(row.org_name),
    orgCity: text(row.org_city),
    orgRegion: text(row.org_region),
    orgCountry: text(row.org_country),
    orgIdSource: text(row.org_id_source),
    orgId: text(row.org_id),
    source: sourceOf(row),
  };
}

/** A `fundings` row as a `funding` record. */
export function fundingRecord(row: Row): FundingRecord {
  return {
    type: "funding",
    orcid: String(row.orcid),
    putCode: int(row.put_code),
    title: text(row.title),
    fundingType: text(row.funding_type),
    orgName: text(row.org_name),
    orgIdSource: text(row.org_id_source),
    orgId: text(row.org_id),
    externalIds: parsed(row.external_ids),
    startDate: text(row.start_date),
    endDate: text(row.end_date),
    source: sourceOf(row),
  };
}
