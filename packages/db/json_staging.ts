/**
 * Staging rows built by DuckDB from input records' JSON text (an engine whose `stagesJson` is
 * true): as it reads a batch, the loader writes the lines of each record type to a file of its own
 * in a temporary folder, and these statements insert the rows that DuckDB's JSON reader (C++, on its
 * threads) builds from them — no value crosses from JavaScript one at a time. The rows equal what
 * rows.ts builds in JavaScript for the same records, given what the loader sends this way: lines
 * core's `parseRecord` accepted, that start with `{`, without `\u` escapes (DuckDB refuses a lone
 * surrogate and writes control characters' escapes back in upper case), shorter than
 * {@linkcode MAX_JSON_LINE_CHARS}; links whose DOI is already trimmed and lower case.
 */
import { closeSync, createReadStream, mkdirSync, openSync, rmSync, writevSync } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type LinkRecord, processLiveness, readLines } from "@orcid-sync/core";
import { storedDoi } from "./rows.ts";

/** The record types staged as JSON text, each in a file of its own. */
export type JsonStagedType = "person" | "gone" | "work" | "affiliation" | "funding" | "link";

/** Every {@linkcode JsonStagedType}. */
export const JSON_STAGED_TYPES: readonly JsonStagedType[] = [
  "person",
  "gone",
  "work",
  "affiliation",
  "funding",
  "link",
];

/** A link's JSON text as staged (a link derived from a work): its DOI as stored. */
export function stagedLinkJson(link: LinkRecord): string {
  return JSON.stringify({ ...link, doi: storedDoi(link.doi) });
}

/** A longer line takes the JavaScript rows (DuckDB's JSON reader holds one object in 16 MB). */
export const MAX_JSON_LINE_CHARS = 4 * 1024 * 1024;

const SOURCE = `STRUCT("kind" VARCHAR, "id" VARCHAR, "name" VARCHAR, "originId" VARCHAR, "originName" VARCHAR)`;
const SOURCE_COLUMNS = "source.kind, source.id, source.name, source.originId, source.originName";
const EXTERNAL_IDS = `STRUCT("type" VARCHAR, "value" VARCHAR, "normalized" VARCHAR, "url" VARCHAR, "relationship" VARCHAR)[]`;
const V = "VARCHAR";
const B = "BIGINT";

/** The fields each type's rows use, with DuckDB's type for each (a field not listed is not read). */
const COLUMNS: Record<string, Record<string, string>> = {
  person: {
    orcid: V,
    givenNames: V,
    familyName: V,
    creditName: V,
    otherNames: "VARCHAR[]",
    biography: V,
    keywords: "VARCHAR[]",
    researcherUrls: "JSON",
    externalIds: "JSON",
    emails: "VARCHAR[]",
    created: V,
    lastModified: V,
  },
  gone: { orcid: V, reason: V, redirect: V, code: B },
  work: {
    orcid: V,
    putCode: B,
    title: V,
    workType: V,
    journal: V,
    year: B,
    month: B,
    day: B,
    url: V,
    dois: "VARCHAR[]",
    source: SOURCE,
    created: V,
    lastModified: V,
    visibility: V,
  },
  // Only what the rows use: fewer columns are built faster from the same text.
  workIds: { orcid: V, putCode: B, externalIds: EXTERNAL_IDS },
  affiliation: {
    orcid: V,
    affiliationType: V,
    putCode: B,
    department: V,
    role: V,
    startDate: V,
    endDate: V,
    orgName: V,
    orgCity: V,
    orgRegion: V,
    orgCountry: V,
    orgIdSource: V,
    orgId: V,
    source: SOURCE,
  },
  funding: {
    orcid: V,
    putCode: B,
    title: V,
    fundingType: V,
    orgName: V,
    orgIdSource: V,
    orgId: V,
    externalIds: "JSON",
    startDate: V,
    endDate: V,
    source: SOURCE,
  },
  link: {
    doi: V,
    orcid: V,
    putCode: B,
    relationship: V,
    class: V,
    sourceId: V,
    sourceName: V,
    originId: V,
    originName: V,
    created: V,
    lastModified: V,
  },
};

