/** What goes into an archive: files of a mirror folder in sorted order, or object records. */
import { basename } from "node:path";
import {
  type ErrorRecord,
  errorRecord,
  InvalidKeyError,
  keyPath,
  mirrorFiles,
  type ObjectRecord,
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

/**
 * The files under a mirror folder (the root, or its `summaries` or `activities` folder) in the
 * mirror's stable order ({@linkcode mirrorFiles}). Names in the archive start at `summaries/` or
 * `activities/`.
 */
export async function* folderEntries(folder: string): AsyncGenerator<ArchiveEntry> {
  const top = basename(folder);
  const prefix = top === "summaries" || top === "activities" ? `${top}/` : "";
  for (const file of mirrorFiles(folder)) {
    const name = `${prefix}${file.name}`;
    yield { name, body: file.body, mtime: file.mtime, folder: name.split("/")[1] ?? "" };
  }
}

/** An object record as an entry, or an error record when its key is not a well-formed ORCID key. */
export function recordEntry(record: ObjectRecord): ArchiveEntry | ErrorRecord {
  try {
    return {
      name: keyPath(record),
      body: Buffer.from(record.body, record.encoding === "base64" ? "base64" : "utf8"),
      mtime: record.lastModified ? new Date(record.lastModified) : new Date(0),
      folder: record.key.split("/")[0]!,
    };
  } catch (error) {
    if (!(error instanceof InvalidKeyError)) throw error;
    return errorRecord({
      tool: "orcid-pack",
      op: "pack",
      message: error.message,
      code: "InvalidKey",
      bucket: record.bucket,
      key: record.key,
      orcid: record.orcid,
    });
  }
}

/** Whether a record is an object to pack. */
export function isObjectRecord(record: PipelineRecord | UnknownRecord): record is ObjectRecord {
  return record.type === "object";
}
