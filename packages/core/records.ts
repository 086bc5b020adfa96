/**
 * The records that flow between the tools, one JSON object a line (docs/protocol.md). Each has a
 * `type`; a tool consumes the types it knows and passes every other line through, in order.
 */
import { type RecordKind, isRecordKind } from "./orcid_key.ts";

/** The protocol version documented in docs/protocol.md. */
export const PROTOCOL_VERSION = 1;

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
const isDate: Check = (v) => typeof v === "string" && !Number.isNaN(Date.parse(v)) && /^\d{4}-\d\d-\d\dT.*Z$/.test(v);
const isKeyList: Check = (v) => Array.isArray(v) && v.every((k) => isString(k));
const oneOf = (...values: string[]): Check => (v) => typeof v === "string" && values.includes(v);

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
  unchanged: { required: REF, optional: {} },
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
};

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
  const spec = FIELDS[record.type];
  for (const [field, check] of Object.entries(spec.required)) {
    if (!(field in record)) throw new InvalidRecordError(`Invalid ${record.type} record: missing '${field}'`);
    if (!check(record[field])) throw new InvalidRecordError(`Invalid ${record.type} record: bad '${field}'`);
  }
  for (const [field, check] of Object.entries(spec.optional)) {
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
