/**
 * The iDs changed since a cutoff, streamed from the lambda file (gzip → tar → CSV) and stopped at
 * the first older row: the work grows with the window, not with the file.
 */
import { Readable } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import { createGunzip } from "node:zlib";
import { extract } from "tar-stream";
import { LAMBDA_HEADER, parseLambdaRow } from "./lambda_rows.ts";

/** What the reader saw, for the summary line and the report of bad rows. */
export interface LambdaStats {
  /** Data rows read, bad ones and the first older one included. */
  rows: number;
  /** iDs at or after the cutoff. */
  changed: number;
  malformed: number;
  invalidIds: number;
  /** A few bad rows as `line N: text`, for the report. */
  readonly examples: string[];
  /** Whether reading stopped at an older row (false: the whole file was within the window). */
  stoppedEarly: boolean;
}

/** Fresh counters. */
export function newLambdaStats(): LambdaStats {
  return { rows: 0, changed: 0, malformed: 0, invalidIds: 0, examples: [], stoppedEarly: false };
}

const EXAMPLES = 5;

/**
 * Yields, in batches (one per decompressed chunk), the iDs of rows modified at or after `cutoff`
 * (a `YYYY-MM-DD HH:MM:SS.ffffff` UTC string, see `formatLambdaMicros`). Stops at the first older
 * row and destroys the decompression; the caller aborts the download when the iteration ends.
 * Malformed rows and invalid iDs are counted in `stats`, never fatal.
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
  const gunzip = createGunzip();
  const tar = extract();
  const fail = (error: Error) => tar.destroy(error);
  source.on("error", fail);
  gunzip.on("error", (error) => fail(new Error(`The lambda file is not a gzip-compressed tar: ${error.message}`)));
  source.pipe(gunzip).pipe(tar);
  try {
    for await (const entry of tar) {
      if (!entry.header.name.endsWith("last_modified.csv")) {
        entry.resume();
        continue;
      }
      const decoder = new StringDecoder("utf8");
      let carry = "";
      let line = 0;
      const take = (text: string, batch: string[]): boolean => {
        line++;
        if (line === 1 && text.startsWith(LAMBDA_HEADER)) return true;
        if (text.length === 0) return true;
        stats.rows++;
        const row = parseLambdaRow(text);
        if (!row.ok) {
          if (row.reason === "malformed") stats.malformed++;
          else stats.invalidIds++;
          if (stats.examples.length < EXAMPLES) stats.examples.push(`line ${line}: ${text.slice(0, 120)}`);
          return true;
        }
        if (row.lastModified < cutoff) {
          stats.stoppedEarly = true;
          return false;
        }
        stats.changed++;
        batch.push(row.orcid);
        return true;
      };
      for await (const chunk of entry) {
        const text = carry + decoder.write(chunk as Buffer);
        const batch: string[] = [];
        let start = 0;
        let end = text.indexOf("\n");
        while (end !== -1) {
          const row = text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end);
          if (!take(row, batch)) {
            if (batch.length > 0) yield batch;
            return;
          }
          start = end + 1;
          end = text.indexOf("\n", start);
        }
        carry = text.slice(start);
        if (batch.length > 0) yield batch;
      }
      const last: string[] = [];
      const tail = carry + decoder.end();
      if (tail.length > 0 && take(tail, last) && last.length > 0) yield last;
      return;
    }
  } finally {
    source.destroy();
    gunzip.destroy();
    tar.destroy();
  }
}
