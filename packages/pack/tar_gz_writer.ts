/** A .tar.gz written as a stream: to a file atomically (temp + rename), or to any stream. */
import { createWriteStream, readdirSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { rename, unlink } from "node:fs/promises";
import { once } from "node:events";
import type { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { removeIfOrphanedTemp, streamFlushed, tempPathFor, trackTempFile, untrackTempFile } from "@orcid-sync/core";
import { pack, type Pack } from "tar-stream";
import type { ArchiveEntry } from "./archive_entries.ts";
import { ParallelGzip, type ParallelGzipOptions } from "./parallel_gzip.ts";

/** Removes temp files of the same archive that a killed run left (their writer is gone). */
function removeOrphansOf(path: string): void {
  const prefix = `.${basename(path)}.orcid-sync-tmp.`;
  let names: string[] = [];
  try {
    names = readdirSync(dirname(path) || ".");
  } catch {
    return;
  }
  for (const name of names) {
    if (name.startsWith(prefix)) removeIfOrphanedTemp(join(dirname(path), name));
  }
}

/** Writes entries into a gzip-compressed tar; entries carry uid/gid 0, mode 0644 and their mtime. */
export class TarGzWriter {
  readonly #tar: Pack = pack();
  readonly #gzip: ParallelGzip;
  readonly #done: Promise<void>;
  /** Tar bytes produced (headers, content, padding). */
  #produced = 0;
  /** Why the output failed (a full disk, a closed pipe), once it has. */
  #failure: Error | undefined;
  readonly #path: string | undefined;
  readonly #temp: string | undefined;
  /** The stream given instead of a path (stdout), which the archive does not end. */
  readonly #stream: Writable | undefined;
  #entries = 0;
  #bytes = 0;

  /** Writes to `destination`: a file path (atomic) or a stream (e.g. stdout). */
  constructor(destination: string | Writable, options: ParallelGzipOptions = {}) {
    let out: Writable;
    if (typeof destination === "string") {
      this.#path = destination;
      removeOrphansOf(destination);
      this.#temp = tempPathFor(destination);
      trackTempFile(this.#temp);
      out = createWriteStream(this.#temp, { flags: "wx" });
    } else {
      out = destination;
      this.#stream = destination;
    }
    this.#gzip = new ParallelGzip(options);
    this.#done = pipeline(this.#tar, this.#gzip, out, { end: typeof destination === "string" });
    this.#done.catch((error: Error) => (this.#failure ??= error));
  }

  get entries(): number {
    return this.#entries;
  }

  /** Bytes of file content added. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Adds one file; resolves when the archive can take the next one. */
  async add(entry: ArchiveEntry): Promise<void> {
    if (this.#failure) throw this.#failure;
    await new Promise<void>((resolve, reject) => {
      this.#tar.entry(
        {
          name: entry.name,
          size: entry.body.length,
          mtime: entry.mtime,
          mode: 0o644,
          uid: 0,
          gid: 0,
          uname: "",
          gname: "",
          type: "file",
        },
        entry.body,
        (error) => (error ? reject(error) : resolve()),
      );
    });
    this.#entries++;
    this.#bytes += entry.body.length;
    this.#produced += 512 + Math.ceil(entry.body.length / 512) * 512;
    // tar-stream buffers whatever it is given: wait while the compressor is more than 8 MiB behind.
    while (this.#produced - this.#gzip.consumed > 8 << 20) {
      await Promise.race([once(this.#gzip, "consumed"), this.#done]);
    }
    if (this.#failure) throw this.#failure;
  }

  /** Ends the archive and, for a file, renames it into place. */
  async finish(): Promise<void> {
    if (this.#failure) throw this.#failure;
    this.#tar.finalize();
    try {
      await this.#done;
      if (this.#stream) await streamFlushed(this.#stream);
      if (this.#temp && this.#path) await rename(this.#temp, this.#path);
    } catch (error) {
      await this.abort();
      throw error;
    } finally {
      if (this.#temp) untrackTempFile(this.#temp);
    }
  }

  /** Stops and removes the temp file. */
  async abort(): Promise<void> {
    this.#tar.destroy();
    if (this.#temp) {
      await unlink(this.#temp).catch(() => {});
      untrackTempFile(this.#temp);
    }
  }
}
