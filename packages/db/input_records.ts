/**
 * The records orcid-db consumes, as orcid-extract writes them (field names camelCase, absent
 * scalars `null`, absent lists `[]`, dates as written). Every record of an iD follows the `person`
 * or `gone` record that opens it.
 */

/** Who added an item to a record: the iD itself, another iD, or a member's client. */
export interface SourceObject {
  readonly kind: "orcid" | "client";
  readonly id: string | null;
  readonly name: string | null;
  /** The iD a client acted for (assertion origin), if any. */
  readonly originId: string | null;
  readonly originName: string | null;
}

/** An external identifier of a person, work or funding. */
export interface ExternalIdObject {
  readonly type: string | null;
  readonly value: string | null;
  readonly normalized?: string | null;
  readonly url: string | null;
  readonly relationship?: string | null;
}

/** A researcher URL of a person. */
export interface ResearcherUrl {
  readonly name: string | null;
  readonly url: string | null;
}

/** Opens an iD: its names and biography; everything stored for the iD is replaced by what follows. */
export interface PersonRecord {
  readonly type: "person";
  readonly orcid: string;
  readonly givenNames: string | null;
  readonly familyName: string | null;
  readonly creditName: string | null;
  readonly otherNames: readonly string[];
  readonly biography: string | null;
  readonly keywords: readonly string[];
  readonly researcherUrls: readonly ResearcherUrl[];
  readonly externalIds: readonly ExternalIdObject[];
  readonly emails: readonly string[];
  readonly created: string | null;
  readonly lastModified: string | null;
}

/** Opens an iD that is deprecated, locked or deactivated: it has nothing else. */
export interface GoneRecord {
  readonly type: "gone";
  readonly orcid: string;
  /** `deprecated`, `locked`, `deactivated` or `error`. */
  readonly reason: string;
  /** The iD a deprecated record points to. */
  readonly redirect: string | null;
  readonly code: number | null;
}

/** One work summary of an iD. */
export interface WorkRecord {
  readonly type: "work";
  readonly orcid: string;
  readonly putCode: number;
  readonly title: string | null;
  readonly workType: string | null;
  readonly journal: string | null;
  readonly year: number | null;
  readonly month: number | null;
  readonly day: number | null;
  readonly url: string | null;
  readonly externalIds: readonly ExternalIdObject[];
  /** The work's DOIs, normalized (lower case, no resolver prefix). */
  readonly dois: readonly string[];
  readonly source: SourceObject | null;
  readonly created: string | null;
  readonly lastModified: string | null;
  readonly visibility: string | null;
}

/** An employment, education, qualification, invited position, distinction, membership or service. */
export interface AffiliationRecord {
  readonly type: "affiliation";
  readonly orcid: string;
  readonly affiliationType: string;
  readonly putCode: number;
  readonly department: string | null;
  readonly role: string | null;
  readonly startDate: string | null;
  readonly endDate: string | null;
  readonly orgName: string | null;
  readonly orgCity: string | null;
  readonly orgRegion: string | null;
  readonly orgCountry: string | null;
  readonly orgIdSource: string | null;
  readonly orgId: string | null;
  readonly source: SourceObject | null;
}

/** One funding summary of an iD. */
export interface FundingRecord {
  readonly type: "funding";
  readonly orcid: string;
  readonly putCode: number;
  readonly title: string | null;
  readonly fundingType: string | null;
  readonly orgName: string | null;
  readonly orgIdSource: string | null;
  readonly orgId: string | null;
  readonly externalIds: readonly ExternalIdObject[];
  readonly startDate: string | null;
  readonly endDate: string | null;
  readonly source: SourceObject | null;
}

/** Who asserted a link between an iD and a DOI. */
export type LinkClass = "self" | "other-person" | "self-via-member" | "crossref" | "datacite" | "member";

/** One (orcid, putCode, doi): a DOI an iD's work carries, with provenance. */
export interface LinkRecord {
  readonly type: "link";
  readonly doi: string;
  readonly orcid: string;
  readonly putCode: number;
  readonly relationship: string | null;
  readonly class: string | null;
  readonly sourceId: string | null;
  readonly sourceName: string | null;
  readonly originId: string | null;
  readonly originName: string | null;
  readonly created: string | null;
  readonly lastModified: string | null;
}

/** A record that opens an iD. */
export type OpenerRecord = PersonRecord | GoneRecord;

/** A record that belongs to the iD opened before it. */
export type ItemRecord = WorkRecord | AffiliationRecord | FundingRecord | LinkRecord;

/** Every record type orcid-db consumes. */
export type InputRecord = OpenerRecord | ItemRecord;

const INPUT_TYPES = new Set(["person", "gone", "work", "affiliation", "funding", "link"]);

/**
 * Whether a record is one orcid-db consumes (by its `type`); its fields are checked when loaded.
 *
 * @example
 * ```ts
 * isInputRecord({ type: "checkpoint", bucket: "b", folder: "097" }); // false
 * ```
 */
export function isInputRecord(record: { readonly type: string }): record is InputRecord {
  return INPUT_TYPES.has(record.type);
}
