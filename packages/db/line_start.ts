/**
 * The `type` and `orcid` of a line of orcid-extract's exact shape, read from its first bytes
 * without parsing it: `{"type":"<t>","orcid":"<id>",…` for the types whose rows DuckDB builds and
 * whose checks json_checks.ts does in SQL. The rest of the line is checked later, in SQL (the
 * loader reads a batch that fails any check again with JSON.parse and core's parseRecord).
 */
import { isUtf8 } from "node:buffer";
import { MAX_JSON_LINE_CHARS } from "./json_staging.ts";

/** The types read from the line's start (not `work`: its links are derived in JavaScript; not `link`: keyed by DOI). */
export type ScannedType = "person" | "gone" | "affiliation" | "funding";

/** What the start of a line says. */
export interface LineStart {
  readonly type: ScannedType;
  readonly orcid: string;
}

const PREFIXES = (["person", "gone", "affiliation", "funding"] as const).map((type) => ({
  type,
  bytes: Buffer.from(`{"type":"${type}","orcid":"`),
}));
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const ESCAPE = Buffer.from("\\u");
/** Longer is not an iD: such a line is parsed. */
const MAX_ORCID_BYTES = 64;

const startsWith = (bytes: Uint8Array, prefix: Uint8Array) =>
  bytes.length > prefix.length && Buffer.compare(bytes.subarray(0, prefix.length), prefix) === 0;

/**
 * The line's type and iD when it starts as orcid-extract writes it, and DuckDB reads it back
 * exactly (UTF-8, no `\u` escape, short enough); else undefined (the line is parsed as before).
 *
 * @example
 * ```ts
 * scanLineStart(Buffer.from('{"type":"gone","orcid":"0000-0002-1825-0097","reason":"locked"}'));
 * // { type: "gone", orcid: "0000-0002-1825-0097" }
 * ```
 */
export function scanLineStart(bytes: Uint8Array): LineStart | undefined {
  if (bytes.length >= MAX_JSON_LINE_CHARS) return undefined;
  const prefix = PREFIXES.find((p) => startsWith(bytes, p.bytes));
  if (!prefix) return undefined;
  const from = prefix.bytes.length;
  let end = from;
  while (end < bytes.length && end - from <= MAX_ORCID_BYTES && bytes[end] !== QUOTE) {
    if (bytes[end] === BACKSLASH) return undefined;
    end++;
  }
  // An empty iD, or one not followed by `",` (the record's next field), is left to JSON.parse.
  if (end === from || bytes[end] !== QUOTE || bytes[end + 1] !== COMMA) return undefined;
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.includes(ESCAPE) || !isUtf8(buffer)) return undefined;
  return { type: prefix.type, orcid: buffer.toString("utf8", from, end) };
}
