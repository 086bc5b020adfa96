/** What goes into an archive: files of a mirror folder in sorted order, or object records. */
import { lstatSync, readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import {
  type ErrorRecord,
  InvalidKeyError,
  mirrorPath,
  type ObjectRecord,
  parseKey,
  type PipelineRecord,
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
export async function* folderEntries(folder: string): AsyncGenerator<ArchiveEntry> {
  const top = basename(folder);
  const prefix = top === "summaries" || top === "activities" ? `${top}/` : "";
  // Synchronous reads, as tar does: a mirror is millions of small files, and a round trip through
  // the thread pool per call cost more than the reads (the pool is left to the compressors).
  function* walk(path: string, name: string): Generator<ArchiveEntry> {
    for (const child of readdirSync(path, { withFileTypes: true }).sort((a, b) => byteOrder(a.name, b.name))) {
      if (child.name.includes(".orcid-sync-tmp.")) continue;
      const childPath = join(path, child.name);
      const childName = name ? `${name}/${child.name}` : child.name;
      if (child.isDirectory()) yield* walk(childPath, childName);
      else if (child.isFile()) {
        const full = `${prefix}${childName}`;
        yield { name: full, body: readFileSync(childPath), mtime: lstatSync(childPath).mtime, folder: full.split("/")[1] ?? "" };
      }
    }
  }
  yield* walk(folder, "");
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
