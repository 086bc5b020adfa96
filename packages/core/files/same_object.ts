/**
 * The one rule for "the local file equals the object" (the rule of aws-cli and rclone, plus the
 * ETag for mirrors seeded from an archive): same size, and either the mtime equals LastModified
 * (to the second) or the file's MD5 equals a single-part ETag. On an MD5 match with another mtime
 * the file takes LastModified as its mtime, so the next run compares times alone.
 */
import { hash } from "node:crypto";
import { lstatSync, readFileSync, type Stats, utimesSync } from "node:fs";

/** What a listing (or an object record) says about an object; any of it may be missing. */
export interface ObjectFacts {
  readonly size?: number;
  readonly lastModified?: string;
  readonly etag?: string;
}

/** How a file compares with an object. */
export type Comparison =
  /**
   * The file holds the object. `staleMtime`: its MD5 proved it, its mtime is not LastModified, and
   * the compare did not set it (no `touch`, or setting it failed).
   */
  | { readonly kind: "same"; readonly staleMtime?: true }
  /** There is no file (or no regular file: a folder, a symlink) at the path. */
  | { readonly kind: "absent" }
  /** The file differs from the object; `detail` says how. */
  | { readonly kind: "changed"; readonly detail: string }
  /** The listing gives no size (or neither LastModified nor a single-part ETag): the rule cannot tell. */
  | { readonly kind: "unknown" };

/** Options for {@linkcode compareFile}. */
export interface CompareOptions {
  /** On an MD5 match with another mtime, set the file's mtime to LastModified. Default false. */
  readonly touch?: boolean;
}

/** Whether an ETag is an MD5 of the body (a multipart one ends in `-<parts>`). */
export function isSinglePartEtag(etag: string | undefined): etag is string {
  return etag !== undefined && /^[0-9a-f]{32}$/.test(etag);
}

/**
 * A file's mtime, truncated to the millisecond. Node's `Stats.mtime` rounds `mtimeMs`, which carries
 * 10:00:00.9996 into 10:00:01: a second the rule compares with and tar writes, and not the file's.
 */
export function mtimeOf(info: Stats): Date {
  return new Date(Math.floor(info.mtimeMs));
}

/** The MD5 of a file in hex; undefined when it cannot be read. */
export function fileMd5(path: string): string | undefined {
  try {
    return hash("md5", readFileSync(path), "hex");
  } catch {
    return undefined;
  }
}

/**
 * Compares the file at `path` with a listed object by the one rule. Synchronous: on a local disk a
 * stat takes microseconds and a missing file costs no exception.
 *
 * @example
 * ```ts
 * compareFile("mirror/summaries/097/0000-0002-1825-0097.xml", { size: 4, lastModified: "2026-11-20T10:00:00Z" });
 * // { kind: "same" } when the file has 4 bytes and that mtime
 * ```
 */
export function compareFile(path: string, listed: ObjectFacts, options: CompareOptions = {}): Comparison {
  let info: Stats | undefined;
  try {
    // lstat: a symlink is no regular file of the mirror, so nothing outside it is compared or read.
    info = lstatSync(path, { throwIfNoEntry: false });
  } catch {
    return { kind: "absent" };
  }
  if (!info?.isFile()) return { kind: "absent" };
  if (listed.size === undefined) return { kind: "unknown" };
  if (info.size !== listed.size) return { kind: "changed", detail: `size ${info.size}, listed ${listed.size}` };
  const modified = listed.lastModified === undefined ? undefined : Date.parse(listed.lastModified);
  if (modified !== undefined && Math.floor(info.mtimeMs / 1000) === Math.floor(modified / 1000))
    return { kind: "same" };
  if (!isSinglePartEtag(listed.etag)) {
    return modified === undefined
      ? { kind: "unknown" }
      : { kind: "changed", detail: `mtime ${mtimeOf(info).toISOString()}, LastModified ${listed.lastModified}` };
  }
  const md5 = fileMd5(path);
  if (md5 !== listed.etag) return { kind: "changed", detail: `MD5 ${md5 ?? "unreadable"}, ETag ${listed.etag}` };
  if (modified === undefined) return { kind: "same" };
  if (options.touch && setModified(path, listed.lastModified!)) return { kind: "same" };
  return { kind: "same", staleMtime: true };
}

/** Gives the file at `path` the mtime `lastModified` (ISO 8601); false when it cannot (the bytes are right; the next run reads them again). */
export function setModified(path: string, lastModified: string): boolean {
  const when = new Date(lastModified);
  try {
    utimesSync(path, when, when);
    return true;
  } catch {
    return false;
  }
}
