/** Writing a file so that readers see the old content or the whole new content, never a part. */
import { closeSync, fsync, futimesSync, openSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { open } from "node:fs/promises";
import { dirname } from "node:path";
import { promisify } from "node:util";
import { tempPathFor, trackTempFile, untrackTempFile } from "./temp_files.ts";

const fsyncFd = promisify(fsync);

/** Options for {@linkcode atomicWrite}. */
export interface AtomicWriteOptions {
  /** fsync the file before the rename and the folder after it. Default false. */
  readonly fsync?: boolean;
  /** File mode. Default 0o644 (less the umask). */
  readonly mode?: number;
  /** Modification time to set before the rename (e.g. the object's LastModified). */
  readonly mtime?: Date;
}

/**
 * Writes `data` to `path` through a temp file in the same folder: write, check the byte count, optional
 * fsync, rename, optional folder fsync. On any error the temp file is removed and `path` is left as
 * it was. The folder must exist. Errors like ENOSPC and EACCES are permanent; callers should not retry.
 *
 * The open, write, utimes, close and rename are synchronous: on a local disk each takes microseconds,
 * and sending them through the thread pool costs more CPU in hand-offs than the file system spends
 * (docs/architecture.md, "The hot path"). Only fsync, which waits on the
 * device, goes to the pool, so that several files can wait at once.
 *
 * @example
 * ```ts
 * await atomicWrite("mirror/summaries/097/0000-0002-1825-0097.xml", body, { fsync: true });
 * ```
 */
export async function atomicWrite(
  path: string,
  data: Uint8Array | string,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const bytes = typeof data === "string" ? Buffer.from(data) : data;
  const temp = tempPathFor(path);
  trackTempFile(temp);
  try {
    const fd = openSync(temp, "wx", options.mode ?? 0o644);
    try {
      let written = 0;
      while (written < bytes.length) {
        const count = writeSync(fd, bytes, written, bytes.length - written);
        if (count === 0) throw new Error(`Short write to ${temp}: ${written} of ${bytes.length} bytes`);
        written += count;
      }
      if (options.mtime) futimesSync(fd, options.mtime, options.mtime);
      if (options.fsync) await fsyncFd(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {
      // never made, or already gone
    }
    throw error;
  } finally {
    untrackTempFile(temp);
  }
  if (options.fsync) await fsyncFolder(dirname(path));
}

/** fsyncs a folder so a rename in it survives a crash. */
export async function fsyncFolder(folder: string): Promise<void> {
  const handle = await open(folder, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
