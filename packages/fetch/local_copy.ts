/**
 * What the mirror already holds, so unchanged objects are not downloaded. The rule of aws-cli and
 * rclone: orcid-place sets each file's mtime to the object's LastModified, so a listed key whose
 * size and LastModified (to the second) match the local file is the same object. A file of the
 * same size whose MD5 is the object's single-part ETag is the same object too, whatever its mtime
 * (a mirror seeded from an archive).
 *
 * The stat (and, rarely, the read) is synchronous, as orcid-place's file calls are: on a local disk
 * it takes microseconds, and a missing file costs no exception; through the thread pool each key
 * paid more in hand-offs than the file system spent (docs/architecture.md).
 */
import { hash } from "node:crypto";
import { readFileSync, statSync, utimesSync } from "node:fs";
import { join } from "node:path";
import { type KeyRecord, mirrorPath } from "@orcid-sync/core";

/** How a key compares with the mirror. */
export type LocalState =
  /** Same size, and the same LastModified or an MD5 equal to the single-part ETag: skip without a request. */
  | { readonly kind: "same" }
  /** No listing data to compare: ask the server with the file's MD5 (If-None-Match). */
  | { readonly kind: "md5"; readonly md5: string }
  /** Not there, or different: download. */
  | { readonly kind: "absent" };

/**
 * Compares a key record with its file under `mirror` (the folder orcid-place writes to). The path
 * comes from core's `mirrorPath`, the one gate from a key to a path: a key that is not a
 * well-formed ORCID key (`../…`) throws `InvalidKeyError`, so no file outside the mirror is read
 * and no MD5 of one is sent upstream.
 *
 * @example
 * ```ts
 * const local = localState("./data", record);
 * ```
 */
export function localState(mirror: string, record: KeyRecord): LocalState {
  const path = join(mirror, mirrorPath(record.kind, record.key));
  let info;
  try {
    info = statSync(path, { throwIfNoEntry: false });
  } catch {
    return { kind: "absent" };
  }
  if (!info?.isFile()) return { kind: "absent" };
  if (record.size !== undefined && record.lastModified !== undefined) {
    if (info.size !== record.size) return { kind: "absent" };
    const modified = Date.parse(record.lastModified);
    if (Math.floor(info.mtimeMs / 1000) === Math.floor(modified / 1000)) return { kind: "same" };
    return sameBytes(path, record.etag, modified) ? { kind: "same" } : { kind: "absent" };
  }
  try {
    return { kind: "md5", md5: hash("md5", readFileSync(path), "hex") };
  } catch {
    return { kind: "absent" };
  }
}

/**
 * Whether a file of the right size but another mtime holds the object's bytes: its MD5 equals a
 * single-part ETag (a multipart one is not an MD5). A mirror seeded from an archive
 * (orcid-unpack) has the archive's mtimes; the file then takes the object's LastModified, so the
 * next run compares times alone.
 */
function sameBytes(path: string, etag: string | undefined, modified: number): boolean {
  if (!etag || !/^[0-9a-f]{32}$/.test(etag)) return false;
  try {
    if (hash("md5", readFileSync(path), "hex") !== etag) return false;
    const when = new Date(modified);
    utimesSync(path, when, when);
    return true;
  } catch {
    return false;
  }
}
