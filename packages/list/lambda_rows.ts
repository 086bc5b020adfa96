/** Reading the lambda file's CSV rows: `orcid,path,date_created,last_modified`, newest first. */
import { isValidOrcidId } from "@orcid-sync/core";

/** The header line of last_modified.csv. */
export const LAMBDA_HEADER = "orcid,path,date_created,last_modified";

const LAMBDA_DATE = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,6})?$/;

/** A row's meaning, or why it cannot be used. */
export type LambdaRow =
  | { readonly ok: true; readonly orcid: string; readonly lastModified: string }
  | { readonly ok: false; readonly reason: "malformed" | "invalid-id" };

/**
 * Parses a row. `lastModified` is padded to six fraction digits, so it compares as text the way the
 * times compare (with `formatLambdaMicros` of the cutoff).
 *
 * @example
 * ```ts
 * parseLambdaRow("0000-0002-1825-0097,http://orcid.org/0000-0002-1825-0097,2014-08-02 15:00:00,2021-08-02 15:00:00.5");
 * // { ok: true, orcid: "0000-0002-1825-0097", lastModified: "2021-08-02 15:00:00.500000" }
 * ```
 */
export function parseLambdaRow(line: string): LambdaRow {
  // indexOf rather than split: this runs for every row read, millions in a wide window.
  const first = line.indexOf(",");
  const second = line.indexOf(",", first + 1);
  const third = line.indexOf(",", second + 1);
  if (first < 0 || second < 0 || third < 0 || line.indexOf(",", third + 1) !== -1) return { ok: false, reason: "malformed" };
  const date = line.slice(third + 1);
  if (!LAMBDA_DATE.test(date)) return { ok: false, reason: "malformed" };
  const orcid = line.slice(0, first);
  if (!isValidOrcidId(orcid)) return { ok: false, reason: "invalid-id" };
  return { ok: true, orcid, lastModified: date.length === 26 ? date : date.length === 19 ? `${date}.000000` : date.padEnd(26, "0") };
}
