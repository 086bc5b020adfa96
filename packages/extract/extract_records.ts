/**
 * orcid-extract as a transform: pipeline records in, the extracted records of every summary out,
 * everything else passed through, all in input order, summaries extracted on worker threads.
 */
import { join } from "node:path";
import {
  errorRecord,
  type ErrorRecord,
  InvalidKeyError,
  Mirror,
  type ObjectRecord,
  parseKey,
  type PipelineRecord,
  type PlacedRecord,
  pooledMap,
  type UnknownRecord,
  UnsafePathError,
} from "@orcid-sync/core";
import { addStats, type ExtractStats, type SummaryTask } from "./summary_task.ts";
import { type BatchResult, ExtractPool, type ExtractPoolOptions } from "./worker_pool.ts";

/** One piece of output, in input order: a record passed through, or the lines of extracted summaries. */
export type ExtractOutput = { readonly pass: PipelineRecord | UnknownRecord } | BatchResult;

/** One piece of work, in input order: a record to pass on, or summaries to extract. */
export type ExtractInput =
  | { readonly pass: PipelineRecord | UnknownRecord }
  | { readonly tasks: readonly SummaryTask[] };

/** Options for {@linkcode extractRecords} and {@linkcode extractInputs}. */
export interface ExtractRecordsOptions extends Omit<ExtractPoolOptions, "threads"> {
  /** Worker threads. Default 1 (this thread). */
  readonly threads?: number;
  /** Read the summaries of `placed` records (action `written`) from this mirror folder. */
  readonly mirror?: string;
  /**
   * With `mirror`, also the summaries placed records say were left `unchanged`: a run that lists
   * again what a failed run placed then loads it again downstream. Default false.
   */
  readonly unchanged?: boolean;
  /** Counts of the extracted summaries are added here. */
  readonly stats?: ExtractStats;
}

/**
 * Extracts work items in order on a pool of `threads` workers, a few batches ahead per worker: a
 * record to pass waits for the summaries before it, so the output keeps the input's order.
 *
 * @example
 * ```ts
 * for await (const out of extractInputs(summaryFileInputs("./data"), { threads: 4 })) { … }
 * ```
 */
export async function* extractInputs(
  inputs: AsyncIterable<ExtractInput> | Iterable<ExtractInput>,
  options: ExtractRecordsOptions = {},
): AsyncGenerator<ExtractOutput> {
  const threads = options.threads ?? 1;
  const pool = new ExtractPool({ ...options, threads });
  try {
    const outputs = pooledMap(
      threads * 4,
      inputs,
      async (input): Promise<ExtractOutput> => ("pass" in input ? input : pool.run(input.tasks)),
    );
    for await (const output of outputs) {
      if (!("pass" in output) && options.stats) addStats(options.stats, output.stats);
      yield output;
    }
  } finally {
    await pool.close();
  }
}

/**
 * The work items of pipeline records: an `object` record of a summary is extracted from its body;
 * with `mirror`, a `placed` record of a summary written there (or, with `unchanged`, left
 * unchanged there) is extracted from that file (and not passed on); every other record is passed through. A summary whose key is not a well-formed
 * summary key becomes an error record.
 */
export async function* recordInputs(
  records: AsyncIterable<PipelineRecord | UnknownRecord>,
  options: Pick<ExtractRecordsOptions, "mirror" | "unchanged"> = {},
): AsyncGenerator<ExtractInput> {
  // Made at the first placed summary: orcid-place, earlier in the pipe, may not have made the folder yet.
  let mirror: Mirror | undefined;
  for await (const record of records) {
    if (record.type === "object" && (record as ObjectRecord).kind === "summary") {
      const object = record as ObjectRecord;
      const orcid = summaryOrcid(object.key);
      if (typeof orcid !== "string") yield { pass: invalidKey(orcid, object.key, object.orcid, object.bucket) };
      else {
        yield {
          tasks: [
            {
              orcid,
              key: object.key,
              bucket: object.bucket,
              body: object.body,
              size: object.size,
              ...(object.encoding === "base64" ? { base64: true } : {}),
            },
          ],
        };
      }
      continue;
    }
    if (options.mirror !== undefined && record.type === "placed") {
      const placed = record as PlacedRecord;
      const extracted = placed.action === "written" || (options.unchanged === true && placed.action === "unchanged");
      if (extracted && placed.path.startsWith("summaries/")) {
        const key = placed.path.slice("summaries/".length);
        const orcid = summaryOrcid(key);
        if (typeof orcid !== "string") {
          yield { pass: invalidKey(orcid, key, placed.orcid, placed.bucket) };
          continue;
        }
        mirror ??= new Mirror(options.mirror, { sweep: false });
        let path: string;
        try {
          // The mirror owner's gate: a symlinked or non-folder component is refused, so no file outside is read.
          const relative = mirror.pathOf({ key, orcid, kind: "summary" });
          // A missing folder is left to the read, which reports the file missing.
          path = mirror.existing(relative) ?? join(mirror.root, relative);
        } catch (error) {
          if (!(error instanceof UnsafePathError)) throw error;
          yield { pass: refusedPath(error, key, orcid, placed.bucket) };
          continue;
        }
        yield { tasks: [{ orcid, key, ...(placed.bucket ? { bucket: placed.bucket } : {}), path }] };
        continue;
      }
    }
    yield { pass: record };
  }
}

/**
 * Extracts the summaries among pipeline records ({@linkcode recordInputs}) on `threads` workers.
 *
 * @example
 * ```ts
 * for await (const out of extractRecords(records, { links: true, threads: 2 })) {
 *   if ("pass" in out) await writer.write(out.pass);
 *   else await writer.writeEncoded(Buffer.from(out.bytes), out.lines);
 * }
 * ```
 */
export function extractRecords(
  records: AsyncIterable<PipelineRecord | UnknownRecord>,
  options: ExtractRecordsOptions = {},
): AsyncGenerator<ExtractOutput> {
  return extractInputs(recordInputs(records, options), options);
}

/** The iD of a summary key, or the error that refuses it. */
export function summaryOrcid(key: string): string | InvalidKeyError {
  try {
    const parsed = parseKey(key);
    if (parsed.kind !== "summary") return new InvalidKeyError(`Invalid key: not a summary key: '${key}'`);
    return parsed.orcid;
  } catch (error) {
    if (error instanceof InvalidKeyError) return error;
    throw error;
  }
}

/** The error record of a summary under a folder of the mirror that is a symlink or no folder, or itself a symlink. */
export function refusedPath(error: UnsafePathError, key: string, orcid?: string, bucket?: string): ErrorRecord {
  return errorRecord({
    tool: "orcid-extract",
    op: "extract",
    message: error.message,
    code: error.code,
    bucket,
    key,
    orcid,
  });
}

/** The error record of a summary whose key is not a well-formed summary key. */
export function invalidKey(error: InvalidKeyError, key: string, orcid?: string, bucket?: string): ErrorRecord {
  return errorRecord({
    tool: "orcid-extract",
    op: "extract",
    message: error.message,
    code: "InvalidKey",
    bucket,
    key,
    orcid,
  });
}
