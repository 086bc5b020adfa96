/**
 * The dispatcher over the mirror owner that orcid-place runs, and orcid-fetch --into in the same
 * process: object, unchanged and manifest records in, placed records out.
 */
import { pooledMap } from "../async/mod.ts";
import { DeleteLimitError, type Mirror, UnsafePathError } from "../files/mod.ts";
import { InvalidKeyError, keyPathOf } from "../orcid/mod.ts";
import { describeError, FatalError } from "./cli_runner.ts";
import { errorRecord } from "./error_record.ts";
import type {
  ErrorRecord,
  ManifestRecord,
  ObjectRecord,
  PipelineRecord,
  PlacedRecord,
  UnchangedRecord,
  UnknownRecord,
} from "./records.ts";

/**
 * An object fetched in this process (orcid-fetch --into): its body as the bytes that came, never
 * decoded or re-encoded, since it is only written.
 */
export interface FetchedObject extends Omit<ObjectRecord, "body" | "encoding"> {
  readonly body: Buffer;
  /**
   * The fetcher compared the object with the mirror it is filed into and found the file absent or
   * different (the reason it was downloaded). Read only when {@linkcode PlaceOptions.compared} says so.
   */
  readonly differs?: boolean;
  /** With `differs`: the object's path in that mirror (`Mirror.pathOf`), so it is not worked out twice. */
  readonly path?: string;
}

/** An error's code when it names none the caller knows: its own `code` or class name. */
function codeOf(error: unknown): string {
  const named = [(error as { code?: unknown })?.code, (error as Error)?.name].find(
    (v) => typeof v === "string" && v !== "Error" && v.length > 0,
  );
  return typeof named === "string" ? named : "Unknown";
}

/** How to place. */
export interface PlaceOptions {
  /** The mirror, which decides fsync, dry run and the delete limit. */
  readonly mirror: Mirror;
  /** Files waiting on fsync at once (different iDs; one iD's operations run in order). */
  readonly concurrency: number;
  /**
   * Which iDs this run may change (the shard whose mirror lock it holds); others get an error
   * record. Default: all.
   */
  readonly owns?: (orcid: string) => boolean;
  /** Says why `owns` refused an iD, for its error record. */
  readonly ownsWhat?: string;
  /** The tool its error records name. Default `orcid-place`. */
  readonly tool?: string;
  /**
   * Objects come compared with this same mirror by their fetcher, in this process and under the
   * mirror lock this run holds ({@linkcode FetchedObject.differs}): those found different are written
   * without a second stat and MD5. Default false: every object is compared here (orcid-place).
   */
  readonly compared?: boolean;
  /** Called once a record's work is over (its file written, or not): e.g. to free its body's budget. */
  readonly done?: (record: PipelineRecord | FetchedObject | UnknownRecord) => void;
}

/** Counts for the summary line. */
export interface PlaceStats {
  written: number;
  unchanged: number;
  deleted: number;
  errors: number;
  passed: number;
}

export function newPlaceStats(): PlaceStats {
  return { written: 0, unchanged: 0, deleted: 0, errors: 0, passed: 0 };
}

/** What an error record names. */
type ErrorSubject = { readonly bucket?: string; readonly key?: string; readonly orcid?: string };

// Failures of the disk or of permissions end the run: every later file would fail the same way.
const FATAL_ERRNOS = new Set(["ENOSPC", "EDQUOT", "EACCES", "EPERM", "EROFS", "EIO"]);

/** An error record for an item that cannot be placed, or a thrown FatalError for a condition that ends the run. */
function failure(tool: string, error: unknown, op: string, record: ErrorSubject): ErrorRecord {
  if (error instanceof FatalError) throw error;
  if (error instanceof DeleteLimitError) throw new FatalError(error.message);
  const errno = (error as NodeJS.ErrnoException).code;
  if (errno && FATAL_ERRNOS.has(errno)) throw new FatalError(`Cannot ${op} in the mirror: ${describeError(error)}`);
  const code =
    error instanceof InvalidKeyError
      ? "InvalidKey"
      : error instanceof UnsafePathError
        ? error.code
        : (errno ?? codeOf(error));
  return errorRecord({
    tool,
    op,
    message: describeError(error),
    code,
    bucket: record.bucket,
    key: record.key,
    orcid: record.orcid,
  });
}

/** The error record of an iD outside the part of the mirror this run holds. */
function notOwned(
  tool: string,
  record: { bucket?: string; key?: string; orcid: string },
  op: string,
  what: string,
): ErrorRecord {
  const message = `Refusing to change ${record.orcid} in the mirror: its folder is not in ${what}`;
  return errorRecord({
    tool,
    op,
    message,
    code: "NotInShard",
    bucket: record.bucket,
    key: record.key,
    orcid: record.orcid,
  });
}

/** Whether a summary body is an `error:error` document (a deprecated or locked record). */
export function isErrorDocument(body: string | Buffer): boolean {
  return (typeof body === "string" ? body.slice(0, 400) : body.subarray(0, 400)).includes("<error:error");
}

/**
 * Files records into the mirror and yields, in input order, what happened: `placed` records for
 * objects (`written`, or `unchanged` when the file already holds the object by the mirror's rule),
 * for `unchanged` records, and for deletions; error records for what could not be placed; every
 * other record as it came. A manifest deletes the iD's local activity files it does not list; an
 * error-document summary deletes all of the iD's activities. One iD's operations run in order, so a
 * deletion never races a write. Every change (and the dry run) is the mirror's: see {@linkcode Mirror}.
 */
