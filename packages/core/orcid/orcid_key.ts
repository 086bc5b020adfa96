/** Building and parsing the S3 keys of summaries and activities. Anything else is refused. */
import { isValidOrcidId, last3 } from "./orcid_id.ts";

/**
 * The activity types of the 3.0 buckets today; `memberships` is accepted beside the writer's
 * `membership`. ORCID has added types before: a key of any other type name is well-formed too
 * ({@linkcode isActivityType}), and these are only the ones we know.
 */
export const ACTIVITY_TYPES = [
  "distinctions",
  "educations",
  "employments",
  "fundings",
  "invited-positions",
  "membership",
  "memberships",
  "peer-reviews",
  "qualifications",
  "research-resources",
  "services",
  "works",
] as const;

export type ActivityType = (typeof ACTIVITY_TYPES)[number];
/**
 * What a key holds: `summary`, or an activity type — one of {@linkcode ACTIVITY_TYPES} or any other
 * lowercase-and-hyphen word (a type ORCID adds later).
 */
export type RecordKind = "summary" | ActivityType | (string & {});

const KNOWN_TYPES: ReadonlySet<string> = new Set(ACTIVITY_TYPES);
/** A kind: a lowercase-and-hyphen word (protocol version 2). */
export const KIND_PATTERN = /^[a-z]+(-[a-z]+)*$/;
const PUT_CODE_PATTERN = /^\d{1,19}$/;

/** Whether `value` can name an activity type: a lowercase-and-hyphen word other than `summary`. */
export function isActivityType(value: string): boolean {
  return value !== "summary" && KIND_PATTERN.test(value);
}

/** Whether `value` is one of the activity types we know ({@linkcode ACTIVITY_TYPES}). */
export function isKnownActivityType(value: string): value is ActivityType {
  return KNOWN_TYPES.has(value);
}

/** Whether `value` is a record kind: `summary` or an activity type name. */
export function isRecordKind(value: string): value is RecordKind {
  return KIND_PATTERN.test(value);
}

/** A key's meaning once parsed. */
export interface ParsedKey {
  readonly orcid: string;
  readonly kind: RecordKind;
  /** The put-code of an activity; absent for a summary. */
  readonly putCode?: string;
}

/** Thrown by {@linkcode parseKey} for a key that is not a well-formed ORCID key. */
export class InvalidKeyError extends RangeError {
  override name = "InvalidKeyError";
}

/**
 * The summary key of an iD.
 *
 * @example
 * ```ts
 * summaryKey("0000-0002-1825-0097"); // "097/0000-0002-1825-0097.xml"
 * ```
 */
export function summaryKey(orcid: string): string {
  return `${last3(orcid)}/${orcid}.xml`;
}

/** The prefix under which an activities bucket holds all of an iD's activities. */
export function activitiesPrefix(orcid: string): string {
  return `${last3(orcid)}/${orcid}/`;
}

/**
 * The key of one activity.
 *
 * @example
 * ```ts
 * activityKey("0000-0002-1825-0097", "works", "123");
 * // "097/0000-0002-1825-0097/works/0000-0002-1825-0097_works_123.xml"
 * ```
 */
export function activityKey(orcid: string, type: string, putCode: string): string {
  return `${activitiesPrefix(orcid)}${type}/${orcid}_${type}_${putCode}.xml`;
}

/**
 * Parses a summary or activity key, refusing anything that is not exactly one: absolute paths,
 * `..`, backslashes, NUL, an iD with a wrong check character or in the wrong folder, a type folder
 * that is not a lowercase-and-hyphen word (or is `summary`), a file name that disagrees with its
 * folders. A type we do not know yet is accepted ({@linkcode isKnownActivityType} tells).
 *
 * @example
 * ```ts
 * parseKey("31X/0000-0002-7869-831X.xml"); // { orcid: "0000-0002-7869-831X", kind: "summary" }
 * ```
 */
export function parseKey(key: string): ParsedKey {
  if (typeof key !== "string" || key.length === 0) throw new InvalidKeyError("Invalid key: empty");
  if (key.length > 256) throw new InvalidKeyError(`Invalid key: longer than 256 characters: '${key.slice(0, 60)}…'`);
  if (/[\0\\]/.test(key))
    throw new InvalidKeyError(`Invalid key: contains a NUL or a backslash: ${JSON.stringify(key)}`);
  const parts = key.split("/");
  const folder = parts[0]!;
  if (parts.length === 2) {
    const orcid = parts[1]!.endsWith(".xml") ? parts[1]!.slice(0, -4) : "";
    checkOrcid(key, orcid, folder);
    return { orcid, kind: "summary" };
  }
  if (parts.length === 4) {
    const [, orcid, type, file] = parts as [string, string, string, string];
    checkOrcid(key, orcid, folder);
    if (!isActivityType(type))
      throw new InvalidKeyError(
        `Invalid key: '${type}' is not an activity type name (a lowercase-and-hyphen word): '${key}'`,
      );
    const prefix = `${orcid}_${type}_`;
    if (!file.startsWith(prefix) || !file.endsWith(".xml")) {
      throw new InvalidKeyError(`Invalid key: file name does not match '${prefix}<put-code>.xml': '${key}'`);
    }
    const putCode = file.slice(prefix.length, -4);
    if (!PUT_CODE_PATTERN.test(putCode))
      throw new InvalidKeyError(`Invalid key: put-code '${putCode}' is not a number: '${key}'`);
    return { orcid, kind: type, putCode };
  }
  throw new InvalidKeyError(`Invalid key: not '<last3>/<iD>.xml' nor '<last3>/<iD>/<type>/<file>.xml': '${key}'`);
}

function checkOrcid(key: string, orcid: string, folder: string): void {
  if (!isValidOrcidId(orcid)) throw new InvalidKeyError(`Invalid key: '${orcid}' is not a valid ORCID iD: '${key}'`);
  if (last3(orcid) !== folder) {
    throw new InvalidKeyError(`Invalid key: iD ${orcid} does not belong in folder '${folder}': '${key}'`);
  }
}

/**
 * Whether a key could reach outside its place if taken as a path: empty, longer than 256
 * characters, absolute, with a `.` or `..` segment, a backslash, a NUL or another control
 * character. Tools refuse such a key with an error record; a key that is only not an ORCID key
 * (`997-old/x.xml`) is skipped with a word on stderr.
 *
 * @example
 * ```ts
 * isUnsafeKey("097/../x.xml"); // true
 * isUnsafeKey("997-old/x.xml"); // false
 * ```
 */
export function isUnsafeKey(key: string): boolean {
  if (typeof key !== "string" || key.length === 0 || key.length > 256 || key.startsWith("/")) return true;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: a key with a control character is refused
  if (/[\0-\x1f\x7f\\]/.test(key)) return true;
  return key.split("/").some((part) => part === "." || part === "..");
}
