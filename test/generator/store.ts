/**
 * Writing objects straight into the local S3 server's data folder (s3rver's filesystem layout:
 * `<bucket>/<key>._S3rver_object` plus its `.md5`, LastModified = the file's mtime), which is
 * much faster than 30 000 PUTs and keeps dates exact.
 */
import { createHash } from "node:crypto";
import {
  type Dirent,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative } from "node:path";

/** An object to store. */
export interface StoredObject {
  readonly bucket: string;
  readonly key: string;
  readonly body: string | Buffer;
  readonly lastModified: Date;
}

/** What a sync of the store did. */
export interface StoreSync {
  readonly written: number;
  readonly deleted: number;
  readonly unchanged: number;
}

const OBJECT = "._S3rver_object";

function objectPath(directory: string, bucket: string, key: string): string {
  return join(directory, bucket, `${key}${OBJECT}`);
}

function* walk(folder: string): Generator<string> {
  let entries: Dirent[];
  try {
    entries = readdirSync(folder, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else yield path;
  }
}

/**
 * Makes the buckets under `directory` hold exactly `objects` for the named buckets (others are left
 * alone): writes new and changed objects, deletes the rest, skips identical ones.
 */
export function syncStore(directory: string, buckets: readonly string[], objects: Iterable<StoredObject>): StoreSync {
  const wanted = new Map<string, StoredObject>();
  for (const object of objects) wanted.set(objectPath(directory, object.bucket, object.key), object);
  let deleted = 0;
  let unchanged = 0;
  let written = 0;
  for (const bucket of buckets) {
    mkdirSync(join(directory, bucket), { recursive: true });
    for (const path of walk(join(directory, bucket))) {
      if (!path.endsWith(OBJECT) || wanted.has(path)) continue;
      for (const file of [path, `${path}.md5`, path.replace(OBJECT, "._S3rver_metadata.json")]) {
        try {
          unlinkSync(file);
        } catch {
          // not there
        }
      }
      deleted++;
      removeEmptyFolders(dirname(path), join(directory, bucket));
    }
  }
  for (const [path, object] of wanted) {
    const body = typeof object.body === "string" ? Buffer.from(object.body) : object.body;
    const md5 = createHash("md5").update(body).digest("hex");
    if (isSame(path, md5, object.lastModified)) {
      unchanged++;
      continue;
    }
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, body);
    writeFileSync(`${path}.md5`, md5);
    utimesSync(path, object.lastModified, object.lastModified);
    written++;
  }
  return { written, deleted, unchanged };
}

function isSame(path: string, md5: string, lastModified: Date): boolean {
  try {
    return readFileSync(`${path}.md5`, "utf8") === md5 && Math.abs(statSync(path).mtimeMs - lastModified.getTime()) < 1;
  } catch {
    return false;
  }
}

function removeEmptyFolders(folder: string, top: string): void {
  let current = folder;
  while (relative(top, current) !== "" && !relative(top, current).startsWith("..")) {
    try {
      rmdirSync(current);
    } catch {
      return;
    }
    current = dirname(current);
  }
}

/** Writes files under `directory` at the given relative paths (an expected mirror). */
export function writeTree(
  directory: string,
  files: Iterable<{ readonly path: string; readonly body: string | Buffer }>,
): number {
  let count = 0;
  for (const file of files) {
    const path = join(directory, file.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, file.body);
    count++;
  }
  return count;
}
