/** Writing a file so that readers see the old content or the whole new content, never a part. */
import { open, rename, unlink } from "node:fs/promises";
import { dirname } from "node:path";
import { tempPathFor, trackTempFile, untrackTempFile } from "./temp_files.ts";

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
 * @example
 * ```ts
 * await atomicWrite("mirror/summaries/097/0000-0002-1825-0097.xml", body, { fsync: true });
 * ```
 */
export async function atomicWrite(path: string, data: Uint8Array | string, options: AtomicWriteOptions = {}): Promise<void> {
  const bytes = typeof data === "string" ? Buffer.from(data) : data;
  const temp = tempPathFor(path);
  trackTempFile(temp);
  try {
    const handle = await open(temp, "wx", options.mode ?? 0o644);
    try {
      let written = 0;
      while (written < bytes.length) {
        const { bytesWritten } = await handle.write(bytes, written, bytes.length - written);
        if (bytesWritten === 0) throw new Error(`Short write to ${temp}: ${written} of ${bytes.length} bytes`);
        written += bytesWritten;
      }
      if (options.mtime) await handle.utimes(options.mtime, options.mtime);
      if (options.fsync) await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => {});
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
