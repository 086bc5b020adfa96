/**
 * Staging rows built by DuckDB from input records' JSON text (an engine whose `stagesJson` is
 * true): the loader appends each record's line whole — one value per record instead of one per
 * column — and these statements turn the lines into the staging tables' rows in DuckDB's C++
 * JSON reader. The rows equal what rows.ts builds in JavaScript for the same records, given what
 * the loader sends this way: lines core's `parseRecord` accepted, without `\u` escapes (DuckDB
 * rejects a lone surrogate and writes control characters' escapes in upper case), links whose DOI
 * is already trimmed and lower case.
 */

/** The record types staged as JSON text, each into its own table of lines. */
export type JsonStagedType = "person" | "gone" | "work" | "affiliation" | "funding" | "link";

/** The table of one type's lines: `line`, and for works `links` (see {@linkcode WORK_LINKS_JSON}). */
export const jsonStageName = (type: JsonStagedType) => `stage_json_${type}`;

/**
 * A work's links as the loader sends them beside its line when the iD has no `link` records:
 * a JSON array of `[doi, relationship, class]` (links_from_work.ts decides them), or null.
 */
export const WORK_LINKS_JSON = "links";

const SOURCE = `{"kind":"VARCHAR","id":"VARCHAR","name":"VARCHAR","originId":"VARCHAR","originName":"VARCHAR"}`;
const SOURCE_COLUMNS = "r.source.kind, r.source.id, r.source.name, r.source.originId, r.source.originName";

const EXTERNAL_IDS = `[{"type":"VARCHAR","value":"VARCHAR","normalized":"VARCHAR","url":"VARCHAR","relationship":"VARCHAR"}]`;

/** from_json structures: the fields each type's rows use, with DuckDB's type for each. */
const STRUCTURES = {
  person: `{"orcid":"VARCHAR","givenNames":"VARCHAR","familyName":"VARCHAR","creditName":"VARCHAR","otherNames":"VARCHAR[]","biography":"VARCHAR","keywords":"VARCHAR[]","researcherUrls":"JSON","externalIds":"JSON","emails":"VARCHAR[]","created":"VARCHAR","lastModified":"VARCHAR"}`,
  gone: `{"orcid":"VARCHAR","reason":"VARCHAR","redirect":"VARCHAR","code":"BIGINT"}`,
  work: `{"orcid":"VARCHAR","putCode":"BIGINT","title":"VARCHAR","workType":"VARCHAR","journal":"VARCHAR","year":"BIGINT","month":"BIGINT","day":"BIGINT","url":"VARCHAR","dois":"VARCHAR[]","source":${SOURCE},"created":"VARCHAR","lastModified":"VARCHAR","visibility":"VARCHAR"}`,
  // Only what the rows use: a narrower structure is built faster from the same text.
  workIds: `{"orcid":"VARCHAR","putCode":"BIGINT","externalIds":${EXTERNAL_IDS}}`,
  workLinks: `{"orcid":"VARCHAR","putCode":"BIGINT","source":${SOURCE},"created":"VARCHAR","lastModified":"VARCHAR"}`,
  affiliation: `{"orcid":"VARCHAR","affiliationType":"VARCHAR","putCode":"BIGINT","department":"VARCHAR","role":"VARCHAR","startDate":"VARCHAR","endDate":"VARCHAR","orgName":"VARCHAR","orgCity":"VARCHAR","orgRegion":"VARCHAR","orgCountry":"VARCHAR","orgIdSource":"VARCHAR","orgId":"VARCHAR","source":${SOURCE}}`,
  funding: `{"orcid":"VARCHAR","putCode":"BIGINT","title":"VARCHAR","fundingType":"VARCHAR","orgName":"VARCHAR","orgIdSource":"VARCHAR","orgId":"VARCHAR","externalIds":"JSON","startDate":"VARCHAR","endDate":"VARCHAR","source":${SOURCE}}`,
  link: `{"doi":"VARCHAR","orcid":"VARCHAR","putCode":"BIGINT","relationship":"VARCHAR","class":"VARCHAR","sourceId":"VARCHAR","sourceName":"VARCHAR","originId":"VARCHAR","originName":"VARCHAR","created":"VARCHAR","lastModified":"VARCHAR"}`,
} as const;

const parsed = (type: JsonStagedType, structure: keyof typeof STRUCTURES = type, extra = "") =>
  `(SELECT from_json(line, '${STRUCTURES[structure]}') AS r${extra} FROM ${jsonStageName(type)})`;

/**
 * The statements that insert a data table's rows built from the staged lines into `into` (the
 * table itself, or its staging table): in the column order of tables.ts, with the values of rows.ts.
 */
export function jsonRowsSql(table: string, into: string): string[] {
  switch (table) {
    case "persons":
      return [
        `INSERT INTO ${into} SELECT r.orcid, r.givenNames, r.familyName, r.creditName, r.otherNames, r.biography,
           r.keywords, r.researcherUrls, r.externalIds, r.emails, r.created, r.lastModified
         FROM ${parsed("person")}`,
      ];
    case "gone":
      return [`INSERT INTO ${into} SELECT r.orcid, r.reason, r.redirect, r.code FROM ${parsed("gone")}`];
    case "works":
      return [
        `INSERT INTO ${into} SELECT r.orcid, r.putCode, r.title, r.workType, r.journal, r.year, r.month, r.day,
           r.url, r.dois, ${SOURCE_COLUMNS}, r.created, r.lastModified, r.visibility
         FROM ${parsed("work")}`,
      ];
    case "work_ids":
      return [
        `INSERT INTO ${into} SELECT orcid, put_code, e.type, e.value, e.normalized, e.url, e.relationship
         FROM (SELECT r.orcid AS orcid, r.putCode AS put_code, unnest(r.externalIds) AS e FROM ${parsed("work", "workIds")})`,
      ];
    case "links":
      return [
        `INSERT INTO ${into} SELECT l[1], r.orcid, r.putCode, l[2], l[3], r.source.id, r.source.name,
           r.source.originId, r.source.originName, r.created, r.lastModified
         FROM (SELECT r, unnest(from_json(${WORK_LINKS_JSON}, '[["VARCHAR"]]')) AS l
               FROM ${parsed("work", "workLinks", `, ${WORK_LINKS_JSON}`)} WHERE ${WORK_LINKS_JSON} IS NOT NULL)`,
        `INSERT INTO ${into} SELECT r.doi, r.orcid, r.putCode, r.relationship, r.class, r.sourceId, r.sourceName,
           r.originId, r.originName, r.created, r.lastModified
         FROM ${parsed("link")}`,
      ];
    case "affiliations":
      return [
        `INSERT INTO ${into} SELECT r.orcid, r.affiliationType, r.putCode, r.department, r.role, r.startDate,
           r.endDate, r.orgName, r.orgCity, r.orgRegion, r.orgCountry, r.orgIdSource, r.orgId, ${SOURCE_COLUMNS}
         FROM ${parsed("affiliation")}`,
      ];
    case "fundings":
      return [
        `INSERT INTO ${into} SELECT r.orcid, r.putCode, r.title, r.fundingType, r.orgName, r.orgIdSource, r.orgId,
           r.externalIds, r.startDate, r.endDate, ${SOURCE_COLUMNS}
         FROM ${parsed("funding")}`,
      ];
    default:
      throw new RangeError(`Unknown table '${table}'`);
  }
}
