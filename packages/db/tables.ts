/**
 * The tables of an orcid-db database as data: one definition that the schema, the staging tables,
 * the loader and the queries share, whatever the engine.
 */

/** What a column holds; each engine names its own type for it. */
export type ColumnKind = "text" | "int" | "json" | "text[]";

/** A column: its snake_case name and kind. */
export interface ColumnDef {
  readonly name: string;
  readonly kind: ColumnKind;
}

/** A table and its columns, in order. */
export interface TableDef {
  readonly name: string;
  readonly columns: readonly ColumnDef[];
}

const text = (name: string): ColumnDef => ({ name, kind: "text" });
const int = (name: string): ColumnDef => ({ name, kind: "int" });
const json = (name: string): ColumnDef => ({ name, kind: "json" });
const texts = (name: string): ColumnDef => ({ name, kind: "text[]" });
const source = [text("source_kind"), text("source_id"), text("source_name"), text("origin_id"), text("origin_name")];

/** A link's columns: its identity (doi, orcid, put_code), relationship, class and provenance. */
export const LINK_COLUMNS: readonly ColumnDef[] = [
  text("doi"),
  text("orcid"),
  int("put_code"),
  text("relationship"),
  text("class"),
  text("source_id"),
  text("source_name"),
  text("origin_id"),
  text("origin_name"),
  text("created"),
  text("last_modified"),
];

/** The tables that hold iDs' current state; a load replaces an iD's rows in each of them. */
export const DATA_TABLES: readonly TableDef[] = [
  {
    name: "persons",
    columns: [
      text("orcid"),
      text("given_names"),
      text("family_name"),
      text("credit_name"),
      texts("other_names"),
      text("biography"),
      texts("keywords"),
      json("researcher_urls"),
      json("external_ids"),
      texts("emails"),
      text("created"),
      text("last_modified"),
    ],
  },
  {
    name: "gone",
    columns: [text("orcid"), text("reason"), text("redirect"), int("code")],
  },
  {
    name: "works",
    columns: [
      text("orcid"),
      int("put_code"),
      text("title"),
      text("work_type"),
      text("journal"),
      int("year"),
      int("month"),
      int("day"),
      text("url"),
      texts("dois"),
      ...source,
      text("created"),
      text("last_modified"),
      text("visibility"),
    ],
  },
  {
    name: "work_ids",
    columns: [
      text("orcid"),
      int("put_code"),
      text("type"),
      text("value"),
      text("normalized"),
      text("url"),
      text("relationship"),
    ],
  },
  { name: "links", columns: LINK_COLUMNS },
  {
    name: "affiliations",
    columns: [
      text("orcid"),
      text("affiliation_type"),
      int("put_code"),
      text("department"),
      text("role"),
      text("start_date"),
      text("end_date"),
      text("org_name"),
      text("org_city"),
      text("org_region"),
      text("org_country"),
      text("org_id_source"),
      text("org_id"),
      ...source,
    ],
  },
  {
    name: "fundings",
    columns: [
      text("orcid"),
      int("put_code"),
      text("title"),
      text("funding_type"),
      text("org_name"),
      text("org_id_source"),
      text("org_id"),
      json("external_ids"),
      text("start_date"),
      text("end_date"),
      ...source,
    ],
  },
];

/** Every link added or removed by a load after the first. */
export const LINK_EVENTS: TableDef = {
  name: "link_events",
  columns: [int("seq"), text("at"), text("change"), ...LINK_COLUMNS, int("load_id")],
};

/** One row per load: when, what it stored, and whether its input ended cleanly. */
export const LOADS: TableDef = {
  name: "loads",
  columns: [
    int("id"),
    text("started"),
    text("ended"),
    text("status"),
    int("batches"),
    int("records"),
    int("ids"),
    int("persons"),
    int("gone"),
    int("works"),
    int("affiliations"),
    int("fundings"),
    int("links"),
    int("errors"),
    int("added"),
    int("removed"),
  ],
};

/** What the database is and which schema version it has. */
export const SCHEMA_INFO: TableDef = {
  name: "schema_info",
  columns: [text("name"), int("version"), text("created")],
};

/** Looks a data table up by name. */
export function dataTable(name: string): TableDef {
  const table = DATA_TABLES.find((t) => t.name === name);
  if (!table) throw new RangeError(`Unknown table '${name}'`);
  return table;
}
