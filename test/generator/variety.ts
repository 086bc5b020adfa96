/**
 * Variety for orcid-extract, opt-in (`buildDay({ variety: true })`, `generate_main.js --variety`):
 * every source kind (self, another person, search-and-link with an assertion origin, Crossref,
 * DataCite, other members), DOIs in each form with and without `external-id-normalized`,
 * `part-of` and `version-of` ids, DOIs shared across co-authors and under several sources of one
 * iD, names with entities and non-ASCII, each disambiguation source. Drawn from a Random of its
 * own per record and activity, so a dataset without variety is unchanged, and an activity gets the
 * same variety on every day.
 */
import type { Dataset, ExternalIdSpec, Source, SyntheticActivity, SyntheticRecord } from "./model.ts";
import { randomOrcid } from "./orcid.ts";
import { Random } from "./random.ts";

/** Search-and-link tools: a client that adds a work for the person who asked (assertion origin). */
export const SEARCH_AND_LINK = [
  { id: "0000-0002-5982-8983", name: "Scopus - Elsevier" },
  { id: "0000-0002-9157-3431", name: "Europe PubMed Central" },
  { id: "0000-0002-3054-1567", name: "Crossref Metadata Search" },
];
export const CROSSREF = { id: "0000-0001-9884-1913", name: "Crossref" };
export const DATACITE = { id: "0000-0001-8099-6984", name: "DataCite" };
const MEMBERS = [
  { id: "APP-5GQMH6W9TX4NRCKK", name: "University Library" },
  { id: "0000-0003-0902-4386", name: "A Publisher" },
];

const TRICKY_NAMES = ["Ana & João", 'Zoë "Zed" O\'Brien', "Łukasz <Luke>", "José-María", "Nguyễn Văn A", "Søren & Æsa"];
const DOI_FORMS = [
  (doi: string) => doi,
  (doi: string) => `https://doi.org/${doi}`,
  (doi: string) => `http://dx.doi.org/${doi}`,
  (doi: string) => `doi:${doi}`,
  (doi: string) => `DOI: ${doi}.`,
];
const ORG_IDS = [
  (r: Random) => ({ source: "RINGGOLD", id: String(r.int(1000, 99999)) }),
  (r: Random) => ({ source: "GRID", id: `grid.${r.digits(5)}.${r.int(1, 9)}` }),
  (r: Random) => ({ source: "ROR", id: `https://ror.org/0${r.digits(8)}` }),
  (r: Random) => ({ source: "FUNDREF", id: `http://dx.doi.org/10.13039/50110000${r.digits(4)}` }),
  (r: Random) => ({ source: "LEI", id: `5493${r.digits(16)}` }),
];

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** The dataset with variety added to its active records (unclaimed, deprecated, locked ones are as they were). */
export function withVariety(dataset: Dataset): Dataset {
  const shared = Array.from({ length: 12 }, (_, k) => `10.5555/SHARED.${dataset.seed}.${k}`);
  return {
    ...dataset,
    records: dataset.records.map((record) =>
      record.state === "active" ? varied(dataset.seed, record, shared) : record,
    ),
  };
}

// Everything below depends only on the seed, the iD and the put-code, never on the rest of the
// dataset: an activity that did not change between two days must not change its bytes either
// (a sync that finds its size and time unchanged does not fetch it again).
function varied(seed: number, record: SyntheticRecord, shared: readonly string[]): SyntheticRecord {
  const random = new Random(seed ^ hash(record.orcid));
  const givenNames = random.chance(0.2) ? random.pick(TRICKY_NAMES) : record.givenNames;
  const activities = record.activities.map((activity) => {
    const r = new Random(seed ^ hash(`${record.orcid}/${activity.putCode}`));
    const coAuthor = () => randomOrcid(r);
    if (activity.type === "works") return variedWork(r, record.orcid, activity, coAuthor, shared);
    if (activity.type === "peer-reviews" || activity.type === "research-resources") return activity;
    const pick = r.int(0, ORG_IDS.length);
    return pick === ORG_IDS.length ? activity : { ...activity, org: ORG_IDS[pick]!(r) };
  });
  return { ...record, givenNames, activities };
}

function variedWork(
  r: Random,
  orcid: string,
  activity: SyntheticActivity,
  coAuthor: () => string,
  shared: readonly string[],
): SyntheticActivity {
  const roll = r.next();
  let source: Source;
  if (roll < 0.3) source = { kind: "orcid", id: orcid, name: "" };
  else if (roll < 0.4) source = { kind: "orcid", id: coAuthor(), name: "A Co-Author" };
  else if (roll < 0.55)
    source = { kind: "client", ...r.pick(SEARCH_AND_LINK), origin: { id: orcid, name: "The Researcher" } };
  else if (roll < 0.6) source = { kind: "client", ...r.pick(SEARCH_AND_LINK) };
  else if (roll < 0.72) source = { kind: "client", ...CROSSREF };
  else if (roll < 0.8)
    source = {
      kind: "client",
      ...DATACITE,
      ...(r.chance(0.5) ? { origin: { id: orcid, name: "The Researcher" } } : {}),
    };
  else if (roll < 0.85)
    source = { kind: "client", ...r.pick(MEMBERS), origin: { id: coAuthor(), name: "A Co-Author" } };
  else source = { kind: "client", ...r.pick(MEMBERS) };

  // A DOI shared by co-authors and by several sources of one iD, sometimes; else the work's own.
  const doi = r.chance(0.15) ? r.pick(shared) : activity.doi!.toUpperCase();
  const ids: ExternalIdSpec[] = [];
  const add = (value: string, relationship: string | undefined, normalized: boolean) =>
    ids.push({
      type: r.chance(0.1) ? "DOI" : "doi",
      value: r.pick(DOI_FORMS)(value),
      ...(normalized ? { normalized: r.chance(0.1) ? "" : value.toLowerCase() } : {}),
      ...(relationship === undefined ? {} : { relationship }),
    });
  add(doi, r.pick(["self", "self", "self", "self", undefined, "part-of", "version-of"]), r.chance(0.6));
  if (r.chance(0.2)) add(`10.1234/JOURNAL.${r.int(1, 50)}`, "part-of", r.chance(0.5));
  // The same DOI again: which relationship wins.
  if (r.chance(0.2)) add(doi, r.pick(["version-of", "part-of", "self", "funded-by"]), r.chance(0.5));
  if (r.chance(0.05)) ids.push({ type: "doi", value: "not available", relationship: "self" });
  if (r.chance(0.15))
    ids.push({ type: r.pick(["isbn", "eid", "pmid"]), value: `${r.digits(9)}`, relationship: "self" });
  return { ...activity, source, externalIds: ids };
}
