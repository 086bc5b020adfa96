/**
 * The iDs changed since a cutoff, streamed from the lambda file (gzip → tar → CSV) and stopped at
 * the first older row: the work grows with the window, not with the file.
 */
import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { extract } from "tar-stream";
import { splitCsvFields } from "./csv_fields.ts";
import { LAMBDA_HEADER, LambdaRowReader } from "./lambda_rows.ts";
import { lineWindows } from "./line_windows.ts";

/**
 * Thrown for a lambda file that cannot be trusted to say what changed: no `last_modified.csv`, an
 * empty or unreadable archive, a wrong header, no usable row. Reading it as "nothing changed"
 * would let the state move past changes never synced.
 */
export class LambdaFileError extends Error {
  override name = "LambdaFileError";
}

/** What the reader saw, for the summary line and the report of bad rows. */
export interface LambdaStats {
  /** Data rows read, bad ones and the first older one included. */
  rows: number;
  /** The newest `last_modified` of the valid rows read (`YYYY-MM-DD HH:MM:SS.ffffff` UTC), `""` if none. */
  newest: string;
  /** iDs at or after the cutoff. */
  changed: number;
  malformed: number;
  invalidIds: number;
  /** The first bad rows as `row N (line L): text`, for the report. */
  readonly examples: string[];
  /** Whether reading stopped at an older row (false: the whole file was within the window). */
  stoppedEarly: boolean;
}

/** Fresh counters. */
export function newLambdaStats(): LambdaStats {
  return { rows: 0, newest: "", changed: 0, malformed: 0, invalidIds: 0, examples: [], stoppedEarly: false };
}

const EXAMPLES = 10;
const GUNZIP_CHUNK = 128 * 1024;
const TEXT_WINDOW = 16 * 1024;
/** Rows are about 110 bytes; no row of the lambda file comes near this. */
const LONGEST_LINE = 64 * 1024;
/** Text windows between turns of the event loop. */
const YIELD_EVERY = 4;

/**
 * Yields, in batches (one per 16 KiB text window), the iDs of rows modified at or after `cutoff`
 * (a `YYYY-MM-DD HH:MM:SS.ffffff` UTC string, see `formatLambdaMicros`). Stops at the first older
 * row and destroys the decompression; the caller aborts the download when the iteration ends.
 * Malformed rows and invalid iDs are counted in `stats` (the caller decides how many it accepts);
 * a file that cannot say what changed throws a {@linkcode LambdaFileError}: no `last_modified.csv`
 * member (an empty gzip or tar too), a first line that is not the header, no rows, or no row that
 * could be read.
 *
 * @example
 * ```ts
 * for await (const ids of lambdaChanges(body, "2026-11-19 00:00:00.000000", stats)) …
 * ```
 */
export async function* lambdaChanges(
  compressed: AsyncIterable<Uint8Array>,
  cutoff: string,
  stats: LambdaStats = newLambdaStats(),
): AsyncGenerator<string[]> {
  const source = Readable.from(compressed, { objectMode: false });
  // Large chunks: each is a round trip to the thread pool, on which the main thread waits with
  // small ones; larger than GUNZIP_CHUNK only adds memory (docs/architecture.md, "The hot path").
  const gunzip = createGunzip({ chunkSize: GUNZIP_CHUNK });
  const tar = extract();
  const fail = (error: Error) => tar.destroy(error);
  source.on("error", fail);
  gunzip.on("error", (error) => fail(new Error(`The lambda file is not a gzip-compressed tar: ${error.message}`)));
  source.pipe(gunzip).pipe(tar);
  const members: string[] = [];
  try {
    for await (const entry of tar) {
      if (!entry.header.name.endsWith("last_modified.csv")) {
        if (members.length < 5) members.push(entry.header.name);
        entry.resume();
        continue;
      }
      const reader = new LambdaRowReader(cutoff);
      let line = 0;
      let windows = 0;
      const bad = (text: string) => {
        if (stats.examples.length < EXAMPLES) stats.examples.push(`row ${stats.rows} (line ${line}): ${text}`);
      };
      // Reads text[start, end) as a row; false at the first row older than the cutoff.
      const take = (text: string, start: number, end: number, batch: string[]): boolean => {
        line++;
        if (line === 1) {
          checkHeader(text, start, end);
          return true;
        }
        if (end === start) return true;
        stats.rows++;
        const verdict = reader.read(text, start, end);
        if (verdict === "changed") {
          stats.changed++;
          batch.push(reader.orcid);
          return true;
        }
        if (verdict === "older") {
          stats.stoppedEarly = true;
          return false;
        }
        if (verdict === "malformed") stats.malformed++;
        else stats.invalidIds++;
        bad(text.slice(start, Math.min(end, start + 120)));
        return true;
      };
      // A line longer than any row can be (a file without line breaks must not fill memory).
      const overlong = (head: Buffer) => {
        line++;
        if (line === 1)
          throw new LambdaFileError(
            `Cannot use the lambda file: its first line is not the header '${LAMBDA_HEADER}' (line 1: '${head.toString("utf8", 0, 60)}…')`,
          );
        stats.rows++;
        stats.malformed++;
        bad(`${head.toString("utf8")}…`);
      };
      try {
        // tar-stream types its entries loosely; their chunks are Buffers.
        for await (const text of lineWindows(entry as AsyncIterable<Buffer>, {
          window: TEXT_WINDOW,
          longestLine: LONGEST_LINE,
          onOverlong: overlong,
        })) {
          const batch: string[] = [];
          for (let start = 0; start < text.length; ) {
            const next = text.indexOf("\n", start);
            const end = next === -1 ? text.length : next;
            if (!take(text, start, end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end, batch)) {
              if (batch.length > 0) yield batch;
              return;
            }
            start = end + 1;
          }
          if (batch.length > 0) yield batch;
          // Text already buffered is read in microtasks, during which gunzip's completions wait and
          // the thread pool idles: a turn of the event loop now and then lets it work ahead.
          if (++windows % YIELD_EVERY === 0) await new Promise((resolve) => setImmediate(resolve));
        }
      } finally {
        stats.newest = reader.newest;
      }
      if (line === 0) throw new LambdaFileError("Cannot use the lambda file: its last_modified.csv is empty");
      if (stats.rows === 0)
        throw new LambdaFileError("Cannot use the lambda file: its last_modified.csv has a header and no rows");
      if (reader.newest === "") {
        throw new LambdaFileError(
          `Cannot use the lambda file: none of its ${stats.rows} rows could be read (${stats.examples[0] ?? "no example"})`,
        );
      }
      return;
    }
    const seen = members.length > 0 ? ` (it holds ${members.map((m) => `'${m}'`).join(", ")})` : " (it is empty)";
    throw new LambdaFileError(`Cannot use the lambda file: it holds no last_modified.csv${seen}`);
  } finally {
    source.destroy();
    gunzip.destroy();
    tar.destroy();
  }
}

/** The first line must be the header, written plain or quoted (a BOM before it is allowed). */
function checkHeader(text: string, start: number, end: number): void {
  if (end - start === LAMBDA_HEADER.length && text.startsWith(LAMBDA_HEADER, start)) return;
  const from = text.charCodeAt(start) === 0xfeff ? start + 1 : start;
  if (splitCsvFields(text, from, end)?.join(",") === LAMBDA_HEADER) return;
  const shown = text.slice(start, Math.min(end, start + 60));
  throw new LambdaFileError(
    `Cannot use the lambda file: its first line is not the header '${LAMBDA_HEADER}' (line 1: '${shown}')`,
  );
}
