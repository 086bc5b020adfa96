/**
 * Input records with their JSON text: core's `readRecords` (the same lines, checks and messages),
 * keeping each line's text so that an engine that parses JSON itself (DuckDB) can build the rows.
 */
import { parseRecord, type SourcedRecord } from "@orcid-sync/core";

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

const NEWLINE = 0x0a;
const SHOWN_CHARS = 60;

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
  const maxLineBytes = options.maxLineBytes ?? 512 * 1024 * 1024;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let line = 0;
  const finish = (tail: Buffer): Buffer => {
    let buffer = pending.length === 0 ? tail : Buffer.concat([...pending, tail]);
    pending = [];
    pendingBytes = 0;
    if (buffer.length > 0 && buffer[buffer.length - 1] === 0x0d) buffer = buffer.subarray(0, -1);
    return buffer;
  };
  const record = (bytes: Buffer): TextRecord | undefined => {
    const text = bytes.toString("utf8");
    if (text.trim().length === 0) return undefined;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new SyntaxError(
        `Cannot parse record on ${source}:${line}: ${(error as Error).message} (line starts: ${show(text)})`,
      );
    }
    try {
      return { record: parseRecord(value), source, line, text, bytes };
    } catch (error) {
      throw new SyntaxError(
        `Cannot use record on ${source}:${line}: ${(error as Error).message} (line starts: ${show(text)})`,
      );
    }
  };
  for await (const piece of input) {
    const chunk =
      typeof piece === "string" ? Buffer.from(piece) : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    let start = 0;
    let end = chunk.indexOf(NEWLINE, start);
    while (end !== -1) {
      line++;
      const read = record(finish(chunk.subarray(start, end)));
      if (read) yield read;
      start = end + 1;
      end = chunk.indexOf(NEWLINE, start);
    }
    if (start < chunk.length) {
      pending.push(chunk.subarray(start));
      pendingBytes += chunk.length - start;
      if (pendingBytes > maxLineBytes) {
        throw new RangeError(`Cannot read ${source}:${line + 1}: line is longer than ${maxLineBytes} bytes`);
      }
    }
  }
  if (pendingBytes > 0) {
    line++;
    const read = record(finish(Buffer.alloc(0)));
    if (read) yield read;
  }
}

function show(text: string): string {
  return `'${text.length > SHOWN_CHARS ? `${text.slice(0, SHOWN_CHARS)}…` : text}'`;
}
