/**
 * One summary's extraction as a unit of work that can cross to a worker thread: in, the XML or the
 * file that holds it; out, the NDJSON lines of its records (or of one error record) and counts.
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { StringDecoder } from "node:string_decoder";
import type { ErrorRecord } from "@orcid-sync/core";
import {
  type ExtractedRecord,
  type ExtractOptions,
  SummaryError,
  SummaryExtractor,
  XmlSyntaxError,
} from "./summary_extractor.ts";

/** A summary to extract. Exactly one of `body` and `path` is set. */
export interface SummaryTask {
  /** The iD its key names (already checked to be a valid iD). */
  readonly orcid: string;
  /** The summary's key, `<last3>/<iD>.xml`, for error records. */
  readonly key: string;
  readonly bucket?: string;
  /** The XML as a string (an object record's body). */
  readonly body?: string;
  /** The body is base64 (an object record whose bytes were not UTF-8). */
  readonly base64?: boolean;
  /** The body's size in bytes, when known (an object record's `size`); counted for the summary. */
  readonly size?: number;
  /** A file that holds the XML. */
  readonly path?: string;
}

/** Counts of one or more extracted summaries. */
export interface ExtractStats {
  summaries: number;
  /** Bytes of XML read. */
  bytes: number;
  person: number;
  work: number;
  affiliation: number;
  funding: number;
  gone: number;
  link: number;
  errors: number;
  /** External ids of type `doi` in which no DOI was found. */
  doiless: number;
}

/** What a task gives back. */
export interface TaskResult {
  /** NDJSON lines, each ending with a newline. */
  readonly text: string;
  /** How many lines. */
  readonly lines: number;
  readonly stats: ExtractStats;
}

/** What {@linkcode SummaryTaskRunner.runAllEncoded} gives back. */
export interface EncodedResult {
  /** NDJSON lines, each ending with a newline, as UTF-8. */
  readonly bytes: Buffer;
  readonly lines: number;
  readonly stats: ExtractStats;
}

/** Where a batch's lines are encoded before they are copied out (reused; grown, never shrunk). */
let scratch = Buffer.alloc(0);

/** Files larger than this are read and parsed in chunks, never whole. */
export const WHOLE_FILE_LIMIT = 16 * 1024 * 1024;
/** Files are read in pieces of this size; a file smaller is read whole in one piece. */
export const CHUNK_BYTES = 1024 * 1024;

/** Zeroed counts. */
export function emptyStats(): ExtractStats {
  return {
    summaries: 0,
    bytes: 0,
    person: 0,
    work: 0,
    affiliation: 0,
    funding: 0,
    gone: 0,
    link: 0,
    errors: 0,
    doiless: 0,
  };
}

/** Adds `b` to `a`. */
export function addStats(a: ExtractStats, b: Readonly<ExtractStats>): void {
  for (const field of Object.keys(a) as (keyof ExtractStats)[]) a[field] += b[field];
}

/**
 * Runs summary tasks, one at a time, with one extractor. A summary that cannot be read or parsed
 * gives one error record (op `extract`) instead of its records: a consumer never sees half of an
 * iD. The parser runs without line and column tracking; a summary it refuses is parsed again with
 * them, for a message that says where.
 *
 * @example
 * ```ts
 * const result = new SummaryTaskRunner({ links: true }).run({ orcid, key, body: xml });
 * process.stdout.write(result.text);
 * ```
 */
export class SummaryTaskRunner {
  readonly #options: ExtractOptions;
  readonly #extractor: SummaryExtractor;

  constructor(options: ExtractOptions = {}) {
    this.#options = options;
    this.#extractor = new SummaryExtractor({ ...options, positions: false });
  }

  /** Extracts summaries, their lines in task order. */
  runAll(tasks: readonly SummaryTask[]): TaskResult {
    if (tasks.length === 1) return this.run(tasks[0]!);
    const stats = emptyStats();
    let text = "";
    let lines = 0;
    for (const task of tasks) {
      const result = this.run(task);
      text += result.text;
      lines += result.lines;
      addStats(stats, result.stats);
    }
    return { text, lines, stats };
  }

  /**
   * {@linkcode SummaryTaskRunner.runAll} with the lines as UTF-8 bytes, in a buffer of their own
   * (one a worker can transfer): each summary's lines are encoded as they come, never joined into
   * one string first.
   */
  runAllEncoded(tasks: readonly SummaryTask[]): EncodedResult {
    const stats = emptyStats();
    let at = 0;
    let lines = 0;
    for (const task of tasks) {
      const result = this.run(task);
      // UTF-8 takes at most three bytes per UTF-16 unit.
      if (at + 3 * result.text.length > scratch.length) {
        const grown = Buffer.allocUnsafe(Math.max(2 * scratch.length, at + 3 * result.text.length));
        scratch.copy(grown, 0, 0, at);
        scratch = grown;
      }
      at += scratch.write(result.text, at);
      lines += result.lines;
      addStats(stats, result.stats);
    }
    const bytes = Buffer.allocUnsafeSlow(at);
    scratch.copy(bytes, 0, 0, at);
    return { bytes, lines, stats };
  }

