/**
 * The records that flow between the tools, one JSON object a line (docs/protocol.md). Each has a
 * `type`; a tool consumes the types it knows and passes every other line through, in order.
 */
import { type RecordKind, isRecordKind } from "../orcid/mod.ts";

/** The protocol version documented in docs/protocol.md. */
export const PROTOCOL_VERSION = 2;

/** The fields that name one object in a bucket. */
export interface ObjectRef {
  readonly bucket: string;
  /** The S3 key, relative, exactly as in the bucket. */
  readonly key: string;
  readonly orcid: string;
  readonly kind: RecordKind;
}

/** An object to sync, as listed or as built from the lambda file. */
export interface KeyRecord extends ObjectRef {
  readonly type: "key";
  readonly size?: number;
  /** The ETag without quotes: the hex MD5 for single-part objects, `<hex>-<parts>` otherwise. */
  readonly etag?: string;
  /** ISO 8601 in UTC, e.g. `2026-11-20T10:00:00.000Z`. */
  readonly lastModified?: string;
}

/** The complete set of an iD's activity keys in one bucket, from a finished listing. */
export interface ManifestRecord {
  readonly type: "manifest";
  readonly bucket: string;
  readonly orcid: string;
  readonly keys: readonly string[];
}

/** A downloaded object. `body` is UTF-8 text, or base64 when `encoding` says so. */
export interface ObjectRecord extends ObjectRef {
  readonly type: "object";
  readonly body: string;
  readonly encoding?: "utf8" | "base64";
  readonly etag: string;
  readonly size: number;
  readonly lastModified?: string;
}

/** An object that does not exist (404): normal for unclaimed records, not a failure. */
export interface MissingRecord extends ObjectRef {
  readonly type: "missing";
}

/** An object that was not downloaded because the local copy is already identical. */
export interface UnchangedRecord extends ObjectRef {
  readonly type: "unchanged";
  /**
   * Set when the file's MD5 proved it holds the object but its mtime is not the object's
   * LastModified: whoever files the record (orcid-place, under the mirror lock) gives the file this
   * mtime, so the next run compares times alone. orcid-fetch, which holds no lock, changes nothing.
   */
  readonly lastModified?: string;
}

/** What place did with a file; `path` is relative to place's folder, with `/` separators. */
export interface PlacedRecord {
  readonly type: "placed";
  readonly action: "written" | "unchanged" | "deleted";
  readonly path: string;
  readonly orcid: string;
  readonly bucket?: string;
  readonly key?: string;
}

/** Work that did not happen. Later tools pass it through so the end of the pipe sees it. */
export interface ErrorRecord {
  readonly type: "error";
  /** The tool that gave up, e.g. `orcid-fetch`. */
  readonly tool: string;
  /** What it was doing: `list`, `get`, `place`, `delete`, `parse`, … */
  readonly op: string;
  readonly message: string;
  /** A stable code: an S3 error code, a Node errno, or one of ours (`InvalidKey`, `Integrity`). */
  readonly code: string;
  readonly retryable: boolean;
  readonly attempts: number;
  readonly bucket?: string;
  readonly key?: string;
  readonly orcid?: string;
}

/** Everything of `folder` in `bucket` has been emitted before this line (for resume). */
export interface CheckpointRecord {
  readonly type: "checkpoint";
  readonly bucket: string;
  readonly folder: string;
}

/**
 * How far the lambda file reaches: orcid-list emits it once, after the keys of a `--since` run. The
 * next run's cutoff must not pass `newest` (ORCID regenerates the file on its own schedule), so
 * the scripts save the earlier of the run's start and `newest` (`orcid-state set --records`).
 */
export interface LambdaRecord {
  readonly type: "lambda";
  readonly bucket: string;
  readonly key: string;
  /** The newest `last_modified` of the rows read, ISO 8601 in UTC with six fraction digits. */
  readonly newest: string;
}

/** A difference between a mirror and the buckets, found by `orcid-place --verify`. */
export interface MismatchRecord {
  readonly type: "mismatch";
  readonly problem: "missing" | "changed" | "extra";
  readonly path: string;
  readonly orcid: string;
  readonly bucket?: string;
  readonly key?: string;
  readonly detail?: string;
}

