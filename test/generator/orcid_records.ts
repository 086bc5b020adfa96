/**
 * Synthetic orcid-extract output (person, gone, work, affiliation, funding and link records) for
 * orcid-db's tests and bench, written apart from packages/db. Each iD's state on a day is a pure
 * function of (seed, iD index, how often it changed up to that day), so day 1 and day 2 of the same
 * seed differ exactly in the iDs that changed, and any size can be streamed in bounded memory.
 */
import { mod112 } from "./orcid.ts";
import { Random } from "./random.ts";

/** Options for {@linkcode extractRecordsOfDay}. */
export interface ExtractDayOptions {
  /** How many iDs. */
  readonly ids: number;
  readonly seed?: number;
  /** Day 1, 2, …: on each day after the first, about `changeRate` of the iDs change. */
  readonly day?: number;
  /** Default 0.2. */
  readonly changeRate?: number;
  /** Write `link` records (orcid-extract --links) instead of `work`/`affiliation`/`funding`. Default false. */
  readonly links?: boolean;
  /** Most works of an iD. Default 8. */
  readonly maxWorks?: number;
  /** DOIs to draw from (fewer DOIs: more iDs share each). Default 3 × ids. */
  readonly doiPool?: number;
  /** Write a checkpoint record after every this many iDs (0: none). Default 0. */
  readonly checkpointEvery?: number;
}

/** One iD's records, opener first. */
export interface ExtractIdRecords {
  readonly orcid: string;
  readonly records: readonly Record<string, unknown>[];
}

const CROSSREF = "0000-0001-9884-1913";
const DATACITE = "0000-0001-8099-6984";
const SCOPUS = "0000-0002-5982-8983";

/** The iD of index `i` (0-based), in the newer issued range. */
export function syntheticOrcid(i: number): string {
  const base = String(900_000_000_000 + i * 7).padStart(15, "0");
  const sixteen = base + mod112(base);
  return `${sixteen.slice(0, 4)}-${sixteen.slice(4, 8)}-${sixteen.slice(8, 12)}-${sixteen.slice(12)}`;
}

function changedOn(seed: number, i: number, day: number, rate: number): boolean {
  return new Random(seed * 7919 + i * 104_729 + day * 15_485_863).chance(rate);
}

/** How many times iD `i` changed up to `day` (its state's version). */
function version(seed: number, i: number, day: number, rate: number): number {
  let v = 0;
  for (let d = 2; d <= day; d++) if (changedOn(seed, i, d, rate)) v++;
  return v;
}

/** The indexes of the iDs that changed on `day` (none on day 1). */
export function changedIdsOnDay(options: ExtractDayOptions): string[] {
  const { ids, seed = 1, day = 1, changeRate = 0.2 } = options;
  const out: string[] = [];
  if (day < 2) return out;
  for (let i = 0; i < ids; i++) if (changedOn(seed, i, day, changeRate)) out.push(syntheticOrcid(i));
  return out;
}

function source(random: Random, orcid: string) {
  const kind = random.int(0, 5);
  if (kind === 0) return { kind: "orcid", id: orcid, name: "Self", originId: null, originName: null };
  if (kind === 1)
    return {
      kind: "orcid",
      id: syntheticOrcid(random.int(0, 1000)),
      name: "A co-author",
      originId: null,
      originName: null,
    };
  if (kind === 2) return { kind: "client", id: SCOPUS, name: "Scopus - Elsevier", originId: orcid, originName: "Self" };
  if (kind === 3) return { kind: "client", id: CROSSREF, name: "Crossref", originId: null, originName: null };
  if (kind === 4) return { kind: "client", id: DATACITE, name: "DataCite", originId: null, originName: null };
  return { kind: "client", id: "APP-0000000000000001", name: "A member", originId: null, originName: null };
}

const CLASS_OF = (orcid: string, s: ReturnType<typeof source>) =>
  s.kind === "orcid"
    ? s.id === orcid
      ? "self"
      : "other-person"
    : s.originId === orcid
      ? "self-via-member"
      : s.id === CROSSREF
        ? "crossref"
        : s.id === DATACITE
          ? "datacite"
          : "member";

