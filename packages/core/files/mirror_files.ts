/** The files of a mirror folder, in an order that depends on nothing but their names. */
import { lstatSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { mtimeOf } from "./same_object.ts";
import { isTempName } from "./temp_files.ts";

/** One file of a mirror folder. */
export interface MirrorFile {
  /** The path below the folder walked, `/`-separated. */
  readonly name: string;
  readonly body: Buffer;
  readonly mtime: Date;
}

/** Orders names as bytes, the way S3 and `LC_ALL=C ls` do, so the order does not depend on a locale. */
function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The files under `folder`, depth first, every folder's entries sorted by name: the same mirror
 * always gives the same order. Temp files and symlinks are skipped. Reads are synchronous, as tar's
 * are: a mirror is millions of small files, and a thread-pool round trip per call costs more than
 * the read.
 *
 * @example
 * ```ts
 * for (const file of mirrorFiles("./data/summaries")) console.log(file.name); // "097/0000-0002-1825-0097.xml", …
 * ```
 */
export function* mirrorFiles(folder: string): Generator<MirrorFile> {
  function* walk(path: string, name: string): Generator<MirrorFile> {
    for (const child of readdirSync(path, { withFileTypes: true }).sort((a, b) => byteOrder(a.name, b.name))) {
      if (isTempName(child.name)) continue;
      const childPath = join(path, child.name);
      const childName = name ? `${name}/${child.name}` : child.name;
      if (child.isDirectory()) yield* walk(childPath, childName);
      else if (child.isFile())
        yield { name: childName, body: readFileSync(childPath), mtime: mtimeOf(lstatSync(childPath)) };
    }
  }
  yield* walk(folder, "");
}