/** Who asserted an item of a record: its `common:source` (docs/protocol.md). */
export interface ItemSource {
  /** `orcid` for a `source-orcid`, `client` for a `source-client-id`, null when neither is given. */
  readonly kind: "orcid" | "client" | null;
  readonly id: string | null;
  readonly name: string | null;
  /** `assertion-origin-orcid` or `assertion-origin-client-id`. */
  readonly originId: string | null;
  readonly originName: string | null;
}

/** An external id of a work or funding, as written (text trimmed). */
export interface ItemExternalId {
  readonly type: string | null;
  readonly value: string | null;
  readonly normalized: string | null;
  readonly url: string | null;
  readonly relationship: string | null;
}

/**
 * A researcher, from a summary (orcid-extract). Opens the records of its iD: a consumer replaces
 * what it holds for the iD with this record and those that follow it. Absent values are null or [].
 */
export interface PersonRecord {
  readonly type: "person";
  readonly orcid: string;
  readonly givenNames: string | null;
  readonly familyName: string | null;
  readonly creditName: string | null;
  readonly otherNames: readonly string[];
  readonly biography: string | null;
  readonly keywords: readonly string[];
  readonly researcherUrls: readonly { readonly name: string | null; readonly url: string | null }[];
  readonly externalIds: readonly {
    readonly type: string | null;
    readonly value: string | null;
    readonly url: string | null;
  }[];
  readonly emails: readonly string[];
  /** The history's submission date, as written. */
  readonly created: string | null;
  /** The history's last-modified date, as written. */
  readonly lastModified: string | null;
}

/** One work summary of a record (orcid-extract). */
export interface WorkRecord {
  readonly type: "work";
  readonly orcid: string;
  readonly putCode: number | null;
  readonly title: string | null;
  readonly workType: string | null;
  readonly journal: string | null;
  readonly year: number | null;
  readonly month: number | null;
  readonly day: number | null;
  readonly url: string | null;
  readonly externalIds: readonly ItemExternalId[];
  /** The DOIs of its external ids of type `doi`, each once, in order. */
  readonly dois: readonly string[];
  readonly source: ItemSource | null;
  readonly created: string | null;
  readonly lastModified: string | null;
  readonly visibility: string | null;
}

/** The affiliation types of a summary, singular. */
export type AffiliationType =
  | "employment"
  | "education"
  | "qualification"
  | "invited-position"
  | "distinction"
  | "membership"
  | "service";

/** One affiliation summary of a record (orcid-extract). Dates are `YYYY`, `YYYY-MM` or `YYYY-MM-DD` as given. */
export interface AffiliationRecord {
  readonly type: "affiliation";
  readonly orcid: string;
  readonly affiliationType: AffiliationType;
  readonly putCode: number | null;
  readonly department: string | null;
  readonly role: string | null;
  readonly startDate: string | null;
  readonly endDate: string | null;
  readonly orgName: string | null;
  readonly orgCity: string | null;
  readonly orgRegion: string | null;
  readonly orgCountry: string | null;
  /** RINGGOLD, GRID, ROR, FUNDREF, LEI… as written. */
  readonly orgIdSource: string | null;
  readonly orgId: string | null;
  readonly source: ItemSource | null;
}

/** One funding summary of a record (orcid-extract). */
export interface FundingRecord {
  readonly type: "funding";
  readonly orcid: string;
  readonly putCode: number | null;
  readonly title: string | null;
  readonly fundingType: string | null;
  readonly orgName: string | null;
  readonly orgIdSource: string | null;
  readonly orgId: string | null;
  readonly externalIds: readonly ItemExternalId[];
  readonly startDate: string | null;
  readonly endDate: string | null;
  readonly source: ItemSource | null;
}

/** A record whose summary is an `error:error` document (orcid-extract): it opens, and holds, nothing. */
export interface GoneRecord {
  readonly type: "gone";
  readonly orcid: string;
  /** `deprecated` (error code 9007), `locked` (9018), `deactivated` (9044), else `error`. */
  readonly reason: "deprecated" | "locked" | "deactivated" | "error";
  /** The iD a deprecated record points to, else null. */
  readonly redirect: string | null;
  readonly code: number | null;
}

/** One DOI a work of a record names (orcid-extract --links): one per (orcid, putCode, doi). */
export interface LinkRecord {
  readonly type: "link";
  readonly doi: string;
  readonly orcid: string;
  readonly putCode: number | null;
  /** `self` over `version-of` over `part-of` over others when the DOI appears twice; `self` if absent. */
  readonly relationship: string;
  /** Who asserted it: `self`, `other-person`, `self-via-member`, `crossref`, `datacite`, `member`, or a `--clients` label. */
  readonly class: string;
  readonly sourceId: string | null;
  readonly sourceName: string | null;
  readonly originId: string | null;
  readonly originName: string | null;
  readonly created: string | null;
  readonly lastModified: string | null;
}

