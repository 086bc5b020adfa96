/** Input records as table rows, in the column order of tables.ts, and the checks they pass first. */
import {
  type AffiliationRecord,
  type FundingRecord,
  type GoneRecord,
  type ItemSource,
  isValidOrcidId,
  type LinkRecord,
  type PersonRecord,
  type WorkRecord,
} from "@orcid-sync/core";
import type { SqlValue } from "./engine.ts";
import type { InputRecord } from "./input_records.ts";

/** A row of values in a table's column order. */
export type RowValues = SqlValue[];

/** Why an input record cannot be stored: a stable code and a message for a person. */
export interface Rejection {
  readonly code: "InvalidOrcid" | "InvalidRecord" | "NoDoi";
  readonly message: string;
}

const str = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));
const strs = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v) => v !== null && v !== undefined).map(String) : [];
const json = (value: unknown): string => JSON.stringify(value ?? []);
/** A whole number, also from its text; anything else is null. */
const int = (value: unknown): number | null => {
  const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  return typeof n === "number" && Number.isSafeInteger(n) ? n : null;
};
const sourceValues = (source: ItemSource | null | undefined): SqlValue[] => [
  str(source?.kind),
  str(source?.id),
  str(source?.name),
  str(source?.originId),
  str(source?.originName),
];

/**
 * Why a record cannot be stored, or undefined when it can: an `orcid` that is not a valid iD, an
 * item without a whole-number `putCode`, a `link` without a DOI.
 *
 * @example
 * ```ts
 * rejection({ type: "link", orcid: "0000-0002-1825-0097", putCode: 1, doi: "" } as never)?.code; // "NoDoi"
 * ```
 */
export function rejection(record: InputRecord): Rejection | undefined {
  if (typeof record.orcid !== "string" || !isValidOrcidId(record.orcid)) {
    return { code: "InvalidOrcid", message: `Invalid iD '${String(record.orcid)}' in a ${record.type} record` };
  }
  if (record.type === "person" || record.type === "gone") return undefined;
  if (int(record.putCode) === null) {
    return { code: "InvalidRecord", message: `A ${record.type} record of ${record.orcid} has no whole-number putCode` };
  }
  if (record.type === "affiliation" && typeof record.affiliationType !== "string") {
    return { code: "InvalidRecord", message: `An affiliation record of ${record.orcid} has no affiliationType` };
  }
  if (record.type === "link" && (typeof record.doi !== "string" || record.doi.trim() === "")) {
    return { code: "NoDoi", message: `A link record of ${record.orcid} (putCode ${record.putCode}) has no DOI` };
  }
  return undefined;
}

/** The `persons` row of a person record. */
export function personRow(r: PersonRecord): RowValues {
  return [
    r.orcid,
    str(r.givenNames),
    str(r.familyName),
    str(r.creditName),
    strs(r.otherNames),
    str(r.biography),
    strs(r.keywords),
    json(r.researcherUrls),
    json(r.externalIds),
    strs(r.emails),
    str(r.created),
    str(r.lastModified),
  ];
}

/** The `gone` row of a gone record. */
export function goneRow(r: GoneRecord): RowValues {
  return [r.orcid, str(r.reason), str(r.redirect), int(r.code)];
}

/** The `works` row of a work record. */
export function workRow(r: WorkRecord): RowValues {
  return [
    r.orcid,
    int(r.putCode),
    str(r.title),
    str(r.workType),
    str(r.journal),
    int(r.year),
    int(r.month),
    int(r.day),
    str(r.url),
    strs(r.dois),
    ...sourceValues(r.source),
    str(r.created),
    str(r.lastModified),
    str(r.visibility),
  ];
}

/** The `work_ids` rows of a work record: one per external id, as written in the work summary. */
export function workIdRows(r: WorkRecord): RowValues[] {
  return (r.externalIds ?? []).map((id) => [
    r.orcid,
    int(r.putCode),
    str(id.type),
    str(id.value),
    str(id.normalized),
    str(id.url),
    str(id.relationship),
  ]);
}

/** A link's DOI as stored: trimmed and in lower case, as orcid-extract normalizes DOIs. */
export function storedDoi(doi: string): string {
  return doi.trim().toLowerCase();
}

/** The `links` row of a link record. */
export function linkRow(r: LinkRecord): RowValues {
  return [
    storedDoi(r.doi),
    r.orcid,
    int(r.putCode),
    str(r.relationship),
    str(r.class),
    str(r.sourceId),
    str(r.sourceName),
    str(r.originId),
    str(r.originName),
    str(r.created),
    str(r.lastModified),
  ];
}

/** The `affiliations` row of an affiliation record. */
export function affiliationRow(r: AffiliationRecord): RowValues {
  return [
    r.orcid,
    str(r.affiliationType),
    int(r.putCode),
    str(r.department),
    str(r.role),
    str(r.startDate),
    str(r.endDate),
    str(r.orgName),
    str(r.orgCity),
    str(r.orgRegion),
    str(r.orgCountry),
    str(r.orgIdSource),
    str(r.orgId),
    ...sourceValues(r.source),
  ];
}

/** The `fundings` row of a funding record. */
export function fundingRow(r: FundingRecord): RowValues {
  return [
    r.orcid,
    int(r.putCode),
    str(r.title),
    str(r.fundingType),
    str(r.orgName),
    str(r.orgIdSource),
    str(r.orgId),
    json(r.externalIds),
    str(r.startDate),
    str(r.endDate),
    ...sourceValues(r.source),
  ];
}
