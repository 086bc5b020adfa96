/**
 * Resume checkpoints: which (bucket, folder) pairs of a full listing reached the end of the pipe.
 * An append-only journal of checkpoint records, one JSON line each; a torn last line (a kill in
 * mid-write) is ignored, so the file is never wrong, at worst one folder short.
 */
import { open, readFile, unlink } from "node:fs/promises";
import type { CheckpointRecord } from "../pipe/mod.ts";

/** The default journal, in the current directory beside last_ran.config. */
export const CHECKPOINT_FILE = "orcid_sync_checkpoints.ndjson";

/** The identity of a completed folder. */
export function checkpointId(bucket: string, folder: string): string {
  return `${bucket}/${folder}`;
}

/**
 * The completed folders as `bucket/folder` strings; empty when there is no journal.
 *
 * @example
 * ```ts
 * const done = await readCheckpoints("orcid_sync_checkpoints.ndjson");
 * done.has("v3.0-summaries/097");
 * ```
 */
export async function readCheckpoints(path: string): Promise<Set<string>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return new Set();
    throw error;
  }
  const done = new Set<string>();
  const lines = text.split("\n");
  // The last piece has no newline after it: complete only if the file ended with one.
  lines.pop();
  for (const line of lines) {
    try {
      const record = JSON.parse(line) as Partial<CheckpointRecord>;
      if (record.type === "checkpoint" && typeof record.bucket === "string" && typeof record.folder === "string") {
        done.add(checkpointId(record.bucket, record.folder));
      }
    } catch {
      // a damaged line names nothing done
    }
  }
  return done;
}

/** Appends checkpoints and syncs them to disk before returning. */
export class CheckpointJournal {
  readonly #path: string;
  #handle: Awaited<ReturnType<typeof open>> | undefined;

  constructor(path: string) {
    this.#path = path;
  }

  async append(records: readonly CheckpointRecord[]): Promise<void> {
    if (records.length === 0) return;
    this.#handle ??= await open(this.#path, "a");
    const text = records
      .map((r) => `${JSON.stringify({ type: "checkpoint", bucket: r.bucket, folder: r.folder })}\n`)
      .join("");
    await this.#handle.write(text);
    await this.#handle.sync();
  }

  async close(): Promise<void> {
    await this.#handle?.close();
    this.#handle = undefined;
  }
}

/** Removes the journal (a finished download needs no resume). */
export async function clearCheckpoints(path: string): Promise<void> {
  await unlink(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== "ENOENT") throw error;
  });
}