/** Every record type of the protocol. */
export type PipelineRecord =
  | MismatchRecord
  | KeyRecord
  | ManifestRecord
  | ObjectRecord
  | MissingRecord
  | UnchangedRecord
  | PlacedRecord
  | ErrorRecord
  | CheckpointRecord
  | PersonRecord
  | WorkRecord
  | AffiliationRecord
  | FundingRecord
  | GoneRecord
  | LinkRecord
  | LambdaRecord;

/** A line whose `type` this version does not know: passed through untouched. */
export interface UnknownRecord {
  readonly type: string;
  readonly [field: string]: unknown;
}

/** Thrown by {@linkcode parseRecord} for a line that is not a valid record. */
export class InvalidRecordError extends TypeError {
  override name = "InvalidRecordError";
}

type Check = (value: unknown) => boolean;
const isString: Check = (v) => typeof v === "string" && v.length > 0;
const isSize: Check = (v) => Number.isSafeInteger(v) && (v as number) >= 0;
const isBool: Check = (v) => typeof v === "boolean";
const isKind: Check = (v) => typeof v === "string" && isRecordKind(v);
const isRelative: Check = (v) => isString(v) && !(v as string).startsWith("/");
const isDate: Check = (v) => typeof v === "string" && /^\d{4}-\d\d-\d\dT.*Z$/.test(v) && !Number.isNaN(Date.parse(v));
const isKeyList: Check = (v) => Array.isArray(v) && v.every((k) => isString(k));
const oneOf =
  (...values: string[]): Check =>
  (v) =>
    typeof v === "string" && values.includes(v);
// The extracted types: absent values are null (scalars) or [] (lists), never "".
const orNull =
  (check: Check): Check =>
  (v) =>
    v === null || check(v);
const text = orNull(isString);
const count = orNull((v) => Number.isSafeInteger(v));
const listOf =
  (check: Check): Check =>
  (v) =>
    Array.isArray(v) && v.every(check);
const strings = listOf(isString);
const shaped =
  (fields: Readonly<Record<string, Check>>): Check =>
  (v) =>
    typeof v === "object" &&
    v !== null &&
    !Array.isArray(v) &&
    Object.entries(fields).every(([f, check]) => check((v as Record<string, unknown>)[f]));
const itemSource = orNull(
  shaped({ kind: orNull(oneOf("orcid", "client")), id: text, name: text, originId: text, originName: text }),
);
const itemExternalIds = listOf(shaped({ type: text, value: text, normalized: text, url: text, relationship: text }));

interface FieldSpec {
  readonly required: Readonly<Record<string, Check>>;
  readonly optional: Readonly<Record<string, Check>>;
}

// A key is checked by the tool that turns it into a path (parseKey), which refuses a hostile one
// with an error record; here it only has to be a string.
const REF = { bucket: isString, key: isString, orcid: isString, kind: isKind };

