/** orcid-fetch's library: key records in, object/missing/unchanged/error records out, in order. */
import {
  type ErrorRecord,
  errorRecord,
  type FetchedObject,
  InvalidKeyError,
  type KeyRecord,
  Mirror,
  type PipelineRecord,
  pooledMap,
  type S3Access,
  type UnchangedRecord,
  type UnknownRecord,
  UnsafePathError,
} from "@orcid-sync/core";
import { ByteBudget } from "./byte_budget.ts";
import { fetchObject } from "./fetch_object.ts";
import { type LocalState, localState } from "./local_copy.ts";

/** How to fetch. */
export interface FetchOptions {
  readonly s3: S3Access;
  /** GETs at once. */
  readonly concurrency: number;
  /** Bytes of bodies held at once (downloaded, not yet written out). */
  readonly maxBytesInFlight: number;
  /**
   * The mirror folder: skip keys whose file there is unchanged (see local_copy.ts). Or the
   * {@linkcode Mirror} to compare with, e.g. one in dry-run mode.
   */
  readonly skipUnchanged?: string | Mirror;
  /** Attempts per object. Default: the S3 retry policy's (core `DEFAULT_ATTEMPTS`). */
  readonly attempts?: number;
  /** Smallest backoff ceiling in ms. Default 100. */
  readonly minDelayMs?: number;
  readonly signal?: AbortSignal;
  /**
   * Objects keep their bodies as bytes ({@linkcode FetchedObject}), for filing in this process; those
   * compared with `skipUnchanged` and found absent or different carry `differs: true`.
   */
  readonly asBytes?: boolean;
}

/** Counts for progress and the summary line. */
export interface FetchStats {
  objects: number;
  bytes: number;
  missing: number;
  unchanged: number;
  errors: number;
  retries: number;
  passed: number;
  /** Objects checked by length only: their ETag is not an MD5 (SSE-KMS, SSE-C, multipart). */
  lengthOnly: number;
}

export function newFetchStats(): FetchStats {
  return { objects: 0, bytes: 0, missing: 0, unchanged: 0, errors: 0, retries: 0, passed: 0, lengthOnly: 0 };
}

/** A record to write, and the budget it holds until written. */
export interface FetchResult {
  readonly record: PipelineRecord | FetchedObject | UnknownRecord;
  /** Call once the record is written: gives its bytes back to the budget. */
  readonly release: () => void;
}

const nothing = () => {};

/** Results held in order per GET in flight: how far past a slow head of the line GETs may start. */
const WINDOW_PER_GET = 4;

/** A key that cannot be compared with the mirror: refused, not requested (orcid-place would refuse it too). */
function invalidKey(record: KeyRecord, error: InvalidKeyError | UnsafePathError): ErrorRecord {
  const code = error instanceof UnsafePathError ? error.code : "InvalidKey";
  return errorRecord({
    tool: "orcid-fetch",
    op: "get",
    message: error.message,
    code,
    attempts: 0,
    bucket: record.bucket,
    key: record.key,
    orcid: record.orcid,
  });
}

/**
 * Fetches the key records of a stream, `concurrency` at a time, and yields every record in input
 * order: an outcome for each key, every other record as it came. Memory is bounded by
 * `maxBytesInFlight`: a body is read only once its size fits, except the one at the head of the
 * line, which goes through so the line keeps moving.
 *
 * @example
 * ```ts
 * for await (const { record, release } of fetchRecords(records, options, stats)) { await out.write(record); release(); }
 * ```
 */
export function fetchRecords(
  records: AsyncIterable<PipelineRecord | UnknownRecord>,
  options: FetchOptions,
  stats: FetchStats = newFetchStats(),
): AsyncGenerator<FetchResult> {
  const budget = new ByteBudget(options.maxBytesInFlight);
  // Without --into fetch only reads the mirror, holding no lock: orcid-place, which holds it, sweeps
  // temp files and sets the mtime an unchanged record carries.
  const mirror =
    typeof options.skipUnchanged === "string"
      ? new Mirror(options.skipUnchanged, { sweep: false, retime: false })
      : options.skipUnchanged;
  let head = 0;
  // pooledMap calls its function in input order: the count of calls is a record's place in line.
  let sequence = 0;
  const onRetry = () => {
    stats.retries++;
  };
  const onLengthOnly = () => {
    stats.lengthOnly++;
  };

  const fetchKey = async (record: KeyRecord, index: number): Promise<FetchResult> => {
    let ifNoneMatch: string | undefined;
    let differs = false;
    let path: string | undefined;
    if (mirror) {
      let local: LocalState;
      try {
        path = mirror.pathOf(record);
        local = localState(mirror, record, path);
      } catch (error) {
        if (!(error instanceof InvalidKeyError || error instanceof UnsafePathError)) throw error;
        stats.errors++;
        return { record: invalidKey(record, error), release: nothing };
      }
      if (local.kind === "same") {
        stats.unchanged++;
        const unchanged: UnchangedRecord = {
          type: "unchanged",
          bucket: record.bucket,
          key: record.key,
          orcid: record.orcid,
          kind: record.kind,
        };
        return {
          // Rare: a file whose MD5 proved it, with another mtime (orcid-place sets it).
          record: local.lastModified === undefined ? unchanged : { ...unchanged, lastModified: local.lastModified },
          release: nothing,
        };
      }
      if (local.kind === "md5") ifNoneMatch = local.md5;
      // Absent, different, or (md5) different if it comes with a body rather than a 304.
      differs = true;
    }
    let held = 0;
    const outcome = await fetchObject(options.s3, record, {
      attempts: options.attempts || undefined,
      minDelayMs: options.minDelayMs,
      ifNoneMatch,
      signal: options.signal,
      asBytes: options.asBytes,
      onRetry,
      onLengthOnly,
      reserve: (bytes) => {
        if (bytes <= held) return undefined;
        const urgent = () => index === head;
        // Most bodies fit at once: then the response is not paused at all.
        if (budget.tryAcquire(bytes - held, urgent)) {
          held = bytes;
          return undefined;
        }
        return budget.acquire(bytes - held, urgent).then(() => {
          held = bytes;
        });
      },
    });
    if (outcome.type === "object") {
      stats.objects++;
      stats.bytes += outcome.size;
      if (differs && options.asBytes) {
        const fetched = outcome as { differs?: boolean; path?: string };
        fetched.differs = true;
        fetched.path = path;
      }
    } else if (outcome.type === "missing") stats.missing++;
    else if (outcome.type === "unchanged") stats.unchanged++;
    else stats.errors++;
    return { record: outcome, release: held > 0 ? () => budget.release(held) : nothing };
  };

  return pooledMap(
    options.concurrency,
    records,
    (record): Promise<FetchResult> | FetchResult => {
      const index = sequence++;
      if (record.type === "key") return fetchKey(record as KeyRecord, index);
      stats.passed++;
      if (record.type === "error") stats.errors++;
      return { record, release: nothing };
    },
    {
      // GETs behind a slow one keep starting while their results wait their turn; the bodies they
      // hold count against maxBytesInFlight, as any other.
      window: options.concurrency * WINDOW_PER_GET,
      // The next in line may now go through the budget whatever it holds.
      onYield: () => {
        head++;
        budget.nudge();
      },
    },
  );
}