  /** Extracts one summary. */
  run(task: SummaryTask): TaskResult {
    const stats = emptyStats();
    stats.summaries = 1;
    try {
      const { records, bytes } = extractWith(this.#extractor, task);
      stats.bytes = bytes;
      let text = "";
      for (const record of records) {
        stats[record.type]++;
        text += `${JSON.stringify(record)}\n`;
      }
      stats.doiless = this.#extractor.counts.doiless;
      return { text, lines: records.length, stats };
    } catch (error) {
      let reason = error;
      if (error instanceof XmlSyntaxError) {
        try {
          extractWith(new SummaryExtractor({ ...this.#options, positions: true }), task);
        } catch (positioned) {
          if (positioned instanceof SummaryError) reason = positioned;
        }
      }
      const failure = failureOf(reason, task);
      if (failure === undefined) throw error;
      stats.errors = 1;
      return { text: `${JSON.stringify(failure)}\n`, lines: 1, stats };
    }
  }
}

function extractWith(extractor: SummaryExtractor, task: SummaryTask): { records: ExtractedRecord[]; bytes: number } {
  if (task.path !== undefined) return readFile(extractor, task.orcid, task.path);
  if (task.base64) {
    const raw = Buffer.from(task.body ?? "", "base64");
    return { records: extractor.extract(task.orcid, raw.toString("utf8")), bytes: raw.length };
  }
  const body = task.body ?? "";
  return { records: extractor.extract(task.orcid, body), bytes: task.size ?? body.length };
}

/** The error record of a summary that could not be extracted; undefined for a bug (rethrown). */
function failureOf(error: unknown, task: SummaryTask): ErrorRecord | undefined {
  const errno = (error as NodeJS.ErrnoException).code;
  let code: string;
  let message: string;
  if (error instanceof SummaryError) {
    code = "InvalidSummary";
    message = `Cannot extract ${task.key}: ${error.message}`;
  } else if (typeof errno === "string" && error instanceof Error) {
    code = errno;
    message = `Cannot read ${task.path ?? task.key}: ${error.message}`;
  } else return undefined;
  // Built here rather than by core's errorRecord: a worker thread runs this module and loads no
  // core module beyond the link rules.
  return {
    type: "error",
    tool: "orcid-extract",
    op: "extract",
    message,
    code,
    // A file that vanished or could not be read may be there next time; bad XML stays bad.
    retryable: code !== "InvalidSummary",
    attempts: 1,
    ...(task.bucket === undefined ? {} : { bucket: task.bucket }),
    key: task.key,
    orcid: task.orcid,
  };
}

/** Reused for every summary file that fits: most do, so most cost no allocation. */
let shared: Buffer | undefined;

/** Reads `fd` into `buffer` from `at` until the buffer is full or the file ends; how many bytes it holds then. */
function fill(fd: number, buffer: Buffer, at: number): number {
  while (at < buffer.length) {
    const n = readSync(fd, buffer, at, buffer.length - at, null);
    if (n === 0) break;
    at += n;
  }
  return at;
}

/**
 * Reads a summary file whole when it is small (into a reused buffer, without asking its size
 * first), else streams it through saxes in chunks.
 */
function readFile(
  extractor: SummaryExtractor,
  orcid: string,
  path: string,
): { records: ExtractedRecord[]; bytes: number } {
  const fd = openSync(path, "r");
  try {
    shared ??= Buffer.allocUnsafe(CHUNK_BYTES);
    const first = fill(fd, shared, 0);
    if (first < shared.length)
      return { records: extractor.extractBytes(orcid, shared.subarray(0, first)), bytes: first };
    const size = fstatSync(fd).size;
    if (size <= WHOLE_FILE_LIMIT) {
      // One byte more than fstat says: a read that fills it shows the file grew.
      const whole = Buffer.allocUnsafe(Math.max(size, first) + 1);
      shared.copy(whole, 0, 0, first);
      // Grown past it: what does not fit is streamed.
      const read = fill(fd, whole, first);
      if (read < whole.length) return { records: extractor.extractBytes(orcid, whole.subarray(0, read)), bytes: read };
      return streamFile(extractor, orcid, fd, whole);
    }
    return streamFile(extractor, orcid, fd, shared);
  } finally {
    closeSync(fd);
  }
}

/** Parses what `head` holds, then the rest of `fd`, with saxes in chunks. */
function streamFile(
  extractor: SummaryExtractor,
  orcid: string,
  fd: number,
  head: Buffer,
): { records: ExtractedRecord[]; bytes: number } {
  extractor.begin(orcid);
  const decoder = new StringDecoder("utf8");
  extractor.write(decoder.write(head));
  let total = head.length;
  const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  for (;;) {
    const n = readSync(fd, chunk, 0, CHUNK_BYTES, null);
    if (n === 0) break;
    total += n;
    extractor.write(decoder.write(chunk.subarray(0, n)));
  }
  const rest = decoder.end();
  if (rest) extractor.write(rest);
  return { records: extractor.end(), bytes: total };
}
