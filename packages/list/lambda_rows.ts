/** Reading the lambda file's CSV rows: `orcid,path,date_created,last_modified`, newest first. */
import { formatLambdaMicros, isValidOrcidId, isValidOrcidIdAt, parseDateTime } from "@orcid-sync/core";
import { splitCsvFields } from "./csv_fields.ts";

/** The header line of last_modified.csv. */
export const LAMBDA_HEADER = "orcid,path,date_created,last_modified";

/** What a row says about the window: inside it, past it, or nothing usable. */
export type RowVerdict = "changed" | "older" | "malformed" | "invalid-id";

/**
 * Reads rows against a cutoff where they lie, in the decompressed text: a 30-day window is
 * hundreds of thousands of rows, and a string, a match and an object per row were a third of the
 * planning's time. Only a changed row's iD becomes a string of its own.
 *
 * @example
 * ```ts
 * const reader = new LambdaRowReader("2021-08-01 00:00:00.000000");
 * const row = "0000-0002-1825-0097,http://orcid.org/0000-0002-1825-0097,2014-08-02 15:00:00,2021-08-02 15:00:00.5";
 * reader.read(row, 0, row.length); // "changed"; reader.orcid is "0000-0002-1825-0097"
 * ```
 */
export class LambdaRowReader {
  /** The iD of the last row read as `changed`. */
  orcid = "";
  /**
   * The newest `last_modified` of the valid rows read so far (`YYYY-MM-DD HH:MM:SS.ffffff` UTC), or
   * `""` before the first: how far the file reaches, whatever the cutoff.
   */
  newest = "";
  readonly #cutoff: string;

  /** `cutoff`: a `YYYY-MM-DD HH:MM:SS.ffffff` UTC time (`formatLambdaMicros`); rows at or after it are changed. */
  constructor(cutoff: string) {
    if (!isLambdaDate(cutoff, 0, cutoff.length) || cutoff.length !== 26)
      throw new Error(`Not a cutoff with six fraction digits: '${cutoff}'`);
    this.#cutoff = cutoff;
  }

  /** Reads the row `text[start, end)` (no line break). */
  read(text: string, start: number, end: number): RowVerdict {
    // The usual row starts with a valid iD and its comma: no search for that comma. A valid iD
    // holds no comma, so the one after it is the first. A row in any other form (quotes, a `T`,
    // a zone, an invalid iD) goes to the general reading.
    if (start + 19 < end && text.charCodeAt(start + 19) === 44 && isValidOrcidIdAt(text, start)) {
      const second = text.indexOf(",", start + 20);
      const third = second === -1 || second >= end ? -1 : text.indexOf(",", second + 1);
      // A fourth field would put a comma in the date, which isLambdaDate refuses.
      if (third !== -1 && third < end && isLambdaDate(text, third + 1, end)) {
        const from = third + 1;
        // Newest first: after the first row this comparison ends at the first characters that differ.
        if (this.newest === "" || compareLambdaDate(text, from, end, this.newest) > 0)
          this.newest = paddedLambdaDate(text, from, end);
        if (compareLambdaDate(text, from, end, this.#cutoff) < 0) return "older";
        this.orcid = text.slice(start, start + 19);
        return "changed";
      }
    }
    return this.#readGeneral(text, start, end);
  }

  /** Any row CSV and ISO 8601 allow: quoted fields, a `T`, a zone, more fraction digits. */
  #readGeneral(text: string, start: number, end: number): RowVerdict {
    const fields = splitCsvFields(text, start, end);
    if (fields === undefined || fields.length !== 4) return "malformed";
    const micros = ISO_DATE_TIME.test(fields[3]!) ? parseDateTime(fields[3]!, "utc") : undefined;
    if (micros === undefined) return "malformed";
    if (!isValidOrcidId(fields[0]!)) return "invalid-id";
    const date = formatLambdaMicros(micros);
    if (date > this.newest) this.newest = date;
    if (date < this.#cutoff) return "older";
    this.orcid = fields[0]!;
    return "changed";
  }
}

/** A date-time with seconds, `T` or a space between, up to 9 fraction digits, an optional zone. */
const ISO_DATE_TIME = /^\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:?\d\d)?$/;

/** A lambda date (`isLambdaDate`) padded to six fraction digits. */
function paddedLambdaDate(text: string, from: number, to: number): string {
  const date = text.slice(from, to);
  return date.length === 19 ? `${date}.000000` : date.padEnd(26, "0");
}

/** Whether `text[from, to)` is `YYYY-MM-DD HH:MM:SS`, optionally with one to six fraction digits. */
export function isLambdaDate(text: string, from: number, to: number): boolean {
  const length = to - from;
  if (length !== 19 && (length < 21 || length > 26)) return false;
  // The separators first, at their fixed places, then every other character a digit.
  if (text.charCodeAt(from + 4) !== 45 || text.charCodeAt(from + 7) !== 45 || text.charCodeAt(from + 10) !== 32)
    return false;
  if (
    text.charCodeAt(from + 13) !== 58 ||
    text.charCodeAt(from + 16) !== 58 ||
    (length > 19 && text.charCodeAt(from + 19) !== 46)
  )
    return false;
  for (let i = 0; i < length; i++) {
    if (i === 4 || i === 7 || i === 10 || i === 13 || i === 16 || i === 19) continue;
    const digit = text.charCodeAt(from + i) - 48;
    if (digit < 0 || digit > 9) return false;
  }
  return true;
}

/**
 * Compares a lambda date (`isLambdaDate`) in `text[from, to)` with a six-digit `cutoff`, at
 * microsecond precision: missing fraction digits count as zeros. Negative when the date is older.
 */
export function compareLambdaDate(text: string, from: number, to: number, cutoff: string): number {
  for (let i = 0; i < 26; i++) {
    const code = from + i < to ? text.charCodeAt(from + i) : i === 19 ? 46 : 48;
    const difference = code - cutoff.charCodeAt(i);
    if (difference !== 0) return difference;
  }
  return 0;
}