export async function* placeRecords(
  records: AsyncIterable<PipelineRecord | FetchedObject | UnknownRecord>,
  options: PlaceOptions,
  stats: PlaceStats = newPlaceStats(),
): AsyncGenerator<PipelineRecord | UnknownRecord> {
  const { mirror } = options;
  const inOrder = perKeyChain();
  const owned = (orcid: string) => !options.owns || options.owns(orcid);
  const ownsWhat = options.ownsWhat ?? "this run's part of the mirror";
  const tool = options.tool ?? "orcid-place";
  const placed = (
    action: PlacedRecord["action"],
    path: string,
    orcid: string,
    record?: { bucket: string; key: string },
  ): PlacedRecord => {
    stats[action]++;
    return { type: "placed", action, path, orcid, ...(record ? { bucket: record.bucket, key: record.key } : {}) };
  };
  const deleted = (orcid: string, paths: string[]) => paths.map((path) => placed("deleted", path, orcid));
  /** Runs `op`, turning what it throws into an error record (a FatalError ends the run). */
  const guarded = async (
    op: string,
    record: ErrorSubject,
    run: () => Promise<PipelineRecord[]> | PipelineRecord[],
  ): Promise<PipelineRecord[]> => {
    try {
      return await run();
    } catch (error) {
      return [failure(tool, error, op, record)];
    }
  };

  const placeObject = (record: ObjectRecord | FetchedObject): Promise<PipelineRecord[]> | PipelineRecord[] => {
    const knownToDiffer = options.compared === true && (record as FetchedObject).differs === true;
    let path: string;
    try {
      path = (knownToDiffer ? (record as FetchedObject).path : undefined) ?? mirror.pathOf(record);
    } catch (error) {
      return [failure(tool, error, "place", record)];
    }
    if (!owned(record.orcid)) return [notOwned(tool, record, "place", ownsWhat)];
    return inOrder(record.orcid, () =>
      guarded("place", record, async () => {
        const body =
          typeof record.body === "string"
            ? Buffer.from(record.body, (record as ObjectRecord).encoding === "base64" ? "base64" : "utf8")
            : record.body;
        if (body.length !== record.size)
          throw new Error(`Body of ${record.key} has ${body.length} bytes, the record says ${record.size}`);
        const out: PipelineRecord[] = [];
        if (!knownToDiffer && mirror.compare(path, record).kind === "same")
          out.push(placed("unchanged", path, record.orcid, record));
        else {
          await mirror.write(path, body, record.lastModified ? { mtime: new Date(record.lastModified) } : {});
          out.push(placed("written", path, record.orcid, record));
        }
        if (record.kind === "summary" && isErrorDocument(body))
          out.push(...deleted(record.orcid, mirror.prune(record.orcid, new Set())));
        return out;
      }),
    );
  };

  const placeManifest = (record: ManifestRecord) => {
    if (!owned(record.orcid)) return Promise.resolve([notOwned(tool, record, "delete", ownsWhat)]);
    return inOrder(record.orcid, () =>
      guarded("delete", { bucket: record.bucket, orcid: record.orcid }, () => {
        const keep = new Set<string>();
        for (const key of record.keys) keep.add(keyPathOf(key, record.orcid));
        return deleted(record.orcid, mirror.prune(record.orcid, keep));
      }),
    );
  };

  const placeUnchanged = (record: UnchangedRecord) =>
    guarded("place", record, () => {
      const path = mirror.pathOf(record);
      // Touching the folder sweeps temp files a killed run left there.
      mirror.touchFolder(path);
      // fetch proved the bytes by their MD5 but could not set the mtime: the lock's holder does.
      if (record.lastModified !== undefined) mirror.retime(path, record.lastModified);
      return [placed("unchanged", path, record.orcid, record)];
    });

  try {
    for await (const results of pooledMap(
      options.concurrency,
      records,
      (record): Promise<(PipelineRecord | UnknownRecord)[]> | (PipelineRecord | UnknownRecord)[] => {
        // `done` once the record's work is over, whichever way: without an async layer per record.
        let result: Promise<(PipelineRecord | UnknownRecord)[]> | (PipelineRecord | UnknownRecord)[];
        try {
          switch (record.type) {
            case "object":
              result = placeObject(record as ObjectRecord | FetchedObject);
              break;
            case "manifest":
              result = placeManifest(record as ManifestRecord);
              break;
            case "unchanged":
              result = placeUnchanged(record as UnchangedRecord);
              break;
            default:
              stats.passed++;
              result = [record as PipelineRecord | UnknownRecord];
          }
        } catch (error) {
          options.done?.(record);
          throw error;
        }
        if (!(result instanceof Promise)) {
          options.done?.(record);
          return result;
        }
        return result.then(
          (value) => {
            options.done?.(record);
            return value;
          },
          (error: unknown) => {
            options.done?.(record);
            throw error;
          },
        );
      },
    )) {
      for (const result of results) {
        if (result.type === "error") stats.errors++;
        yield result;
      }
    }
  } finally {
    // Users compare mirrors folder by folder: a <last3> folder whose last iD went goes too. At the
    // end, when no write of this run can be making a folder in it any more.
    mirror.finish();
  }
}

/** Runs each key's operations in order, one after the other; different keys' at once. */
function perKeyChain(): <T>(key: string, op: () => Promise<T>) => Promise<T> {
  const chains = new Map<string, Promise<unknown>>();
  return <T>(key: string, op: () => Promise<T>): Promise<T> => {
    const previous = chains.get(key);
    // Nothing of this key under way (the usual case): start now, without a link to wait on.
    const result = previous ? previous.then(op, op) : op();
    chains.set(key, result);
    const forget = () => {
      if (chains.get(key) === result) chains.delete(key);
    };
    result.then(forget, forget);
    return result;
  };
}
