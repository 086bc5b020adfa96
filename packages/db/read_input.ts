/**
 * Input records with their JSON text: core's lines and record checks (the same messages), keeping
 * each line's text and bytes so that an engine that parses JSON itself (DuckDB) can build the rows.
 */
import { parseRecordLine, readLines, type SourcedRecord } from "@orcid-sync/core";

/** A record, where it came from, and the line it was read from. */
export interface TextRecord extends SourcedRecord {
  /** The line as read (without its line ending). */
  readonly text: string;
  /** The line's bytes as read: a view of the input's chunk (kept without a copy into the JavaScript heap). */
  readonly bytes: Uint8Array;
}

/** Options for {@linkcode readTextRecords}. */
export interface ReadTextRecordsOptions {
  /** Name used in messages. Default `stdin`. */
  readonly source?: string;
  /** Longest accepted line in bytes; a longer one throws a RangeError. Default 512 MiB. */
  readonly maxLineBytes?: number;
}

/**
 * Parses NDJSON input into records with their text, line by line as they end. Blank lines are
 * skipped; a line that is not JSON or not a valid record throws a SyntaxError naming `source:LINE`
 * (core's `readRecords` messages); a last line without a newline is read too.
 *
 * @example
 * ```ts
 * for await (const { record, text } of readTextRecords(process.stdin)) { … }
 * ```
 */
export async function* readTextRecords(
  input: AsyncIterable<Uint8Array | string>,
  options: ReadTextRecordsOptions = {},
): AsyncGenerator<TextRecord> {
  const source = options.source ?? "stdin";
  const lines = readLines(input, {
    source,
    ...(options.maxLineBytes !== undefined ? { maxLineBytes: options.maxLineBytes } : {}),
  });
  for await (const { text, line, bytes } of lines) {
    const record = parseRecordLine(text, source, line);
    if (record) yield { record, source, line, text, bytes };
  }
}
