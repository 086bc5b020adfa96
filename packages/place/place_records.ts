/** orcid-place's library: object, unchanged and manifest records in, placed records out. */
import { lstatSync, readdirSync, readFileSync, rmdirSync, unlinkSync, utimesSync } from "node:fs";
import { dirname, join } from "node:path";
import {
  activitiesFolder,
  atomicWrite,
  classifyError,
  describeError,
  type ErrorRecord,
  FatalError,
  InvalidKeyError,
  isActivityType,
  type ManifestRecord,
  mirrorPath,
  type ObjectRecord,
  parseKey,
  type PipelineRecord,
  type PlacedRecord,
  pooledMap,
  type UnchangedRecord,
  type UnknownRecord,
} from "@orcid-sync/core";
import { type MirrorFolders, UnsafePathError } from "./mirror_folders.ts";

const TOOL = "orcid-place";

/** How to place. */
export interface PlaceOptions {
  readonly folders: MirrorFolders;
  /** Files waiting on fsync at once (different iDs; one iD's operations run in order). */
  readonly concurrency: number;
  /** fsync files and folders before a file counts as placed. */
  readonly fsync?: boolean;
  /** Report what would be written and deleted; change nothing. */
  readonly dryRun?: boolean;
  /** Stop (fatal) before the run deletes more than this many files. */
  readonly maxDelete?: number;
  /**
   * Which iDs this run may change (the shard whose mirror lock it holds); others get an error
   * record. Default: all.
   */
  readonly owns?: (orcid: string) => boolean;
  /** Says why `owns` refused an iD, for its error record. */
  readonly ownsWhat?: string;
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

// Failures of the disk or of permissions end the run: every later file would fail the same way.
const FATAL_ERRNOS = new Set(["ENOSPC", "EDQUOT", "EACCES", "EPERM", "EROFS", "EIO"]);

/** An error record for an item that cannot be placed, or a thrown FatalError for a condition that ends the run. */
function failure(error: unknown, op: string, record: { bucket?: string; key?: string; orcid?: string }): ErrorRecord {
  const errno = (error as NodeJS.ErrnoException).code;
  if (errno && FATAL_ERRNOS.has(errno)) throw new FatalError(`Cannot ${op} in the mirror: ${describeError(error)}`);
  const code =
    error instanceof InvalidKeyError ? "InvalidKey" : error instanceof UnsafePathError ? error.code : (errno ?? classifyError(error).code);
  return {
    type: "error",
    tool: TOOL,
    op,
    message: describeError(error),
    code,
    retryable: false,
    attempts: 1,
    ...(record.bucket ? { bucket: record.bucket } : {}),
    ...(record.key !== undefined ? { key: record.key } : {}),
    ...(record.orcid ? { orcid: record.orcid } : {}),
  };
}

/** The error record of an iD outside the part of the mirror this run holds. */
function notOwned(record: { bucket?: string; key?: string; orcid: string }, op: string, what: string): ErrorRecord {
  return {
    type: "error",
    tool: TOOL,
    op,
    message: `Refusing to change ${record.orcid} in the mirror: its folder is not in ${what}`,
    code: "NotInShard",
    retryable: false,
    attempts: 1,
    ...(record.bucket ? { bucket: record.bucket } : {}),
    ...(record.key !== undefined ? { key: record.key } : {}),
    orcid: record.orcid,
  };
}

/** Whether a summary body is an `error:error` document (a deprecated or locked record). */
export function isErrorDocument(body: string): boolean {
  return body.slice(0, 400).includes("<error:error");
}

/** The key's mirror path, after checking the key and that the record's iD and kind agree with it. */
function checkedPath(record: { key: string; orcid: string; kind: string }): string {
  const parsed = parseKey(record.key);
  if (parsed.orcid !== record.orcid || parsed.kind !== record.kind) {
    throw new InvalidKeyError(`Invalid key: '${record.key}' does not belong to ${record.orcid} (${record.kind})`);
  }
  return mirrorPath(parsed.kind, record.key);
}

/**
 * Files records into the mirror and yields, in input order, what happened: `placed` records for
 * objects (`written`, or `unchanged` when the file already held those bytes), for `unchanged`
 * records, and for deletions; error records for what could not be placed; every other record as it
 * came. A manifest deletes the iD's local activity files it does not list; an error-document
 * summary deletes all of the iD's activities. One iD's operations run in order, so a deletion never
 * races a write.
 */
export async function* placeRecords(
  records: AsyncIterable<PipelineRecord | UnknownRecord>,
  options: PlaceOptions,
  stats: PlaceStats = newPlaceStats(),
): AsyncGenerator<PipelineRecord | UnknownRecord> {
  const { folders } = options;
  const chains = new Map<string, Promise<unknown>>();
  let deletions = 0;

  /** Runs `op` after the iD's earlier operations. */
  const inOrder = <T>(orcid: string, op: () => Promise<T>): Promise<T> => {
    const previous = chains.get(orcid) ?? Promise.resolve();
    const result = previous.then(op, op);
    const settled = result.catch(() => {});
    chains.set(orcid, settled);
    void settled.then(() => {
      if (chains.get(orcid) === settled) chains.delete(orcid);
    });
    return result;
  };

  const placed = (action: PlacedRecord["action"], path: string, orcid: string, record?: { bucket: string; key: string }): PlacedRecord => {
    stats[action === "written" ? "written" : action === "deleted" ? "deleted" : "unchanged"]++;
    return { type: "placed", action, path, orcid, ...(record ? { bucket: record.bucket, key: record.key } : {}) };
  };

  // A dry run changes nothing on disk, so it keeps what the run would have changed, to report what
  // the run would do: files it would have deleted (gone for a later manifest or write of the iD)
  // and activity files it would have written (there for a later prune). Only a dry run holds them.
  const wouldDelete = new Set<string>();
  const wouldWrite = new Map<string, Set<string>>();
  // <last3> folders in which a prune removed an iD's folder: removed at the end if empty.
  const emptied = new Set<string>();

  /** Deletes the iD's activity files not in `keep` (all of them for an empty set). */
  const prune = (orcid: string, keep: ReadonlySet<string>): PipelineRecord[] => {
    const base = activitiesFolder(orcid);
    const doomed: string[] = [];
    const absolute = folders.existing(base);
    if (absolute) {
      for (const type of readdirSync(absolute)) {
        if (!isActivityType(type)) continue;
        const typeFolder = folders.existing(`${base}/${type}`);
        if (!typeFolder) continue;
        for (const name of readdirSync(typeFolder)) {
          const path = `${base}/${type}/${name}`;
          // Only well-formed activity files of this iD are ours to delete.
          let parsed;
          try {
            parsed = parseKey(path.slice("activities/".length));
          } catch {
            continue;
          }
          if (parsed.orcid === orcid && !keep.has(path) && !wouldDelete.has(path)) doomed.push(path);
        }
      }
    }
    for (const path of wouldWrite.get(orcid) ?? []) if (!keep.has(path) && !doomed.includes(path)) doomed.push(path);
    if (doomed.length === 0) return [];
    if (options.maxDelete !== undefined && deletions + doomed.length > options.maxDelete) {
      throw new FatalError(
        `Refusing to delete more than ${options.maxDelete} files (--max-delete): ${orcid} would take the count to ${deletions + doomed.length}; check the listing, or raise the limit`,
      );
    }
    deletions += doomed.length;
    const out: PipelineRecord[] = [];
    for (const path of doomed) {
      if (options.dryRun) {
        wouldDelete.add(path);
        wouldWrite.get(orcid)?.delete(path);
      } else {
        const info = lstatSync(join(folders.root, path));
        if (info.isFile() || info.isSymbolicLink()) unlinkSync(join(folders.root, path));
      }
      out.push(placed("deleted", path, orcid));
    }
    if (!options.dryRun) {
      for (const folder of [...new Set(doomed.map((p) => dirname(p))), base]) {
        // Only the iD's own folders: the <last3> folder above is shared with other iDs being written.
        if (removeFolder(join(folders.root, folder))) folders.forget(folder);
      }
      emptied.add(dirname(base));
    }
    return out;
  };

  const placeObject = async (record: ObjectRecord): Promise<PipelineRecord[]> => {
    let path: string;
    try {
      path = checkedPath(record);
    } catch (error) {
      return [failure(error, "place", record)];
    }
    if (options.owns && !options.owns(record.orcid)) return [notOwned(record, "place", options.ownsWhat ?? "this run's part of the mirror")];
    return inOrder(record.orcid, async () => {
      try {
        const body = Buffer.from(record.body, record.encoding === "base64" ? "base64" : "utf8");
        if (body.length !== record.size) throw new Error(`Body of ${record.key} has ${body.length} bytes, the record says ${record.size}`);
        const folder = folders.ensure(dirname(path));
        const target = join(folder, path.slice(path.lastIndexOf("/") + 1));
        const mtime = record.lastModified ? new Date(record.lastModified) : undefined;
        const out: PipelineRecord[] = [];
        if (!wouldDelete.has(path) && sameContent(target, body)) {
          if (mtime && !options.dryRun) utimesSync(target, mtime, mtime);
          out.push(placed("unchanged", path, record.orcid, record));
        } else {
          if (!options.dryRun) await atomicWrite(target, body, { fsync: options.fsync ?? false, ...(mtime ? { mtime } : {}) });
          else {
            wouldDelete.delete(path);
            if (record.kind !== "summary") {
              if (!wouldWrite.has(record.orcid)) wouldWrite.set(record.orcid, new Set());
              wouldWrite.get(record.orcid)!.add(path);
            }
          }
          out.push(placed("written", path, record.orcid, record));
        }
        if (record.kind === "summary" && isErrorDocument(record.body)) out.push(...prune(record.orcid, new Set()));
        return out;
      } catch (error) {
        if (error instanceof FatalError) throw error;
        return [failure(error, "place", record)];
      }
    });
  };

  const placeManifest = async (record: ManifestRecord): Promise<PipelineRecord[]> => {
    if (options.owns && !options.owns(record.orcid)) return [notOwned(record, "delete", options.ownsWhat ?? "this run's part of the mirror")];
    return inOrder(record.orcid, async () => {
      try {
        const keep = new Set<string>();
        for (const key of record.keys) {
          const parsed = parseKey(key);
          if (parsed.orcid !== record.orcid) throw new InvalidKeyError(`Invalid key: '${key}' does not belong to ${record.orcid}`);
          keep.add(mirrorPath(parsed.kind, key));
        }
        return prune(record.orcid, keep);
      } catch (error) {
        if (error instanceof FatalError) throw error;
        return [failure(error, "delete", { bucket: record.bucket, orcid: record.orcid })];
      }
    });
  };

  const placeUnchanged = async (record: UnchangedRecord): Promise<PipelineRecord[]> => {
    try {
      const path = checkedPath(record);
      // Touching the folder sweeps temp files a killed run left there.
      folders.existing(dirname(path));
      return [placed("unchanged", path, record.orcid, record)];
    } catch (error) {
      if (error instanceof FatalError) throw error;
      return [failure(error, "place", record)];
    }
  };

  try {
    for await (const results of pooledMap(options.concurrency, records, async (record): Promise<(PipelineRecord | UnknownRecord)[]> => {
      switch (record.type) {
        case "object":
          return placeObject(record as ObjectRecord);
        case "manifest":
          return placeManifest(record as ManifestRecord);
        case "unchanged":
          return placeUnchanged(record as UnchangedRecord);
        default:
          stats.passed++;
          return [record];
      }
    })) {
      for (const result of results) {
        if (result.type === "error") stats.errors++;
        yield result;
      }
    }
  } finally {
    // Users compare mirrors folder by folder: a <last3> folder whose last iD went goes too. At the
    // end, when no write of this run can be making a folder in it any more.
    for (const folder of emptied) if (removeFolder(join(folders.root, folder))) folders.forget(folder);
  }
}

/** Whether `path` is a file holding exactly `body`. */
function sameContent(path: string, body: Buffer): boolean {
  try {
    const info = lstatSync(path, { throwIfNoEntry: false });
    if (!info?.isFile() || info.size !== body.length) return false;
    return readFileSync(path).equals(body);
  } catch {
    return false;
  }
}

/** Removes a folder if it is empty; whether it did. */
function removeFolder(path: string): boolean {
  try {
    rmdirSync(path);
    return true;
  } catch {
    return false;
  }
}
