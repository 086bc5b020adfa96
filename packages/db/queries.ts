/** The read verbs: links of a DOI, an iD's record, the change feed and the export, as records. */
import type { GoneRecord, LinkRecord, PersonRecord } from "@orcid-sync/core";
import { doiPrefixRange } from "./doi_prefix.ts";
import type { Row, SqlEngine, SqlValue } from "./engine.ts";
import { goneRecord, linkRecord, personRecord } from "./table_records.ts";
import { LINK_COLUMNS } from "./tables.ts";

/** A link with its iD's names, as `orcid-db doi` answers. */
export interface NamedLinkRecord extends LinkRecord {
  readonly givenNames: string | null;
  readonly familyName: string | null;
  readonly creditName: string | null;
}

/** A link added or removed, as `orcid-db changes` answers. */
export interface LinkChangeRecord extends LinkRecord {
  readonly change: "added" | "removed";
  readonly seq: number;
  readonly at: string;
}

const LINK_LIST = LINK_COLUMNS.map((c) => `l.${c.name}`).join(", ");
const LINK_ORDER = "l.doi, l.orcid, l.put_code";

const text = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));

/**
 * The current links of a DOI (in its stored form: see `normalizeDoi`), each with its iD's names,
 * ordered by iD and put code.
 *
 * @example
 * ```ts
 * for (const link of await doiLinks(engine, "10.5438/3dfw-z4kq")) console.log(link.orcid, link.class);
 * ```
 */
export async function doiLinks(engine: SqlEngine, doi: string): Promise<NamedLinkRecord[]> {
  // Two index lookups, not a join: a join would scan every person to answer one DOI.
  const rows = await engine.all(`SELECT ${LINK_LIST} FROM links l WHERE l.doi = $1 ORDER BY ${LINK_ORDER}`, [doi]);
  const names = new Map<string, Row | undefined>();
  for (const row of rows) {
    const orcid = String(row.orcid);
    if (!names.has(orcid)) {
      names.set(
        orcid,
        (await engine.all("SELECT given_names, family_name, credit_name FROM persons WHERE orcid = $1", [orcid]))[0],
      );
    }
  }
  return rows.map((row) => {
    const name = names.get(String(row.orcid));
    return {
      ...linkRecord(row),
      givenNames: text(name?.given_names),
      familyName: text(name?.family_name),
      creditName: text(name?.credit_name),
    };
  });
}

/**
 * What the database holds of an iD: its `person` record then its `link` records, or its `gone`
 * record (with `redirect`) when it is deprecated, locked or deactivated; empty when it holds
 * nothing.
 *
 * @example
 * ```ts
 * const [first] = await orcidRecords(engine, "0000-0002-1825-0097"); // a person or gone record
 * ```
 */
export async function orcidRecords(
  engine: SqlEngine,
  orcid: string,
): Promise<(PersonRecord | GoneRecord | LinkRecord)[]> {
  const gone = await engine.all("SELECT orcid, reason, redirect, code FROM gone WHERE orcid = $1", [orcid]);
  if (gone[0]) return [goneRecord(gone[0])];
  const persons = await engine.all("SELECT * FROM persons WHERE orcid = $1", [orcid]);
  if (!persons[0]) return [];
  const person = personRecord(persons[0]);
  const links = await engine.all(`SELECT ${LINK_LIST} FROM links l WHERE l.orcid = $1 ORDER BY ${LINK_ORDER}`, [orcid]);
  return [person, ...links.map(linkRecord)];
}

/** Which changes {@linkcode linkChanges} reads: after an event number, or since a time. */
export type ChangesFrom = { readonly after: number } | { readonly since: string };

/** Options for {@linkcode linkChanges}. */
export interface LinkChangesOptions {
  /** Only links whose DOI is under one of these prefixes (`10.5438`, stored form). Default: every link. */
  readonly prefixes?: readonly string[];
}

/**
 * A SQL condition that `column` is under one of the prefixes, as ranges an index on it can serve,
 * with its parameters numbered from `$first`.
 */
export function prefixCondition(
  column: string,
  prefixes: readonly string[],
  first: number,
): [sql: string, params: SqlValue[]] {
  const params = prefixes.flatMap(doiPrefixRange);
  const ranges = prefixes.map((_, i) => `(${column} >= $${first + 2 * i} AND ${column} < $${first + 2 * i + 1})`);
  return [`(${ranges.join(" OR ")})`, params];
}

/**
 * Links added and removed, ordered by (seq, doi, orcid, putCode): those with a `seq` above
 * `after` (the safe way to poll: keep the last seq), or recorded at or after `since` (ISO UTC);
 * with `prefixes`, only those under them.
 *
 * @example
 * ```ts
 * for await (const change of linkChanges(engine, { after: 41 })) console.log(change.seq, change.change, change.doi);
 * ```
 */
export async function* linkChanges(
  engine: SqlEngine,
  from: ChangesFrom,
  options: LinkChangesOptions = {},
): AsyncGenerator<LinkChangeRecord> {
  const [where, param] = "after" in from ? ["l.seq > $1", from.after] : ['l."at" >= $1', from.since];
  const [under, underParams] = options.prefixes?.length ? prefixCondition("l.doi", options.prefixes, 2) : ["TRUE", []];
  for await (const row of engine.stream(
    `SELECT l.seq, l."at", l.change, ${LINK_LIST} FROM link_events l WHERE ${where} AND ${under} ORDER BY l.seq, ${LINK_ORDER}`,
    [param, ...underParams],
  )) {
    yield { ...linkRecord(row), change: row.change as "added" | "removed", seq: Number(row.seq), at: String(row.at) };
  }
}

/**
 * Every current link under the DOI prefixes (stored form, `10.5438`), each with its iD's names,
 * sorted by (doi, orcid, putCode), streamed: what a publisher needs to verify and register its
 * authors' iDs.
 *
 * @example
 * ```ts
 * for await (const link of prefixLinks(engine, ["10.5438"])) console.log(link.doi, link.orcid, link.class);
 * ```
 */
export async function* prefixLinks(engine: SqlEngine, prefixes: readonly string[]): AsyncGenerator<NamedLinkRecord> {
  const [under, params] = prefixCondition("l.doi", prefixes, 1);
  for await (const row of engine.stream(
    `SELECT ${LINK_LIST}, p.given_names, p.family_name, p.credit_name FROM links l LEFT JOIN persons p ON p.orcid = l.orcid
     WHERE ${under} ORDER BY ${LINK_ORDER}`,
    params,
  )) {
    yield {
      ...linkRecord(row),
      givenNames: text(row.given_names),
      familyName: text(row.family_name),
      creditName: text(row.credit_name),
    };
  }
}

/**
 * Every current link, sorted by (doi, orcid, putCode), streamed.
 *
 * @example
 * ```ts
 * for await (const link of exportLinks(engine)) out.write(link);
 * ```
 */
export async function* exportLinks(engine: SqlEngine): AsyncGenerator<LinkRecord> {
  for await (const row of engine.stream(`SELECT ${LINK_LIST} FROM links l ORDER BY ${LINK_ORDER}`))
    yield linkRecord(row);
}
