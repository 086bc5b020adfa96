/** Query results as lines: NDJSON records (the default), CSV, or an aligned table for people. */

/** The output formats of the query verbs. */
export const FORMATS = ["ndjson", "csv", "table"] as const;

/** An output format. */
export type Format = (typeof FORMATS)[number];

function cellText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

function csvCell(value: unknown): string {
  const text = cellText(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * Formats records as lines (without newlines). CSV has a header of the first record's fields, and
 * a new one where records of another shape follow (an iD's person record, then its links); a table
 * has a column for every field of any record and is aligned to its widest cells, so it is written
 * when the records end.
 *
 * @example
 * ```ts
 * for await (const line of formatRecords(records, "csv")) console.log(line);
 * ```
 */
export async function* formatRecords(
  records: AsyncIterable<object> | Iterable<object>,
  format: Format,
): AsyncGenerator<string> {
  if (format === "ndjson") {
    for await (const record of records) yield JSON.stringify(record);
    return;
  }
  let columns: string[] | undefined;
  const rows: Record<string, unknown>[] = [];
  const tableColumns = new Set<string>();
  for await (const record of records) {
    const fields = record as Record<string, unknown>;
    if (format === "table") {
      rows.push(fields);
      for (const key of Object.keys(fields)) tableColumns.add(key);
      continue;
    }
    const keys = Object.keys(fields);
    // Records of another shape (a person, then links) start a section with their own header.
    if (!columns || keys.length !== columns.length || keys.some((k, i) => k !== columns![i])) {
      columns = keys;
      yield columns.map(csvCell).join(",");
    }
    yield columns.map((c) => csvCell(fields[c])).join(",");
  }
  if (format !== "table" || rows.length === 0) return;
  const header = [...tableColumns];
  const table = [header, ...rows.map((fields) => header.map((c) => cellText(fields[c]).replace(/\s+/g, " ")))];
  const widths = header.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  for (const row of table)
    yield row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
}
