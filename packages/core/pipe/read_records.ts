/** Reading pipeline records from NDJSON input with line numbers. */
import { createReadStream } from "node:fs";
import type { Readable } from "node:stream";
import { LineSplitter, readLines } from "./read_lines.ts";
import { InvalidRecordError, parseRecord, type PipelineRecord, type UnknownRecord } from "./records.ts";

/** A record with where it came from. */
export interface SourcedRecord {
  readonly record: PipelineRecord | UnknownRecord;
  /** `stdin` or the file name. */
  readonly source: string;
  readonly line: number;
}

/** Thrown for a line that is not JSON or not a valid record; fatal for a tool (exit 3). */
export class RecordSyntaxError extends SyntaxError {
  override name = "RecordSyntaxError";
}

/** Options for {@linkcode readRecords}. */
export interface ReadRecordsOptions {
  /** Name used in messages. Default `stdin`. */
  readonly source?: string;
}

const SHOWN_CHARS = 60;

/**
 * Parses NDJSON input into records. Blank lines are skipped; a malformed line throws a
 * {@linkcode RecordSyntaxError} naming `source:LINE` and showing the start of the line.
 *
 * @example
 * ```ts
 * for await (const { record, line } of readRecords(process.stdin)) { … }
 * ```
 */
export async function* readRecords(
  input: AsyncIterable<Uint8Array | string>,
  options: ReadRecordsOptions = {},
): AsyncGenerator<SourcedRecord> {
  const source = options.source ?? "stdin";
  for await (const { text, line } of readLines(input, { source })) {
    const record = parseRecordLine(text, source, line);
    if (record) yield { record, source, line };
  }
}

/**
 * One NDJSON line as a record: undefined for a blank line; a line that is not JSON, or not a valid
 * record, throws a {@linkcode RecordSyntaxError} naming `source:LINE` and showing its start.
 *
 * @example
 * ```ts
 * parseRecordLine('{"type":"checkpoint","bucket":"b","folder":"097"}', "stdin", 1); // the checkpoint record
 * ```
 */
export function parseRecordLine(
  text: string,
  source: string,
  line: number,
): PipelineRecord | UnknownRecord | undefined {
  if (text.trim().length === 0) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new RecordSyntaxError(
      `Cannot parse record on ${source}:${line}: ${(error as Error).message} (line starts: ${show(text)})`,
    );
  }
  try {
    return parseRecord(value);
  } catch (error) {
    if (!(error instanceof InvalidRecordError)) throw error;
    throw new RecordSyntaxError(
      `Cannot use record on ${source}:${line}: ${error.message} (line starts: ${show(text)})`,
    );
  }
}

/**
 * Reads records from each input in turn: `-` is `stdin`, anything else a file name. No inputs means
 * stdin.
 */
export async function* readRecordInputs(inputs: readonly string[], stdin: Readable): AsyncGenerator<SourcedRecord> {
  for (const input of inputs.length === 0 ? ["-"] : inputs) {
    if (input === "-") yield* readRecords(stdin, { source: "stdin" });
    else yield* readRecords(createReadStream(input), { source: input });
  }
}

/**
 * The records of each input in turn, as {@linkcode readRecordInputs} reads them (the same checks,
 * messages and limits) but without where each came from, in one generator: for a tool whose
 * per-record cost matters (orcid-fetch), each layer of async generators costs a promise and
 * turns of the microtask queue per record.
 *
 * @example
 * ```ts
 * for await (const record of readRecordsOnly([], process.stdin)) { … }
 * ```
 */
export async function* readRecordsOnly(
  inputs: readonly string[],
  stdin: Readable,
  options: { readonly maxLineBytes?: number } = {},
): AsyncGenerator<PipelineRecord | UnknownRecord> {
  for (const input of inputs.length === 0 ? ["-"] : inputs) {
    const source = input === "-" ? "stdin" : input;
    const splitter = new LineSplitter({ ...options, source });
    let line = 0;
    for await (const piece of input === "-" ? stdin : createReadStream(input)) {
      for (const bytes of splitter.push(piece)) {
        const record = parseRecordLine(bytes.toString("utf8"), source, ++line);
        if (record) yield record;
      }
    }
    const last = splitter.end();
    const record = last === undefined ? undefined : parseRecordLine(last.toString("utf8"), source, line + 1);
    if (record) yield record;
  }
}

function show(text: string): string {
  return `'${text.length > SHOWN_CHARS ? `${text.slice(0, SHOWN_CHARS)}…` : text}'`;
}