/** Which staged type (and which of its column sets) each data table's rows come from. */
const SOURCES: Record<string, [type: JsonStagedType, columns: string, select: string]> = {
  persons: [
    "person",
    "person",
    `orcid, givenNames, familyName, creditName, otherNames, biography, keywords, researcherUrls, externalIds,
     emails, created, lastModified`,
  ],
  gone: ["gone", "gone", "orcid, reason, redirect, code"],
  works: [
    "work",
    "work",
    `orcid, putCode, title, workType, journal, "year", "month", "day", url, dois, ${SOURCE_COLUMNS}, created,
     lastModified, visibility`,
  ],
  work_ids: [
    "work",
    "workIds",
    "orcid, putCode, e.type, e.value, e.normalized, e.url, e.relationship FROM (SELECT orcid, putCode, unnest(externalIds) AS e",
  ],
  links: [
    "link",
    "link",
    "doi, orcid, putCode, relationship, class, sourceId, sourceName, originId, originName, created, lastModified",
  ],
  affiliations: [
    "affiliation",
    "affiliation",
    `orcid, affiliationType, putCode, department, role, startDate, endDate, orgName, orgCity, orgRegion,
     orgCountry, orgIdSource, orgId, ${SOURCE_COLUMNS}`,
  ],
  fundings: [
    "funding",
    "funding",
    `orcid, putCode, title, fundingType, orgName, orgIdSource, orgId, externalIds, startDate, endDate, ${SOURCE_COLUMNS}`,
  ],
};

const NEWLINE = Buffer.from("\n");
/** A load's folder: this prefix, the process id, a random tail. */
const FOLDER_PREFIX = "orcid-db-load-";
const FOLDER_NAME = new RegExp(`^${FOLDER_PREFIX}(\\d+)-`);

/**
 * Removes the folders of loads whose process has gone: a killed load (SIGKILL, a crash of the
 * machine) had no chance to remove its own, which holds up to a batch of lines.
 */
async function removeLeftovers(parent: string): Promise<void> {
  for (const name of await readdir(parent).catch((): string[] => [])) {
    const pid = Number(FOLDER_NAME.exec(name)?.[1] ?? 0);
    if (pid > 0 && pid !== process.pid && processLiveness(pid) === "dead") {
      await rm(join(parent, name), { recursive: true, force: true }).catch(() => {});
    }
  }
}
const quote = (text: string) => `'${text.replaceAll("'", "''")}'`;
const columnsSql = (columns: Record<string, string>) =>
  `{${Object.entries(columns)
    .map(([name, type]) => `${quote(name)}: ${quote(type)}`)
    .join(", ")}}`;

/** Bytes of lines held for a file before they are written (a write per about this much). */
const WRITE_BYTES = 1024 * 1024;
/** Lines held for a file before they are written (each line and its newline are a buffer of one `writev`). */
const WRITE_LINES = 500;

/**
 * A load's staged lines: a temporary folder, removed when the load ends, with the files of the
 * batches ({@linkcode StagedLines}) being read or committed.
 */
export class JsonStage {
  readonly #dir: string;
  #batches = 0;
  // A process that exits before the load ends (a signal, a fatal error) removes the folder too.
  readonly #onExit = () => rmSync(this.#dir, { recursive: true, force: true });

