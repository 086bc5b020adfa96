/**
 * What the mirror already holds, so unchanged objects are not downloaded: the mirror's one rule
 * ({@linkcode compareFile}), through its checked path. A listing without the data the rule needs
 * falls back to a conditional GET with the file's MD5.
 */
import { fileMd5, type KeyRecord, type Mirror } from "@orcid-sync/core";

const NO_SWEEP = { sweep: false } as const;

/** How a key compares with the mirror. */
export type LocalState =
  /**
   * The mirror's rule says the file holds the object: skip without a request. `lastModified`: its
   * MD5 proved it but its mtime differs and was not set here (a mirror this run does not hold).
   */
  | { readonly kind: "same"; readonly lastModified?: string }
  /** No listing data to compare: ask the server with the file's MD5 (If-None-Match). */
  | { readonly kind: "md5"; readonly md5: string }
  /** Not there, or different: download. */
  | { readonly kind: "absent" };

/**
 * Compares a key record with its file in `mirror` (the folder orcid-place writes to). A key that
 * is not a well-formed ORCID key of the record's iD (`../…`) throws `InvalidKeyError`, and a
 * symlinked folder `UnsafePathError`, so no file outside the mirror is read and no MD5 of one is
 * sent upstream (`path`, when given, is the caller's `mirror.pathOf(record)`). On an MD5 match with
 * another mtime the file takes the object's LastModified when `mirror` may set it (`retime`), and
 * the answer carries that time for the filer otherwise.
 *
 * @example
 * ```ts
 * const local = localState(new Mirror("./data"), record);
 * ```
 */
export function localState(mirror: Mirror, record: KeyRecord, path: string = mirror.pathOf(record)): LocalState {
  // A look, not a write: the folders' temp files are swept by whoever files the object.
  const comparison = mirror.compare(path, record, NO_SWEEP);
  if (comparison.kind === "same")
    return comparison.staleMtime && record.lastModified !== undefined
      ? { kind: "same", lastModified: record.lastModified }
      : { kind: "same" };
  if (comparison.kind !== "unknown") return { kind: "absent" };
  const md5 = fileMd5(mirror.existing(path, NO_SWEEP)!);
  return md5 === undefined ? { kind: "absent" } : { kind: "md5", md5 };
}
