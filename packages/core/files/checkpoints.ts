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

/** Options for {@linkcode CheckpointJournal}. */
export interface CheckpointJournalOptions {
  /**
   * Least time between the starts of two syncs, in ms: appends meanwhile wait and go out in one
   * write and one fsync. Default 1,000. A crash loses at most that much of the journal: those
   * folders are listed again on resume.
   */
  readonly syncIntervalMs?: number;
}

/**
 * Appends checkpoints and syncs them to disk in batches: the appends made while a sync is under
 * way or within `syncIntervalMs` of the last one go out together (one fsync per batch, not per
 * folder); {@linkcode close} syncs what waits at once. Each append's promise settles once its lines
 * are synced, and once one write fails every later append fails too.
 */
export class CheckpointJournal {
  readonly #path: string;
  readonly #intervalMs: number;
  #handle: Awaited<ReturnType<typeof open>> | undefined;
  #waiting = "";
  #next: Promise<void> | undefined;
  #last: Promise<void> = Promise.resolve();
  #lastSync = Number.NEGATIVE_INFINITY;
  #closing = false;
  #cutPause: (() => void) | undefined;

  constructor(path: string, options: CheckpointJournalOptions = {}) {
    this.#path = path;
    this.#intervalMs = options.syncIntervalMs ?? 1000;
  }

  append(records: readonly CheckpointRecord[]): Promise<void> {
    if (records.length === 0) return this.#last;
    for (const r of records)
      this.#waiting += `${JSON.stringify({ type: "checkpoint", bucket: r.bucket, folder: r.folder })}\n`;
    if (this.#next === undefined) {
      this.#next = this.#last.then(async () => {
        await this.#pause();
        const text = this.#waiting;
        this.#waiting = "";
        this.#next = undefined;
        this.#lastSync = performance.now();
        this.#handle ??= await open(this.#path, "a");
        await this.#handle.write(text);
        await this.#handle.sync();
      });
      this.#last = this.#next;
    }
    return this.#next;
  }

  /** Waits out the rest of the interval since the last sync, unless the journal is closing. */
  #pause(): Promise<void> | undefined {
    const wait = this.#lastSync + this.#intervalMs - performance.now();
    if (this.#closing || wait <= 0) return undefined;
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, wait);
      this.#cutPause = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** Syncs the appends made so far at once (throwing a failed one's error), then closes. */
  async close(): Promise<void> {
    this.#closing = true;
    this.#cutPause?.();
    try {
      await this.#last;
    } finally {
      await this.#handle?.close();
      this.#handle = undefined;
    }
  }
}

/** Removes the journal (a finished download needs no resume). */
export async function clearCheckpoints(path: string): Promise<void> {
  await unlink(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== "ENOENT") throw error;
  });
}
