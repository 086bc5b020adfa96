/** What goes into an archive: files of a mirror folder in sorted order, or object records. */
import { lstat, readdir, readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import {
  type ErrorRecord,
  InvalidKeyError,
  mirrorPath,
  type ObjectRecord,
  parseKey,
  type PipelineRecord,
  pooledMap,
  type UnknownRecord,
} from "@orcid-sync/core";

/** One file of an archive. */
export interface ArchiveEntry {
  /** The name in the archive: `summaries/<last3>/<iD>.xml` or `activities/…`. */
  readonly name: string;
  readonly body: Buffer;
  readonly mtime: Date;
  /** The `<last3>` folder, for --split. */
  readonly folder: string;
}

/** Orders names as bytes, the way S3 and `LC_ALL=C ls` do, so archives do not depend on a locale. */
function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The files under a mirror folder (the root, or its `summaries` or `activities` folder), depth
 * first, every folder's entries sorted by name: the same mirror always gives the same order.
 * Names in the archive start at `summaries/` or `activities/`. Temp files and symlinks are skipped.
 */
export async function* folderEntries(folder: string, readAhead = 32): AsyncGenerator<ArchiveEntry> {
  const top = basename(folder);
  const prefix = top === "summaries" || top === "activities" ? `${top}/` : "";
  async function* files(path: string, name: string): AsyncGenerator<{ path: string; name: string }> {
    for (const child of (await readdir(path, { withFileTypes: true })).sort((a, b) => byteOrder(a.name, b.name))) {
      if (child.name.includes(".orcid-sync-tmp.")) continue;
      const childPath = join(path, child.name);
      const childName = name ? `${name}/${child.name}` : child.name;
      if (child.isDirectory()) yield* files(childPath, childName);
      else if (child.isFile()) yield { path: childPath, name: `${prefix}${childName}` };
    }
  }
  // Files are read ahead concurrently (order kept): one at a time, the disk's latency dominates.
  yield* pooledMap(readAhead, files(folder, ""), async (file) => {
    const [body, info] = await Promise.all([readFile(file.path), lstat(file.path)]);
    return { name: file.name, body, mtime: info.mtime, folder: file.name.split("/")[1] ?? "" };
  });
}

/** An object record as an entry, or an error record when its key is not a well-formed ORCID key. */
export function recordEntry(record: ObjectRecord): ArchiveEntry | ErrorRecord {
  try {
    const parsed = parseKey(record.key);
    if (parsed.orcid !== record.orcid) throw new InvalidKeyError(`Invalid key: '${record.key}' does not belong to ${record.orcid}`);
    return {
      name: mirrorPath(parsed.kind, record.key),
      body: Buffer.from(record.body, record.encoding === "base64" ? "base64" : "utf8"),
      mtime: record.lastModified ? new Date(record.lastModified) : new Date(0),
      folder: record.key.split("/")[0]!,
    };
  } catch (error) {
    if (!(error instanceof InvalidKeyError)) throw error;
    return { type: "error", tool: "orcid-pack", op: "pack", message: error.message, code: "InvalidKey", retryable: false, attempts: 1, bucket: record.bucket, key: record.key, orcid: record.orcid };
  }
}

/** Whether a record is an object to pack. */
export function isObjectRecord(record: PipelineRecord | UnknownRecord): record is ObjectRecord {
  return record.type === "object";
}