/** The fields of every known type; the JSON Schema in schema/ says the same, and a test holds them together. */
const FIELDS: Readonly<Record<PipelineRecord["type"], FieldSpec>> = {
  key: { required: REF, optional: { size: isSize, etag: isString, lastModified: isDate } },
  manifest: { required: { bucket: isString, orcid: isString, keys: isKeyList }, optional: {} },
  object: {
    required: { ...REF, body: (v) => typeof v === "string", etag: isString, size: isSize },
    optional: { encoding: oneOf("utf8", "base64"), lastModified: isDate },
  },
  missing: { required: REF, optional: {} },
  unchanged: { required: REF, optional: { lastModified: isDate } },
  placed: {
    required: { action: oneOf("written", "unchanged", "deleted"), path: isRelative, orcid: isString },
    optional: { bucket: isString, key: isString },
  },
  error: {
    required: {
      tool: isString,
      op: isString,
      message: isString,
      code: isString,
      retryable: isBool,
      attempts: isSize,
    },
    optional: { bucket: isString, key: (v) => typeof v === "string", orcid: isString },
  },
  checkpoint: { required: { bucket: isString, folder: isString }, optional: {} },
  lambda: { required: { bucket: isString, key: isString, newest: isDate }, optional: {} },
  mismatch: {
    required: { problem: oneOf("missing", "changed", "extra"), path: isRelative, orcid: isString },
    optional: { bucket: isString, key: isString, detail: isString },
  },
  person: {
    required: {
      orcid: isString,
      givenNames: text,
      familyName: text,
      creditName: text,
      otherNames: strings,
      biography: text,
      keywords: strings,
      researcherUrls: listOf(shaped({ name: text, url: text })),
      externalIds: listOf(shaped({ type: text, value: text, url: text })),
      emails: strings,
      created: text,
      lastModified: text,
    },
    optional: {},
  },
  work: {
    required: {
      orcid: isString,
      putCode: count,
      title: text,
      workType: text,
      journal: text,
      year: count,
      month: count,
      day: count,
      url: text,
      externalIds: itemExternalIds,
      dois: strings,
      source: itemSource,
      created: text,
      lastModified: text,
      visibility: text,
    },
    optional: {},
  },
  affiliation: {
    required: {
      orcid: isString,
      affiliationType: oneOf(
        "employment",
        "education",
        "qualification",
        "invited-position",
        "distinction",
        "membership",
        "service",
      ),
      putCode: count,
      department: text,
      role: text,
      startDate: text,
      endDate: text,
      orgName: text,
      orgCity: text,
      orgRegion: text,
      orgCountry: text,
      orgIdSource: text,
      orgId: text,
      source: itemSource,
    },
    optional: {},
  },
  funding: {
    required: {
      orcid: isString,
      putCode: count,
      title: text,
      fundingType: text,
      orgName: text,
      orgIdSource: text,
      orgId: text,
      externalIds: itemExternalIds,
      startDate: text,
      endDate: text,
      source: itemSource,
    },
    optional: {},
  },
  gone: {
    required: {
      orcid: isString,
      reason: oneOf("deprecated", "locked", "deactivated", "error"),
      redirect: text,
      code: count,
    },
    optional: {},
  },
  link: {
    required: {
      doi: isString,
      orcid: isString,
      putCode: count,
      relationship: isString,
      class: isString,
      sourceId: text,
      sourceName: text,
      originId: text,
      originName: text,
      created: text,
      lastModified: text,
    },
    optional: {},
  },
};

/** FIELDS as lists, made once: parseRecord runs for every line a tool reads. */
const FIELD_LISTS = Object.fromEntries(
  Object.entries(FIELDS).map(([type, spec]) => [
    type,
    { required: Object.entries(spec.required), optional: Object.entries(spec.optional) },
  ]),
) as unknown as Readonly<
  Record<PipelineRecord["type"], { readonly required: [string, Check][]; readonly optional: [string, Check][] }>
>;

/** Whether a type name belongs to this protocol version. */
export function isKnownType(type: string): type is PipelineRecord["type"] {
  return Object.hasOwn(FIELDS, type);
}

/**
 * Checks a parsed JSON value against the protocol. A known type must carry its required fields with
 * the right shapes (extra fields are allowed and kept); an unknown type is returned as is, for the
 * caller to pass through.
 *
 * @example
 * ```ts
 * parseRecord({ type: "checkpoint", bucket: "v3.0-summaries", folder: "097" });
 * ```
 */
export function parseRecord(value: unknown): PipelineRecord | UnknownRecord {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InvalidRecordError("Invalid record: not a JSON object");
  }
  const record = value as { type?: unknown; [field: string]: unknown };
  if (typeof record.type !== "string" || record.type.length === 0) {
    throw new InvalidRecordError("Invalid record: no 'type' field");
  }
  if (!isKnownType(record.type)) return record as UnknownRecord;
  const spec = FIELD_LISTS[record.type];
  for (const [field, check] of spec.required) {
    if (!(field in record)) throw new InvalidRecordError(`Invalid ${record.type} record: missing '${field}'`);
    if (!check(record[field])) throw new InvalidRecordError(`Invalid ${record.type} record: bad '${field}'`);
  }
  for (const [field, check] of spec.optional) {
    if (record[field] !== undefined && !check(record[field])) {
      throw new InvalidRecordError(`Invalid ${record.type} record: bad '${field}'`);
    }
  }
  return record as unknown as PipelineRecord;
}

/** Narrows a parsed record to one known type. */
export function isRecordOfType<T extends PipelineRecord["type"]>(
  record: PipelineRecord | UnknownRecord,
  type: T,
): record is Extract<PipelineRecord, { type: T }> {
  return record.type === type;
}