/** The records of iD `i` on `day`. */
export function extractIdRecords(i: number, options: ExtractDayOptions): ExtractIdRecords {
  const { ids, seed = 1, day = 1, changeRate = 0.2, links = false, maxWorks = 8, doiPool = 3 * ids } = options;
  const orcid = syntheticOrcid(i);
  const v = version(seed, i, day, changeRate);
  const random = new Random(seed * 1_000_003 + i * 31 + v * 7_368_787);
  const stamp = `2026-${String(1 + (v % 12)).padStart(2, "0")}-0${1 + (i % 9)}T10:00:00.000Z`;
  // A later version is sometimes deprecated in favour of another iD.
  if (v > 0 && random.chance(0.05)) {
    return {
      orcid,
      records: [{ type: "gone", orcid, reason: "deprecated", redirect: syntheticOrcid((i + 1) % ids), code: 9007 }],
    };
  }
  const records: Record<string, unknown>[] = [
    {
      type: "person",
      orcid,
      givenNames: `Given${i}`,
      familyName: random.chance(0.9) ? `Family${random.int(0, 999)}` : null,
      creditName: random.chance(0.3) ? `G. F. ${i}` : null,
      otherNames: random.chance(0.2) ? [`Other ${i}`] : [],
      biography: random.chance(0.1) ? 'Works on things, "quoted", and ünïcode.' : null,
      keywords: random.chance(0.3) ? ["k1", "k2"] : [],
      researcherUrls: random.chance(0.2) ? [{ name: "Home", url: `https://example.org/${i}` }] : [],
      externalIds: random.chance(0.2) ? [{ type: "Scopus Author ID", value: String(i), url: null }] : [],
      emails: [],
      created: "2020-01-01T00:00:00.000Z",
      lastModified: stamp,
    },
  ];
  // Works are the iD's lasting state (drawn from `base`), edited by each later version: some
  // removed, some re-asserted by another source or with another relationship, some added.
  const base = new Random(seed * 1_000_003 + i * 31);
  const works = base.int(0, maxWorks);
  const added = v > 0 ? random.int(0, 2) : 0;
  for (let w = 0; w < works + added; w++) {
    const draw = w < works ? base : random;
    const putCode = w < works ? 1000 + w * 3 + draw.int(0, 2) : 3000 + v * 10 + w;
    let s = source(draw, orcid);
    const dois = draw.chance(0.9)
      ? [`10.${1000 + (draw.int(0, doiPool - 1) % 50)}/syn.${draw.int(0, doiPool - 1)}`]
      : [];
    if (dois.length && draw.chance(0.15)) dois.push(`10.5555/part.${draw.int(0, doiPool - 1)}`);
    const relationships = dois.map((_, k) => (k === 0 ? (draw.chance(0.1) ? "version-of" : "self") : "part-of"));
    if (v > 0 && w < works) {
      const edit = random.next();
      if (edit < 0.1) continue;
      if (edit < 0.25) s = source(random, orcid);
      else if (edit < 0.35 && relationships.length)
        relationships[0] = relationships[0] === "self" ? "version-of" : "self";
    }
    // Drawn in both modes, so a day's links are the same whichever records carry them.
    const journal = draw.chance(0.5) ? "J. Synth." : null;
    const year = 2000 + draw.int(0, 25);
    const month = draw.chance(0.5) ? draw.int(1, 12) : null;
    const pmid = draw.chance(0.3);
    if (links) {
      for (const [k, doi] of dois.entries()) {
        records.push({
          type: "link",
          doi,
          orcid,
          putCode,
          relationship: relationships[k],
          class: CLASS_OF(orcid, s),
          sourceId: s.id,
          sourceName: s.name,
          originId: s.originId,
          originName: s.originName,
          created: "2021-05-01T00:00:00.000Z",
          lastModified: stamp,
        });
      }
      continue;
    }
    records.push({
      type: "work",
      orcid,
      putCode,
      title: `Title ${i}.${w}`,
      workType: "journal-article",
      journal,
      year,
      month,
      day: null,
      url: null,
      externalIds: [
        ...dois.map((doi, k) => ({
          type: "doi",
          value: doi.toUpperCase(),
          normalized: doi,
          url: `https://doi.org/${doi}`,
          relationship: relationships[k],
        })),
        ...(pmid
          ? [
              {
                type: "pmid",
                value: String(i * 10 + w),
                normalized: String(i * 10 + w),
                url: null,
                relationship: "self",
              },
            ]
          : []),
      ],
      dois,
      source: s,
      created: "2021-05-01T00:00:00.000Z",
      lastModified: stamp,
      visibility: "public",
    });
  }
  if (!links) {
    for (let a = random.int(0, 2); a > 0; a--) {
      records.push({
        type: "affiliation",
        orcid,
        affiliationType: random.pick(["employment", "education", "membership"]),
        putCode: 5000 + a,
        department: null,
        role: random.chance(0.5) ? "Researcher" : null,
        startDate: "2019-09",
        endDate: null,
        orgName: `Org ${random.int(0, 99)}`,
        orgCity: "Cambridge",
        orgRegion: null,
        orgCountry: "GB",
        orgIdSource: "ROR",
        orgId: `https://ror.org/0${random.int(0, 99)}`,
        source: source(random, orcid),
      });
    }
    if (random.chance(0.3)) {
      records.push({
        type: "funding",
        orcid,
        putCode: 9000,
        title: "A grant",
        fundingType: "grant",
        orgName: "Funder",
        orgIdSource: "FUNDREF",
        orgId: "10.13039/501100000780",
        externalIds: [{ type: "grant_number", value: `G${i}`, normalized: null, url: null, relationship: "self" }],
        startDate: "2020",
        endDate: "2024-12-31",
        source: source(random, orcid),
      });
    }
  }
  return { orcid, records };
}

/**
 * Every iD's records on a day, iD by iD, with a checkpoint record now and then if asked.
 *
 * @example
 * ```ts
 * for (const record of extractRecordsOfDay({ ids: 1000, day: 2 })) process.stdout.write(`${JSON.stringify(record)}\n`);
 * ```
 */
export function* extractRecordsOfDay(
  options: ExtractDayOptions,
  only?: ReadonlySet<string>,
): Generator<Record<string, unknown>> {
  for (let i = 0; i < options.ids; i++) {
    const { orcid, records } = extractIdRecords(i, options);
    if (!only || only.has(orcid)) yield* records;
    if (options.checkpointEvery && (i + 1) % options.checkpointEvery === 0) {
      yield { type: "checkpoint", bucket: "v3.0-summaries", folder: String(i).padStart(3, "0") };
    }
  }
}

/** The records as NDJSON text. */
export function toNdjson(records: Iterable<Record<string, unknown>>): string {
  let text = "";
  for (const record of records) text += `${JSON.stringify(record)}\n`;
  return text;
}