  private constructor(dir: string) {
    this.#dir = dir;
    process.once("exit", this.#onExit);
  }

  /** Makes the folder (in the system's temporary folder), after removing those killed loads left. */
  static async create(): Promise<JsonStage> {
    await removeLeftovers(tmpdir());
    return new JsonStage(await mkdtemp(join(tmpdir(), `${FOLDER_PREFIX}${process.pid}-`)));
  }

  /** Files for the next batch's lines. */
  batch(): StagedLines {
    return new StagedLines(this.#dir, `batch-${++this.#batches}`);
  }

  /** Removes the folder. */
  async remove(): Promise<void> {
    process.off("exit", this.#onExit);
    await rm(this.#dir, { recursive: true, force: true });
  }
}

/**
 * One batch's lines, a file per record type, written as they are added (a few at a time), so that
 * a batch holds no line in memory whatever its size. Writes are synchronous: each is a small
 * `writev` to the page cache, and the next batch's lines are written while DuckDB reads the files of
 * the batch before on its own threads.
 */
export class StagedLines {
  readonly #dir: string;
  readonly #name: string;
  readonly #files = new Map<JsonStagedType, number>();
  readonly #pending = new Map<JsonStagedType, { parts: Uint8Array[]; bytes: number }>();
  readonly #lines = new Map<JsonStagedType, number>();
  #finished = false;

  constructor(dir: string, name: string) {
    this.#dir = dir;
    this.#name = name;
  }

  #file(type: JsonStagedType): string {
    return join(this.#dir, `${this.#name}-${type}.ndjson`);
  }

  /** Adds a line (UTF-8, without its newline) of a type. */
  add(type: JsonStagedType, line: Uint8Array): void {
    if (this.#finished) throw new Error("A finished batch takes no more lines");
    let pending = this.#pending.get(type);
    if (!pending) {
      pending = { parts: [], bytes: 0 };
      this.#pending.set(type, pending);
    }
    pending.parts.push(line, NEWLINE);
    pending.bytes += line.byteLength + 1;
    this.#lines.set(type, (this.#lines.get(type) ?? 0) + 1);
    if (pending.bytes >= WRITE_BYTES || pending.parts.length >= 2 * WRITE_LINES) this.#write(type, pending);
  }

  #write(type: JsonStagedType, pending: { parts: Uint8Array[]; bytes: number }): void {
    if (pending.parts.length === 0) return;
    let fd = this.#files.get(type);
    if (fd === undefined) {
      // Made again if gone: a load that cannot see this process (another PID namespace sharing the
      // folder) takes it for a killed one's.
      mkdirSync(this.#dir, { recursive: true });
      fd = openSync(this.#file(type), "w");
      this.#files.set(type, fd);
    }
    writevSync(fd, pending.parts);
    pending.parts = [];
    pending.bytes = 0;
  }

  /** Lines added of a type. */
  count(type: JsonStagedType): number {
    return this.#lines.get(type) ?? 0;
  }

  /** Writes what is held and closes the files: the batch is complete (again: nothing happens). */
  finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    try {
      for (const [type, pending] of this.#pending) this.#write(type, pending);
    } finally {
      for (const fd of this.#files.values()) closeSync(fd);
    }
  }

  /** The finished batch's lines of a type, in the order added. */
  async *read(type: JsonStagedType): AsyncGenerator<Uint8Array> {
    if (!this.count(type)) return;
    for await (const { bytes } of readLines(createReadStream(this.#file(type)), { source: this.#file(type) }))
      yield bytes;
  }

  /**
   * The statements that insert a data table's rows, built from the staged lines, into `into` (the
   * table itself, or its staging table): in the column order of tables.ts, with the values of rows.ts.
   * None when the batch has no line of the type.
   */
  rowsSql(table: string, into: string): string[] {
    const source = SOURCES[table];
    if (!source) throw new RangeError(`Unknown table '${table}'`);
    const [type, columns, select] = source;
    if (!this.count(type)) return [];
    const read = `read_json(${quote(this.#file(type))}, format = 'newline_delimited', columns = ${columnsSql(COLUMNS[columns]!)})`;
    // work_ids: one row per external id of each work.
    return [`INSERT INTO ${into} SELECT ${select} FROM ${read}${table === "work_ids" ? ")" : ""}`];
  }

  /** Removes the batch's files (finished or not: lines still held are dropped, not written). */
  remove(): void {
    if (!this.#finished) {
      this.#finished = true;
      for (const fd of this.#files.values()) closeSync(fd);
    }
    for (const type of this.#files.keys()) rmSync(this.#file(type), { force: true });
  }
}
