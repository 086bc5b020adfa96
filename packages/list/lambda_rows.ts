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
  const fields = line.split(",");
  if (fields.length !== 4) return { ok: false, reason: "malformed" };
  const date = fields[3]!.trim();
  if (!LAMBDA_DATE.test(date)) return { ok: false, reason: "malformed" };
  const orcid = fields[0]!.trim();
  if (!isValidOrcidId(orcid)) return { ok: false, reason: "invalid-id" };
  return { ok: true, orcid, lastModified: date.length === 19 ? `${date}.000000` : date.padEnd(26, "0") };
}
